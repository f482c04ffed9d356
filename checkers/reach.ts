/**
 * @module
 * Which flows to probe, and the engine's answer for each: every ordered pair of
 * distinct pods on every port the destination declares, narrowed by from/to/port/protocol.
 */
import { errors } from './errors.ts';
import { evaluate, isAllowed, resolveEndpoint, type Cluster, type Endpoint, type Protocol, type Resolved } from './engine/index.ts';
import { TruthTable, type ProbeResult } from './truth-table.ts';

export interface ReachQuery {
  from?: Endpoint;
  to?: Endpoint;
  /** A number, or a container port name resolved against each destination pod. */
  port?: number | string;
  protocol?: Protocol;
}

interface Target {
  name: string;
  resolved: Resolved;
}

interface Probe {
  from: Target;
  to: Target;
  fromIndex: number;
  toIndex: number;
  port: number;
  protocol: Protocol;
}

/** The matrix, fast: no evidence is collected. */
export function reach(cluster: Cluster, q: ReachQuery): TruthTable {
  const { sources, dests } = endpoints(cluster, q);
  const table = new TruthTable(
    sources.map((s) => s.name),
    dests.map((d) => d.name),
  );
  forEachProbe(sources, dests, q, (p) =>
    table.set(p.fromIndex, p.toIndex, p.port, p.protocol, isAllowed(cluster, p.from.resolved, p.to.resolved, p.port, p.protocol)),
  );
  return table;
}

/** The same flows, in the same order, with a reason and per-direction evidence for each (for JSON and the grader). */
export function reachResults(cluster: Cluster, q: ReachQuery): ProbeResult[] {
  return [...reach(cluster, q).cells()].map((cell) => {
    const v = evaluate(cluster, { from: endpointNamed(cell.from), to: endpointNamed(cell.to), port: cell.port, protocol: cell.protocol });
    return { ...cell, allowed: v.allowed, reason: v.reason, ingress: v.ingress, egress: v.egress };
  });
}

/** `ns/pod` or an address, as the table names them. */
function endpointNamed(name: string): Endpoint {
  const slash = name.indexOf('/');
  return slash > 0 && !name.includes(':') ? { kind: 'pod', namespace: name.slice(0, slash), name: name.slice(slash + 1) } : { kind: 'ip', ip: name };
}

function endpoints(cluster: Cluster, q: ReachQuery): { sources: Target[]; dests: Target[] } {
  const all = () => cluster.pods.map((pod) => ({ name: `${pod.namespace}/${pod.name}`, resolved: { pod, ip: pod.ips[0]! } }));
  return { sources: q.from ? [target(cluster, q.from)] : all(), dests: q.to ? [target(cluster, q.to)] : all() };
}

function forEachProbe(sources: Target[], dests: Target[], q: ReachQuery, fn: (p: Probe) => void): void {
  const explicitPair = !!(q.from && q.to);
  dests.forEach((to, toIndex) => {
    const ports = portsOf(to, q, !!q.to);
    if (ports.length === 0) return;
    const family = to.resolved.ip.family;
    sources.forEach((from0, fromIndex) => {
      // Distinct pairs only when we enumerate; an explicit --from/--to pair is probed as asked.
      if (!explicitPair && from0.resolved.pod && from0.resolved.pod === to.resolved.pod) return;
      const from = sameFamily(from0, family);
      for (const { port, protocol } of ports) fn({ from, to, fromIndex, toIndex, port, protocol });
    });
  });
}

function target(cluster: Cluster, e: Endpoint): Target {
  const resolved = resolveEndpoint(cluster, e, undefined);
  return { name: e.kind === 'pod' ? `${e.namespace}/${e.name}` : e.ip, resolved };
}

/** Dual-stack sources speak the destination's family. */
function sameFamily(t: Target, family: 4 | 6): Target {
  const pod = t.resolved.pod;
  if (!pod || t.resolved.ip.family === family) return t;
  const ip = pod.ips.find((i) => i.family === family);
  return ip ? { name: t.name, resolved: { pod, ip } } : t;
}


function portsOf(to: Target, q: ReachQuery, explicit: boolean): { port: number; protocol: Protocol }[] {
  const declared = to.resolved.pod?.ports ?? [];
  if (typeof q.port === 'number') {
    const number = q.port;
    if (q.protocol) return [{ port: number, protocol: q.protocol }];
    const protos = [...new Set(declared.filter((d) => d.port === number).map((d) => d.protocol))];
    return (protos.length > 0 ? protos : (['TCP'] as const)).map((protocol) => ({ port: number, protocol }));
  }
  if (typeof q.port === 'string') {
    const named = declared.filter((d) => d.name === q.port && (!q.protocol || d.protocol === q.protocol));
    if (named.length === 0 && explicit) throw errors.unknownPortName(q.port, to.name);
    return named.map((d) => ({ port: d.port, protocol: d.protocol }));
  }
  if (!to.resolved.pod && explicit) throw errors.portRequired(to.name);
  const list = declared.filter((d) => !q.protocol || d.protocol === q.protocol);
  return [...new Map(list.map((d) => [`${d.protocol}/${d.port}`, { port: d.port, protocol: d.protocol }])).values()];
}
