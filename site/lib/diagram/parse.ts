/**
 * @module
 * The chapter diagram language, a small subset of Mermaid's flowchart so authors who know
 * Mermaid write it without reading docs, drawn at build time (no diagram library in the page):
 *
 *   direction LR                      (or TB)
 *   subgraph prod "Namespace: production"
 *     fe[frontend-1]:::ok             a box: id[label], `<br>` breaks lines; tones ok bad focus muted
 *   end
 *   fe -->|allowed :8080| be          arrow with a label
 *   hack -x|DENIED| be                a denied flow (red, crossed)
 *   a -.-> net                        dashed
 *   fe ==> be                         an allowed flow (green, bold)
 *
 * Errors name the line, because a build-time diagram that silently drops a line misleads.
 */
import type { Diagram, DiagramNode, EdgeStyle, Tone } from './types.ts';

const NODE = String.raw`([A-Za-z][\w-]*)(?:\[([^\]]*)\])?(?::::(\w+))?`;
const EDGE_RE = new RegExp(`^${NODE}\\s*(-->|-\\.->|-x|==>)\\s*(?:\\|([^|]*)\\|)?\\s*${NODE}$`);
const NODE_RE = new RegExp(`^${NODE}$`);
const ARROWS: Record<string, EdgeStyle> = { '-->': 'solid', '-.->': 'dashed', '-x': 'denied', '==>': 'allowed' };
const TONES = new Set<Tone>(['plain', 'ok', 'bad', 'focus', 'muted']);

export function parseDiagram(source: string): Diagram {
  const d: Diagram = { direction: 'LR', nodes: [], edges: [], groups: [] };
  const byId = new Map<string, DiagramNode>();
  let group: string | undefined;
  const node = (id: string, label: string | undefined, tone: string | undefined, line: number) => {
    let n = byId.get(id);
    if (!n) {
      n = { id, label: [id], tone: 'plain', ...(group ? { group } : {}) };
      byId.set(id, n);
      d.nodes.push(n);
    }
    if (label !== undefined) n.label = label.split(/<br\s*\/?>/).map((s) => s.trim());
    if (tone !== undefined) {
      if (!TONES.has(tone as Tone)) throw new Error(`diagram line ${line}: unknown tone "${tone}" (use ${[...TONES].join(', ')})`);
      n.tone = tone as Tone;
    }
    if (group && !n.group) n.group = group;
    return n;
  };
  source.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    const at = i + 1;
    if (!line || line.startsWith('%%')) return;
    let m: RegExpExecArray | null;
    if ((m = /^direction\s+(LR|TB)$/.exec(line))) return void (d.direction = m[1] as 'LR' | 'TB');
    if ((m = /^subgraph\s+([\w-]+)(?:\s+"([^"]*)")?$/.exec(line))) {
      if (group) throw new Error(`diagram line ${at}: subgraphs do not nest`);
      group = m[1]!;
      d.groups.push({ id: group, title: m[2] ?? group });
      return;
    }
    if (line === 'end') {
      if (!group) throw new Error(`diagram line ${at}: "end" without a subgraph`);
      return void (group = undefined);
    }
    if ((m = EDGE_RE.exec(line))) {
      const from = node(m[1]!, m[2], m[3], at);
      const to = node(m[6]!, m[7], m[8], at);
      const label = m[5]?.trim();
      d.edges.push({ from: from.id, to: to.id, style: ARROWS[m[4]!]!, ...(label ? { label } : {}) });
      return;
    }
    if ((m = NODE_RE.exec(line))) return void node(m[1]!, m[2], m[3], at);
    throw new Error(`diagram line ${at}: cannot read "${line}" (expected a box like a[label], an arrow like a --> b, subgraph or end)`);
  });
  if (group) throw new Error(`diagram: subgraph "${group}" has no "end"`);
  return d;
}
