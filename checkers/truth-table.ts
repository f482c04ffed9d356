/**
 * @module
 * The one result type shared by the engine, live probes, the grader and every printer:
 * a list of probed flows, each allowed (true), denied (false) or not measured (null),
 * printed as one pods × pods matrix per port/protocol with `.` allowed and `X` denied
 * (the notation of the upstream netpol e2e tests and cyclonus).
 */
import type { DirectionVerdict, Protocol } from './engine/types.ts';

export interface ProbeResult {
  /** `ns/pod` or a bare IP. */
  from: string;
  to: string;
  port: number;
  protocol: Protocol;
  /** null: the flow could not be measured (reason says why). */
  allowed: boolean | null;
  reason: string;
  ingress?: DirectionVerdict;
  egress?: DirectionVerdict;
}

export interface TruthTable {
  results: ProbeResult[];
}

const mark = (a: boolean | null | undefined) => (a === true ? '.' : a === false ? 'X' : a === null ? '?' : ' ');

/** One matrix per port/protocol (rows: sources, columns: destinations), then a legend and a count. */
export function renderMatrix(table: TruthTable): string {
  const groups = new Map<string, ProbeResult[]>();
  for (const r of table.results) {
    const key = `${r.protocol}/${r.port}`;
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(r);
  }
  const out: string[] = [];
  for (const [key, results] of [...groups].sort(([a], [b]) => compareGroup(a, b))) {
    const froms = unique(results.map((r) => r.from));
    const tos = unique(results.map((r) => r.to));
    const cell = new Map(results.map((r) => [`${r.from}\u0000${r.to}`, r.allowed]));
    const rowWidth = Math.max(key.length, ...froms.map((f) => f.length));
    const widths = tos.map((t) => t.length);
    out.push(
      [key.padEnd(rowWidth), ...tos].join('  '),
      ...froms.map((f) =>
        [f.padEnd(rowWidth), ...tos.map((t, i) => center(mark(cell.get(`${f}\u0000${t}`)), widths[i]!))].join('  ').trimEnd(),
      ),
      '',
    );
  }
  const count = (v: boolean | null) => table.results.filter((r) => r.allowed === v).length;
  const unknown = count(null);
  out.push(
    `${table.results.length} flows: ${count(true)} allowed (.), ${count(false)} denied (X)${unknown ? `, ${unknown} not measured (?)` : ''}` +
      ' — rows are sources, columns destinations; a blank cell was not probed',
  );
  return out.join('\n');
}

function compareGroup(a: string, b: string): number {
  const [pa, na] = a.split('/');
  const [pb, nb] = b.split('/');
  return Number(na) - Number(nb) || (pa ?? '').localeCompare(pb ?? '');
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

function center(s: string, width: number): string {
  const left = Math.floor((width - s.length) / 2);
  return ' '.repeat(left) + s + ' '.repeat(width - s.length - left);
}

/** Cell-by-cell comparison of two tables over the flows of `expected` (e.g. engine vs live probes). */
export function compareTables(expected: TruthTable, observed: TruthTable): { correct: number; wrong: ProbeResult[]; missing: number } {
  const key = (r: ProbeResult) => `${r.from}|${r.to}|${r.protocol}|${r.port}`;
  const seen = new Map(observed.results.map((r) => [key(r), r]));
  const wrong: ProbeResult[] = [];
  let correct = 0;
  let missing = 0;
  for (const e of expected.results) {
    const o = seen.get(key(e));
    if (!o || o.allowed === null) missing++;
    else if (o.allowed === e.allowed) correct++;
    else wrong.push(o);
  }
  return { correct, wrong, missing };
}
