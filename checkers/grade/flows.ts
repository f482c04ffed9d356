/**
 * @module
 * One flow through the engine, judged as a check wants it: the whole flow, or only the
 * source's egress or the destination's ingress, with the reason in plain words.
 */
import { evaluate, ruleName, type Cluster, type DirectionVerdict, type Flow, type Protocol } from '../engine/index.ts';
import type { ProbeResult } from '../truth-table.ts';
import type { Target } from './endpoints.ts';

export type Side = 'egress' | 'ingress' | undefined;

export function probe(cluster: Cluster, from: Target, to: Target, port: number, protocol: Protocol, side: Side = undefined): ProbeResult {
  const flow: Flow = { from: from.endpoint, to: to.endpoint, port, protocol };
  const v = evaluate(cluster, flow);
  const base = { from: from.name, to: to.name, port, protocol, ingress: v.ingress, egress: v.egress };
  if (side === undefined) return { ...base, allowed: v.allowed, reason: v.reason };
  const d = v[side];
  const [self, peer] = side === 'egress' ? [from.name, to.name] : [to.name, from.name];
  return { ...base, allowed: d.allowed, reason: sideReason(self, peer, side, d, `${protocol} ${port}`) };
}

function sideReason(self: string, peer: string, side: 'egress' | 'ingress', d: DirectionVerdict, port: string): string {
  const verb = side === 'egress' ? 'to' : 'from';
  if (!d.applies) return `allowed: ${self} is outside the cluster (no ${side} policy applies)`;
  if (d.isolatedBy.length === 0) return `allowed: no policy isolates ${self} for ${side}`;
  if (d.allowed) return `allowed: ${side} of ${self} ${verb} ${peer} on ${port} allowed by ${d.allowedBy.map(ruleName).join(', ')}`;
  return `denied: ${self} is isolated for ${side} by ${d.isolatedBy.join(' and ')} and no ${side} rule allows ${peer} on ${port}`;
}

/** "data/api -> data/postgres TCP 5432 denied: …" — the form explanations use. */
export function describeProbe(p: ProbeResult): string {
  const [verdict, ...rest] = p.reason.split(': ');
  return `${p.from} -> ${p.to} ${p.protocol} ${p.port} ${verdict}: ${rest.join(': ')}`;
}
