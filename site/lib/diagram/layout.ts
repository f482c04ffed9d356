/**
 * @module
 * Places a diagram's boxes: a layered layout, as Mermaid's flowcharts do. Each box's layer is
 * the longest chain of arrows leading to it (arrows that close a cycle are ignored for this);
 * groups get bands of their own across all layers, so a group's frame never covers another
 * group's box. Deterministic: the same diagram always draws the same picture.
 */
import type { Diagram, DiagramNode } from './types.ts';

export interface Box {
  node: DiagramNode;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Frame {
  id: string;
  title: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Layout {
  width: number;
  height: number;
  boxes: Map<string, Box>;
  frames: Frame[];
}

const CHAR = 7.4;
const LINE = 18;
const PAD = 12;
const LAYER_GAP = 90;
const ROW_GAP = 22;
const FRAME_PAD = 14;
const FRAME_TITLE = 22;
const MARGIN = 8;

export function boxSize(n: DiagramNode): { w: number; h: number } {
  const longest = Math.max(...n.label.map((l) => l.length), 1);
  return { w: Math.round(longest * CHAR + 2 * PAD), h: n.label.length * LINE + PAD };
}

/** Layer of each node: longest path from a source, over the arrows that are not back edges. */
export function layers(d: Diagram): Map<string, number> {
  const out = new Map<string, string[]>();
  for (const e of d.edges) if (e.from !== e.to) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  const state = new Map<string, 'open' | 'done'>();
  const order: string[] = [];
  const forward = new Set<string>();
  const visit = (id: string) => {
    state.set(id, 'open');
    for (const to of out.get(id) ?? []) {
      const s = state.get(to);
      if (s === 'open') continue; // a back edge: it would make the layering infinite
      forward.add(`${id}\0${to}`);
      if (s === undefined) visit(to);
    }
    state.set(id, 'done');
    order.push(id);
  };
  for (const n of d.nodes) if (!state.has(n.id)) visit(n.id);
  const layer = new Map(d.nodes.map((n) => [n.id, 0]));
  for (const id of order.reverse()) {
    for (const to of out.get(id) ?? []) {
      if (forward.has(`${id}\0${to}`)) layer.set(to, Math.max(layer.get(to)!, layer.get(id)! + 1));
    }
  }
  return layer;
}

export function layout(d: Diagram): Layout {
  const layer = layers(d);
  // Arrows run between layers: leave room for the longest arrow label (and a denied arrow's cross).
  const gap = Math.max(LAYER_GAP, ...d.edges.map((e) => (e.label?.length ?? 0) * 6.6 + (e.style === 'denied' ? 80 : 40)));
  const depth = Math.max(0, ...layer.values()) + 1;
  const bands = [...d.groups.map((g) => g.id as string | undefined), undefined];
  const lr = d.direction === 'LR';
  // Size along the layer axis (column width in LR) and across it.
  const along = (s: { w: number; h: number }) => (lr ? s.w : s.h);
  const across = (s: { w: number; h: number }) => (lr ? s.h : s.w);
  const sizes = new Map(d.nodes.map((n) => [n.id, boxSize(n)]));
  const layerSpan = Array.from({ length: depth }, (_, i) => Math.max(0, ...d.nodes.filter((n) => layer.get(n.id) === i).map((n) => along(sizes.get(n.id)!))));
  const layerStart: number[] = [];
  let pos = MARGIN + FRAME_PAD + (lr ? 0 : FRAME_TITLE);
  for (let i = 0; i < depth; i++) {
    layerStart.push(pos);
    pos += layerSpan[i]! + gap;
  }
  const totalAlong = pos - gap + FRAME_PAD + MARGIN;

  const boxes = new Map<string, Box>();
  const frames: Frame[] = [];
  let cursor = MARGIN;
  for (const band of bands) {
    const members = d.nodes.filter((n) => n.group === band);
    if (members.length === 0) continue;
    const framed = band !== undefined;
    const top = cursor + (framed ? FRAME_TITLE + FRAME_PAD : 0);
    let bandSize = 0;
    for (let i = 0; i < depth; i++) {
      let c = top;
      for (const n of members.filter((m) => layer.get(m.id) === i)) {
        const s = sizes.get(n.id)!;
        const a = layerStart[i]! + (layerSpan[i]! - along(s)) / 2;
        boxes.set(n.id, lr ? { node: n, x: a, y: c, w: s.w, h: s.h } : { node: n, x: c, y: a, w: s.w, h: s.h });
        c += across(s) + ROW_GAP;
      }
      bandSize = Math.max(bandSize, c - ROW_GAP - top);
    }
    if (framed) {
      const g = d.groups.find((x) => x.id === band)!;
      const inLayers = members.map((m) => layer.get(m.id)!);
      const first = Math.min(...inLayers);
      const last = Math.max(...inLayers);
      const a0 = layerStart[first]! - FRAME_PAD;
      const a1 = layerStart[last]! + layerSpan[last]! + FRAME_PAD;
      const c0 = cursor;
      const c1 = top + bandSize + FRAME_PAD;
      frames.push(lr ? { id: g.id, title: g.title, x: a0, y: c0, w: a1 - a0, h: c1 - c0 } : { id: g.id, title: g.title, x: c0, y: a0 - FRAME_TITLE, w: c1 - c0, h: a1 - a0 + FRAME_TITLE });
      cursor = c1 + ROW_GAP;
    } else cursor = top + bandSize + ROW_GAP;
  }
  const totalAcross = cursor - ROW_GAP + MARGIN;
  return { width: Math.ceil(lr ? totalAlong : totalAcross), height: Math.ceil(lr ? totalAcross : totalAlong), boxes, frames };
}
