/**
 * @module
 * Shows what Check returned: the verdict, then each check with what it expected and saw, the
 * engine's explanation, the hint of a failed check, and a picture of the flows behind it all.
 */
import type { GradeResult } from '../../../checkers/grade/result.ts';
import { renderSvg } from '../../lib/diagram/svg.ts';
import { h, html } from './dom.ts';
import { flowsDiagram } from './graph.ts';

export function renderResults(host: HTMLElement, r: GradeResult, hints: { id: string; html: string }[]): void {
  const failed = r.checks.filter((c) => !c.passed && !c.skipped);
  const how = r.mode === 'live' ? ' (measured with real packets)' : '';
  const headline = r.passed ? `Passed — all ${r.checks.length} checks${how}` : `Not yet — ${failed.length} of ${r.checks.length} checks fail${how}`;
  const hintHtml = (id: string) => hints.find((x) => x.id === id)?.html;
  const item = (c: GradeResult['checks'][number]) => {
    const state = c.passed ? 'passed' : c.skipped ? 'skipped' : 'failed';
    const hint = state === 'failed' ? hintHtml(c.hint) : undefined;
    return h(
      'li',
      { class: `check ${state}`, 'data-check': c.id },
      h('p', { class: 'check-title' }, h('span', { class: 'check-state' }, state === 'passed' ? '✓ passed' : state === 'failed' ? '✗ failed' : '– skipped'), ' ', c.title),
      state !== 'skipped' ? h('p', { class: 'check-io' }, `expected ${c.expected}; saw ${c.observed}`) : null,
      state === 'failed' ? h('p', { class: 'check-why' }, c.explanation) : h('details', {}, h('summary', {}, 'Why'), h('p', {}, c.explanation)),
      hint ? h('div', { class: 'check-hint', 'data-hint': c.hint }, h('strong', {}, 'Hint: '), html(hint)) : null,
    );
  };
  // What needs doing comes first; the checks that pass fold away.
  const open = r.checks.filter((c) => !c.passed);
  const passed = r.checks.filter((c) => c.passed);
  const list = h('ol', { class: 'checks' }, ...open.map(item));
  const passedList =
    passed.length > 0
      ? h('details', { class: 'passed-checks', open: r.passed }, h('summary', {}, `${passed.length} check${passed.length === 1 ? '' : 's'} passed`), h('ol', { class: 'checks' }, ...passed.map(item)))
      : null;
  const flows = r.checks.flatMap((c) => c.flows);
  const focus = new Set(failed.flatMap((c) => c.flows.flatMap((f) => [f.from, f.to])));
  const picture = flows.length > 0 ? h('figure', { class: 'diagram results-graph' }) : null;
  if (picture) {
    picture.innerHTML = renderSvg(flowsDiagram(flows, focus), { id: 'grade-graph', title: 'The flows the checks measured: green arrows allowed, red crossed arrows denied' });
    picture.append(h('figcaption', {}, 'What the checks measured: green arrows were allowed, red crossed-out arrows denied, dashed ones mixed (✓/✗ per port); pods of failing checks are highlighted.'));
  }
  const warnings = r.warnings.length > 0 ? h('ul', { class: 'warnings' }, ...r.warnings.map((w) => h('li', {}, `⚠ ${w.message}`))) : null;
  const parts: (Node | null)[] = [h('p', { class: `verdict ${r.passed ? 'passed' : 'failed'}`, role: 'status' }, headline), warnings, open.length > 0 ? list : null, passedList, picture];
  host.replaceChildren(...parts.filter((p): p is Node => p !== null));
}
