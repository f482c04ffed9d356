/**
 * @module
 * Which flows to probe, and the engine's answer for each: every ordered pair of
 * distinct pods on every port the destination declares, narrowed by from/to/port/protocol.
 */
import { errors } from './errors.ts';
import { evaluate, isAllowed, resolveEndpoint, type Cluster, type Endpoint, type Protocol, type Resolved } from './engine/index.ts';
import { formatIP } from './net/ip.ts';
import type { ProbeResult } from './truth-table.ts';

export interface ReachQuery {
  from?: Endpoint;
  to?: Endpoint;
  /** A number, or a container port name resolved against each destination pod. */
  port?: number | string;
  protocol?: Protocol;
  /** Include reason and per-direction evidence (costs time on large matrices). */
  evidence?: boolean;
}

interface Target {
  name: string;
  resolved: Resolved;
}

export function reach(cluster: Cluster, q: ReachQuery): ProbeResult[] {
  const sources = q.from ? [target(cluster, q.from)] : cluster.pods.map((pod) => ({ name: `${pod.namespace}/${pod.name}`, resolved: { pod, ip: pod.ips[0]! } }));
  const dests = q.to ? [target(cluster, q.to)] : cluster.pods.map((pod) => ({ name: `${pod.namespace}/${pod.name}`, resolved: { pod, ip: pod.ips[0]! } }));
  const results: ProbeResult[] = [];
  for (const to of dests) {
    const ports = portsOf(to, q, !!q.to);
    if (ports.length === 0) continue;
    const family = to.resolved.ip.family;
    for (const from0 of sources) {
      // Distinct pairs only when we enumerate; an explicit --from/--to pair is probed as asked.
      if (!(q.from && q.to) && from0.resolved.pod && from0.resolved.pod === to.resolved.pod) continue;
      const from = sameFamily(from0, family);
      for (const { port, protocol } of ports) {
        if (q.evidence) {
          const flow = { from: endpointOf(from), to: endpointOf(to), port, protocol };
          const v = evaluate(cluster, flow);
          results.push({ from: from.name, to: to.name, port, protocol, allowed: v.allowed, reason: v.reason, ingress: v.ingress, egress: v.egress });
        } else {
          results.push({ from: from.name, to: to.name, port, protocol, allowed: isAllowed(cluster, from.resolved, to.resolved, port, protocol), reason: '' });
        }
      }
    }
  }
  return results;
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

function endpointOf(t: Target): Endpoint {
  const pod = t.resolved.pod;
  return pod ? { kind: 'pod', namespace: pod.namespace, name: pod.name } : { kind: 'ip', ip: formatIP(t.resolved.ip) };
}

function portsOf(to: Target, q: ReachQuery, explicit: boolean): { port: number; protocol: Protocol }[] {
  const declared = to.resolved.pod?.ports ?? [];
  if (typeof q.port === 'number') {
    if (q.protocol) return [{ port: q.port, protocol: q.protocol }];
    const protos = declared.filter((d) => d.port === q.port).map((d) => d.protocol);
    return (protos.length > 0 ? [...new Set(protos)] : (['TCP'] as const)).map((protocol) => ({ port: q.port as number, protocol }));
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
