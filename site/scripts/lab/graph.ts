/**
 * @module
 * A grading result as a picture: every flow the checks looked at, pods as boxes grouped by
 * namespace, one arrow per pair — green when every port checked was allowed, red and crossed out
 * when every one was denied, dashed with ✓/✗ per port when they differ — drawn by
 * the same diagram code as the chapters' build-time figures.
 */
import type { ProbeResult } from '../../../checkers/truth-table.ts';
import type { Diagram, DiagramNode } from '../../lib/diagram/types.ts';

const idOf = (name: string) => name.replace(/[^A-Za-z0-9-]/g, '_');

export function flowsDiagram(flows: ProbeResult[], focus: Set<string> = new Set()): Diagram {
  const d: Diagram = { direction: 'LR', nodes: [], edges: [], groups: [] };
  const nodes = new Map<string, DiagramNode>();
  const node = (name: string) => {
    const id = idOf(name);
    if (nodes.has(id)) return id;
    const slash = name.indexOf('/');
    const pod = slash > 0 && !name.includes(':');
    const group = pod ? name.slice(0, slash) : undefined;
    if (group && !d.groups.some((g) => g.id === group)) d.groups.push({ id: group, title: `namespace ${group}` });
    const n: DiagramNode = { id, label: pod ? [name.slice(slash + 1)] : ['outside', name], tone: focus.has(name) ? 'focus' : pod ? 'plain' : 'muted', ...(group ? { group } : {}) };
    nodes.set(id, n);
    d.nodes.push(n);
    return id;
  };
  // One arrow per pair of endpoints: its ports in the label, each marked when the verdicts differ.
  const pairs = new Map<string, { from: string; to: string; ports: Map<string, boolean | null> }>();
  for (const f of flows) {
    const key = `${f.from}|${f.to}`;
    let p = pairs.get(key);
    if (!p) pairs.set(key, (p = { from: node(f.from), to: node(f.to), ports: new Map() }));
    p.ports.set(`${f.protocol} ${f.port}`, f.allowed);
  }
  for (const p of pairs.values()) {
    const verdicts = new Set(p.ports.values());
    const mixed = verdicts.size > 1;
    const mark = (v: boolean | null) => (v === true ? ' ✓' : v === false ? ' ✗' : ' ?');
    const label = [...p.ports].map(([port, v]) => (mixed ? port + mark(v) : port)).join(', ');
    const only = [...verdicts][0];
    d.edges.push({ from: p.from, to: p.to, label, style: mixed || only === null ? 'dashed' : only ? 'allowed' : 'denied' });
  }
  return d;
}
