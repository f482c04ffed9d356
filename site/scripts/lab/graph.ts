/**
 * @module
 * A grading result as a picture: every flow the checks looked at, pods as boxes grouped by
 * namespace, allowed flows as green arrows and denied ones as red crossed-out arrows — drawn by
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
  const seen = new Set<string>();
  for (const f of flows) {
    const key = `${f.from}|${f.to}|${f.protocol}/${f.port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const from = node(f.from);
    const to = node(f.to);
    d.edges.push({ from, to, label: `${f.protocol} ${f.port}${f.allowed === null ? ' ?' : ''}`, style: f.allowed === false ? 'denied' : f.allowed === true ? 'allowed' : 'dashed' });
  }
  return d;
}
