/**
 * @module
 * A laid-out diagram as an SVG string. Colours are the page's CSS variables (with fallbacks),
 * so one drawing follows the dark and light themes. Denied flows are red, dashed and crossed
 * out, not only red: colour is never the only signal.
 */
import type { Box, Layout } from './layout.ts';
import { layout } from './layout.ts';
import type { Diagram, DiagramEdge, Tone } from './types.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const TONE: Record<Tone, { fill: string; stroke: string }> = {
  plain: { fill: 'var(--bg, #fff)', stroke: 'var(--fg-soft, #4a5561)' },
  ok: { fill: 'var(--ok-bg, #e3f4e7)', stroke: 'var(--ok, #17692f)' },
  bad: { fill: 'var(--bad-bg, #fbe6e6)', stroke: 'var(--bad, #a4161a)' },
  focus: { fill: 'var(--warn-bg, #fdf1d8)', stroke: 'var(--warn, #7a4b00)' },
  muted: { fill: 'var(--bg-soft, #f4f6f8)', stroke: 'var(--border, #c9d1d9)' },
};

const EDGE: Record<DiagramEdge['style'], { stroke: string; dash: string; width: number }> = {
  solid: { stroke: 'var(--fg-soft, #4a5561)', dash: '', width: 1.5 },
  dashed: { stroke: 'var(--fg-soft, #4a5561)', dash: '5 4', width: 1.5 },
  allowed: { stroke: 'var(--ok, #17692f)', dash: '', width: 2.5 },
  denied: { stroke: 'var(--bad, #a4161a)', dash: '6 4', width: 2 },
};

/** Where the segment from a box's centre towards (tx, ty) leaves the box. */
function clip(b: Box, tx: number, ty: number): [number, number] {
  const cx = b.x + b.w / 2;
  const cy = b.y + b.h / 2;
  const dx = tx - cx;
  const dy = ty - cy;
  if (dx === 0 && dy === 0) return [cx, cy];
  const s = Math.min(Math.abs(b.w / 2 / (dx || 1e-9)), Math.abs(b.h / 2 / (dy || 1e-9)));
  return [cx + dx * s, cy + dy * s];
}

/** An arrow, and its label apart: labels are drawn last, so no box or arrow covers them. */
function edge(e: DiagramEdge, l: Layout, i: number, id: string, hasTwin: boolean, at: number): { line: string; label: string } {
  const a = l.boxes.get(e.from);
  const b = l.boxes.get(e.to);
  if (!a || !b) return { line: '', label: '' };
  const st = EDGE[e.style];
  // Two arrows between the same boxes in opposite directions are drawn side by side.
  const twin = hasTwin ? 6 : 0; // the normal flips with the direction: the two land on opposite sides
  const [x1, y1] = clip(a, b.x + b.w / 2, b.y + b.h / 2);
  const [x2, y2] = clip(b, a.x + a.w / 2, a.y + a.h / 2);
  const len = Math.hypot(x2 - x1, y2 - y1) || 1;
  const ox = (-(y2 - y1) / len) * twin;
  const oy = ((x2 - x1) / len) * twin;
  const parts = [
    `<line x1="${(x1 + ox).toFixed(1)}" y1="${(y1 + oy).toFixed(1)}" x2="${(x2 + ox).toFixed(1)}" y2="${(y2 + oy).toFixed(1)}" stroke="${st.stroke}" stroke-width="${st.width}"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''} marker-end="url(#${id}-arrow-${e.style})" />`,
  ];
  const mx = x1 + (x2 - x1) * at + ox * 2;
  const my = y1 + (y2 - y1) * at + oy * 2;
  if (e.style === 'denied') {
    // The cross sits just before the label (which is drawn over the line), or at 72% without one.
    const t = e.label ? Math.max(0.12, at - (e.label.length * 3.3 + 14) / len) : 0.72;
    const cx = x1 + (x2 - x1) * t + ox;
    const cy = y1 + (y2 - y1) * t + oy;
    parts.push(`<path d="M${cx - 5} ${cy - 5}l10 10m0 -10l-10 10" stroke="${st.stroke}" stroke-width="2.5" />`);
  }
  let label = '';
  if (e.label) {
    const w = e.label.length * 6.6 + 10;
    label =
      `<g data-edge-label="${i}"><rect x="${(mx - w / 2).toFixed(1)}" y="${(my - 9).toFixed(1)}" width="${w.toFixed(1)}" height="18" rx="4" fill="var(--bg, #fff)" opacity="0.92" />` +
      `<text x="${mx.toFixed(1)}" y="${(my + 4).toFixed(1)}" text-anchor="middle" font-size="11.5" fill="${st.stroke}">${esc(e.label)}</text></g>`;
  }
  return { line: `<g data-edge="${i}" data-from="${esc(e.from)}" data-to="${esc(e.to)}">${parts.join('')}</g>`, label };
}

function markers(id: string): string {
  return (Object.keys(EDGE) as DiagramEdge['style'][])
    .map((s) => `<marker id="${id}-arrow-${s}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="${EDGE[s].stroke}" /></marker>`)
    .join('');
}

/** `id` keeps marker ids unique when a page holds several diagrams; `title` is read by screen readers. */
export function renderSvg(d: Diagram, opts: { id: string; title: string }): string {
  const l = layout(d);
  const frames = l.frames.map(
    (f) =>
      `<g class="frame"><rect x="${f.x}" y="${f.y}" width="${f.w}" height="${f.h}" rx="8" fill="none" stroke="var(--border, #c9d1d9)" stroke-dasharray="4 3" />` +
      `<text x="${f.x + 10}" y="${f.y + 16}" font-size="12" font-weight="600" fill="var(--fg-soft, #4a5561)">${esc(f.title)}</text></g>`,
  );
  const boxes = [...l.boxes.values()].map((b) => {
    const t = TONE[b.node.tone];
    const lines = b.node.label
      .map((text, i) => `<text x="${(b.x + b.w / 2).toFixed(1)}" y="${(b.y + 6 + 18 * (i + 1) - 4).toFixed(1)}" text-anchor="middle" font-size="13" fill="var(--fg, #1b1f24)"${i > 0 ? ' opacity="0.8"' : ''}>${esc(text)}</text>`)
      .join('');
    return `<g data-node="${esc(b.node.id)}"><rect x="${b.x.toFixed(1)}" y="${b.y.toFixed(1)}" width="${b.w}" height="${b.h}" rx="6" fill="${t.fill}" stroke="${t.stroke}" stroke-width="1.5" />${lines}</g>`;
  });
  const keys = new Set(d.edges.map((e) => `${e.from}\0${e.to}`));
  const count = (k: 'from' | 'to', v: string) => d.edges.filter((e) => e[k] === v).length;
  // Arrows fanning out of one box are apart only near their ends: put their labels there (and
  // the labels of arrows fanning into one box near their starts).
  const at = (e: DiagramEdge) => Math.min(0.62, Math.max(0.38, 0.5 + 0.04 * (count('from', e.from) - count('to', e.to))));
  const edges = d.edges.map((e, i) => edge(e, l, i, opts.id, keys.has(`${e.to}\0${e.from}`), at(e)));
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${l.width} ${l.height}" width="${l.width}" height="${l.height}" role="img" aria-labelledby="${opts.id}-title" font-family="system-ui, sans-serif">` +
    `<title id="${opts.id}-title">${esc(opts.title)}</title><defs>${markers(opts.id)}</defs>` +
    frames.join('') + edges.map((e) => e.line).join('') + boxes.join('') + edges.map((e) => e.label).join('') + '</svg>'
  );
}
