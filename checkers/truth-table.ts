/**
 * @module
 * The one result type shared by the engine, live probes, the grader and every printer.
 * A TruthTable holds, per port/protocol, a froms × tos matrix of cells — allowed, denied,
 * not measured (null) or not probed — in a byte array, because a 1,000-pod cluster is a
 * million flows. ProbeResult is the row form for JSON, evidence and small lists. Printed
 * as upstream netpol e2e tests and cyclonus do: `.` allowed, `X` denied.
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

/** A probed flow without evidence. */
export type Cell = Pick<ProbeResult, 'from' | 'to' | 'port' | 'protocol' | 'allowed'>;

const NOT_PROBED = 0;
const ALLOWED = 1;
const DENIED = 2;
const UNKNOWN = 3;

interface Group {
  port: number;
  protocol: Protocol;
  values: Uint8Array;
}

export class TruthTable {
  readonly froms: readonly string[];
  readonly tos: readonly string[];
  private readonly groups = new Map<string, Group>();
  private readonly fromIndex: Map<string, number>;
  private readonly toIndex: Map<string, number>;

  constructor(froms: readonly string[], tos: readonly string[]) {
    this.froms = froms;
    this.tos = tos;
    this.fromIndex = new Map(froms.map((f, i) => [f, i]));
    this.toIndex = new Map(tos.map((t, i) => [t, i]));
  }

  static fromResults(list: readonly Cell[]): TruthTable {
    const t = new TruthTable([...new Set(list.map((r) => r.from))], [...new Set(list.map((r) => r.to))]);
    for (const r of list) t.set(t.fromIndex.get(r.from)!, t.toIndex.get(r.to)!, r.port, r.protocol, r.allowed);
    return t;
  }

  /** Records a cell by row and column index (the fast path for large matrices). */
  set(from: number, to: number, port: number, protocol: Protocol, allowed: boolean | null): void {
    const key = `${protocol}/${port}`;
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = { port, protocol, values: new Uint8Array(this.froms.length * this.tos.length) }));
    g.values[from * this.tos.length + to] = allowed === true ? ALLOWED : allowed === false ? DENIED : UNKNOWN;
  }

  /** undefined when the flow was not probed. */
  get(from: string, to: string, port: number, protocol: Protocol): boolean | null | undefined {
    const g = this.groups.get(`${protocol}/${port}`);
    const f = this.fromIndex.get(from);
    const t = this.toIndex.get(to);
    if (!g || f === undefined || t === undefined) return undefined;
    return decode(g.values[f * this.tos.length + t]!);
  }

  /** Every probed flow, grouped by port/protocol (ascending port), then row, then column. */
  *cells(): Generator<Cell> {
    for (const g of this.sortedGroups()) {
      for (let f = 0; f < this.froms.length; f++) {
        for (let t = 0; t < this.tos.length; t++) {
          const v = decode(g.values[f * this.tos.length + t]!);
          if (v !== undefined) yield { from: this.froms[f]!, to: this.tos[t]!, port: g.port, protocol: g.protocol, allowed: v };
        }
      }
    }
  }

  counts(): { total: number; allowed: number; denied: number; unknown: number } {
    const c = { total: 0, allowed: 0, denied: 0, unknown: 0 };
    for (const g of this.groups.values()) {
      for (const v of g.values) {
        if (v === NOT_PROBED) continue;
        c.total++;
        if (v === ALLOWED) c.allowed++;
        else if (v === DENIED) c.denied++;
        else c.unknown++;
      }
    }
    return c;
  }

  sortedGroups(): Group[] {
    return [...this.groups.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
  }
}

function decode(v: number): boolean | null | undefined {
  return v === ALLOWED ? true : v === DENIED ? false : v === UNKNOWN ? null : undefined;
}

const mark = (v: boolean | null | undefined) => (v === true ? '.' : v === false ? 'X' : v === null ? '?' : ' ');

/** One matrix per port/protocol (rows: sources, columns: destinations), then a count and a legend. */
export function renderMatrix(table: TruthTable): string {
  const out: string[] = [];
  for (const g of table.sortedGroups()) {
    const key = `${g.protocol}/${g.port}`;
    const n = table.tos.length;
    const rows = table.froms.map((_, f) => f).filter((f) => g.values.subarray(f * n, f * n + n).some((v) => v !== NOT_PROBED));
    const cols = table.tos.map((_, t) => t).filter((t) => rows.some((f) => g.values[f * n + t] !== NOT_PROBED));
    const rowWidth = Math.max(key.length, ...rows.map((f) => table.froms[f]!.length));
    out.push([key.padEnd(rowWidth), ...cols.map((t) => table.tos[t]!)].join('  '));
    for (const f of rows) {
      const marks = cols.map((t) => center(mark(decode(g.values[f * n + t]!)), table.tos[t]!.length));
      out.push([table.froms[f]!.padEnd(rowWidth), ...marks].join('  ').trimEnd());
    }
    out.push('');
  }
  const c = table.counts();
  out.push(
    `${c.total} flows: ${c.allowed} allowed (.), ${c.denied} denied (X)${c.unknown ? `, ${c.unknown} not measured (?)` : ''}` +
      ' — rows are sources, columns destinations; a blank cell was not probed',
  );
  return out.join('\n');
}

function center(s: string, width: number): string {
  const left = Math.floor((width - s.length) / 2);
  return ' '.repeat(left) + s + ' '.repeat(Math.max(0, width - s.length - left));
}

/** Cell-by-cell comparison over the flows of `expected` (e.g. engine vs live probes). */
export function compareTables(expected: TruthTable, observed: TruthTable): { correct: number; wrong: Cell[]; missing: Cell[] } {
  const wrong: Cell[] = [];
  const missing: Cell[] = [];
  let correct = 0;
  for (const e of expected.cells()) {
    const o = observed.get(e.from, e.to, e.port, e.protocol);
    if (o === undefined || o === null) missing.push(e);
    else if (o === e.allowed) correct++;
    else wrong.push({ ...e, allowed: o });
  }
  return { correct, wrong, missing };
}
