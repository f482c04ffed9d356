/**
 * @module
 * Draws the preview: one table, sources down, destinations (pod, protocol/port) across.
 * ✓ allowed, ✗ denied; a cell the draft changes is highlighted and says what it was. Hovering
 * or focusing a cell shows the engine's reason for it — which policy isolates which side and
 * which rule, if any, admits the flow.
 */
import { h } from './dom.ts';
import type { Cell, Matrix, PreviewResult } from './preview.ts';

const mark = (c: Cell) => (c.allowed === true ? '✓' : c.allowed === false ? '✗' : '?');
const word = (c: Cell) => (c.allowed === true ? 'allowed' : c.allowed === false ? 'denied' : 'unknown');

/** Which matrix is on screen: the draft applied (changes marked), or the task's start state. */
let showing: 'draft' | 'start' = 'draft';

function toggle(host: HTMLElement, r: PreviewResult): HTMLElement {
  const button = (mode: typeof showing, text: string) => {
    const b = h('button', { type: 'button', 'aria-pressed': String(showing === mode), 'data-show': mode }, text);
    b.addEventListener('click', () => {
      showing = mode;
      renderPreview(host, r);
      host.querySelector<HTMLElement>(`[data-show="${mode}"]`)?.focus();
    });
    return b;
  };
  return h('div', { class: 'preview-toggle', role: 'group', 'aria-label': 'Matrix shown' }, button('draft', 'With your draft'), button('start', 'Start state'));
}

export function renderPreview(host: HTMLElement, r0: PreviewResult): void {
  // The start state alone is the same table with nothing applied on top.
  const r: PreviewResult = showing === 'start' ? { before: r0.before, after: r0.before, problems: [] } : r0;
  const m: Matrix = r.after ?? r.before;
  const detail = h('p', { class: 'preview-reason', 'aria-live': 'polite' }, 'Hover over or focus a cell to see why.');
  let changed = 0;
  const head = h('tr', {}, h('th', { scope: 'col' }, 'from ↓ / to →'), ...m.columns.map((c) => h('th', { scope: 'col' }, c.label, h('br'), h('small', {}, c.portLabel))));
  const body = m.rows.map((row, ri) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, row.label),
      ...m.columns.map((col, ci) => {
        const now = m.cells[ri]![ci];
        if (!now) return h('td', { class: 'self', 'aria-label': 'same pod' }, '—');
        const was = r.after ? r.before.cells[ri]![ci] : undefined;
        const isChanged = !!was && was.allowed !== now.allowed;
        if (isChanged) changed++;
        const what = `${row.label} → ${col.label} ${col.portLabel}: ${word(now)}${isChanged ? ` (was ${word(was)})` : ''}`;
        const td = h('td', { class: `cell ${word(now)}${isChanged ? ' changed' : ''}`, tabindex: '0', title: now.reason, 'aria-label': what, 'data-from': row.label, 'data-to': `${col.label} ${col.portLabel}` }, mark(now), isChanged ? h('small', { class: 'was' }, ` was ${mark(was)}`) : null);
        const show = () => (detail.textContent = `${what}. ${now.reason}`);
        td.addEventListener('mouseenter', show);
        td.addEventListener('focus', show);
        return td;
      }),
    ),
  );
  const summary = summarize(r, changed);
  host.replaceChildren(
    toggle(host, r0),
    h('p', { class: 'preview-summary', 'data-changed': String(changed) }, summary),
    h('div', { class: 'preview-scroll' }, h('table', { class: 'preview-table' }, h('thead', {}, head), h('tbody', {}, ...body))),
    detail,
  );
}

function summarize(r: PreviewResult, changed: number): string {
  if (showing === 'start') return "The task's start state, before your draft.";
  if (!r.after) return 'Your draft does not parse yet — the table shows the start state. The editor marks the problem.';
  if (changed === 0) return 'Your draft changes no flow between these pods yet.';
  return `Your draft changes ${changed} flow${changed === 1 ? '' : 's'} (highlighted).`;
}
