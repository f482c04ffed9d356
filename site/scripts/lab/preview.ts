/**
 * @module
 * The live reachability preview: the NetworkPolicy engine, running in the browser, computes
 * which of the lab's pods can reach which — in the task's start state, and with the learner's
 * draft applied on top — so every flow the draft changes can be shown while they type. The
 * same checkers grade answers in the CLI and the runner, so the preview and Check agree.
 */
import { FlatnetError, type Warning } from '../../../checkers/errors.ts';
import { evaluate, type Cluster, type Endpoint, type Protocol } from '../../../checkers/engine/index.ts';
import { startLayers } from '../../../checkers/grade/grade.ts';
import { buildWorld } from '../../../checkers/grade/world.ts';
import { BASELINE } from '../../../checkers/lab/baseline.ts';
import { parseLab } from '../../../checkers/lab/parse.ts';
import { sourceManifests, type LabBundle } from '../../../checkers/lab/sources.ts';

/** An address outside the cluster (TEST-NET-3), standing for "the internet". */
export const OUTSIDE = '203.0.113.10';

export interface Column {
  /** The pod (or address), then protocol/port on a line of its own. */
  label: string;
  portLabel: string;
  to: Endpoint;
  port: number;
  protocol: Protocol;
}

export interface Cell {
  allowed: boolean | null;
  reason: string;
}

export interface Matrix {
  rows: { label: string; from: Endpoint }[];
  columns: Column[];
  /** cells[row][column]: null where source and destination are the same pod. */
  cells: (Cell | null)[][];
}

export interface Problem {
  line: number;
  message: string;
  severity: 'error' | 'warning';
}

export interface PreviewResult {
  before: Matrix;
  /** Undefined when the draft does not parse or build: `problems` says why. */
  after?: Matrix;
  problems: Problem[];
}

export function bundleOf(source: { yaml: string; files: Record<string, string> }, labId: string): LabBundle {
  const parsed = parseLab(source.yaml, `labs/${labId}/lab.yaml`);
  return { ...parsed, files: new Map(Object.entries(source.files)) };
}

/** Rows: the lab's pods. Columns: each declared port of each, then CoreDNS and the outside world. */
function shape(bundle: LabBundle): Pick<Matrix, 'rows' | 'columns'> {
  const pods = bundle.lab.setup.pods;
  // Pods of the lab's main namespace go by their name alone; others by namespace/name.
  const home = bundle.lab.setup.namespaces[0]?.name ?? pods[0]?.namespace;
  const podName = (p: { namespace: string; name: string }) => (p.namespace === home ? p.name : `${p.namespace}/${p.name}`);
  const rows = pods.map((p) => ({ label: podName(p), from: { kind: 'pod' as const, namespace: p.namespace, name: p.name } }));
  const columns: Column[] = pods.flatMap((p) =>
    p.ports.map((port) => ({ label: podName(p), portLabel: `${port.protocol}/${port.port}`, to: { kind: 'pod' as const, namespace: p.namespace, name: p.name }, port: port.port, protocol: port.protocol })),
  );
  const dns = BASELINE.pods[0]!;
  for (const protocol of ['UDP', 'TCP'] as const) {
    columns.push({ label: 'CoreDNS', portLabel: `${protocol}/53`, to: { kind: 'pod', namespace: dns.namespace, name: dns.name }, port: 53, protocol });
  }
  columns.push({ label: 'outside', portLabel: 'TCP/443', to: { kind: 'ip', ip: OUTSIDE }, port: 443, protocol: 'TCP' });
  return { rows, columns };
}

function matrix(cluster: Cluster, s: Pick<Matrix, 'rows' | 'columns'>): Matrix {
  const same = (a: Endpoint, b: Endpoint) => a.kind === 'pod' && b.kind === 'pod' && a.namespace === b.namespace && a.name === b.name;
  const cells = s.rows.map((r) =>
    s.columns.map((c) => {
      if (same(r.from, c.to)) return null;
      try {
        const v = evaluate(cluster, { from: r.from, to: c.to, port: c.port, protocol: c.protocol });
        return { allowed: v.allowed, reason: v.reason };
      } catch (e) {
        return { allowed: null, reason: e instanceof Error ? e.message : String(e) };
      }
    }),
  );
  return { ...s, cells };
}

function problemsOf(e: unknown): Problem[] {
  if (e instanceof FlatnetError) {
    const list = e.details.length > 0 ? e.details : [e];
    return list.map((d) => ({ line: d.where.line ?? 1, message: `${d.where.field ? `${d.where.field}: ` : ''}${d.message}${d.fix ? ` — ${d.fix}` : ''}`, severity: 'error' }));
  }
  return [{ line: 1, message: e instanceof Error ? e.message : String(e), severity: 'error' }];
}

const warningOf = (w: Warning): Problem => ({ line: w.where.line ?? 1, message: w.message, severity: 'warning' });

export function createPreview(bundle: LabBundle, taskIndex: number): (draft: string) => PreviewResult {
  const layers = startLayers(bundle, taskIndex);
  const s = shape(bundle);
  const before = matrix(buildWorld(layers).cluster, s);
  return (draft) => {
    try {
      const answer = sourceManifests({ text: draft, file: 'answer.yaml', lineOffset: 0 });
      const world = buildWorld([...layers, answer]);
      return { before, after: matrix(world.cluster, s), problems: world.warnings.filter((w) => w.where.file === 'answer.yaml' || w.where.file === undefined).map(warningOf) };
    } catch (e) {
      return { before, problems: problemsOf(e) };
    }
  };
}
