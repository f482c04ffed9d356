/**
 * @module
 * Decides one flow. A flow is allowed only if the source's egress AND the destination's
 * ingress allow it; each side is open unless some policy isolates the pod for that
 * direction, and then open only to what some rule of those policies admits (the union).
 */
import { errors } from '../errors.ts';
import { explain } from './explain.ts';
import { cidrContains, formatIP, parseIP, type Family, type IP } from '../net/ip.ts';
import type { Cluster, Direction, DirectionVerdict, Endpoint, Flow, Peer, PodInfo, PortMatch, Protocol, RuleRef, Verdict } from './types.ts';

/** A flow's endpoints after lookup: a pod of the cluster, or an address outside it. */
export type Resolved = { pod: PodInfo; ip: IP } | { pod: undefined; ip: IP };

export function evaluate(cluster: Cluster, flow: Flow): Verdict {
  const to = resolveEndpoint(cluster, flow.to, undefined);
  const from = resolveEndpoint(cluster, flow.from, to.ip.family);
  const egress = decide(cluster, 'egress', from, to, flow.port, flow.protocol, true);
  const ingress = decide(cluster, 'ingress', to, from, flow.port, flow.protocol, true);
  return { allowed: egress.allowed && ingress.allowed, reason: explain(flow, egress, ingress), egress, ingress };
}

/** Same answer as evaluate(), without collecting evidence: for large matrices. */
export function isAllowed(cluster: Cluster, from: Resolved, to: Resolved, port: number, protocol: Protocol): boolean {
  return (
    decide(cluster, 'egress', from, to, port, protocol, false).allowed && decide(cluster, 'ingress', to, from, port, protocol, false).allowed
  );
}

/**
 * An IP that belongs to a pod is that pod (that is what the network sees). A pod endpoint
 * uses its address of the flow's family (the destination's, or the primary one).
 */
export function resolveEndpoint(cluster: Cluster, e: Endpoint, family: Family | undefined): Resolved {
  if (e.kind === 'pod') {
    const pod = cluster.podByKey.get(`${e.namespace}/${e.name}`);
    if (!pod) throw errors.unknownPod(`${e.namespace}/${e.name}`, [...cluster.podByKey.keys()].slice(0, 8).join(', '));
    const ip = pod.ips.find((i) => i.family === family) ?? pod.ips[0]!;
    return { pod, ip };
  }
  const ip = parseIP(e.ip);
  if (!ip) throw errors.badEndpoint('--to', e.ip);
  const pod = cluster.podByIP.get(formatIP(ip));
  return pod ? { pod, ip } : { pod: undefined, ip };
}

const OPEN: DirectionVerdict = Object.freeze({ applies: false, isolatedBy: [], allowedBy: [], allowed: true });
// The no-evidence path returns shared constants: a 1,000-pod matrix is a million flows, and allocation dominates.
const FAST_ALLOWED: DirectionVerdict = Object.freeze({ applies: true, isolatedBy: [], allowedBy: [], allowed: true });
const FAST_DENIED: DirectionVerdict = Object.freeze({ applies: true, isolatedBy: [], allowedBy: [], allowed: false });

function decide(
  cluster: Cluster,
  direction: Direction,
  self: Resolved,
  peer: Resolved,
  port: number,
  protocol: Protocol,
  collect: boolean,
): DirectionVerdict {
  // Policies govern pods only: traffic leaving or entering an outside address is not theirs to stop.
  if (!self.pod) return OPEN;
  const policies = cluster.isolatedBy[direction][self.pod.index]!;
  if (policies.length === 0) return collect ? { applies: true, isolatedBy: [], allowedBy: [], allowed: true } : FAST_ALLOWED;
  // Named ports are resolved against the destination pod, whichever side is being decided.
  const dst = direction === 'ingress' ? self.pod : peer.pod;
  const allowedBy: RuleRef[] = [];
  for (const policy of policies) {
    for (const rule of policy[direction]) {
      if (!anyPort(rule.ports, port, protocol, dst) || !anyPeer(rule.peers, peer)) continue;
      if (!collect) return FAST_ALLOWED;
      allowedBy.push(rule.ref);
    }
  }
  if (!collect) return FAST_DENIED;
  return { applies: true, isolatedBy: policies.map((p) => `${p.ref.namespace}/${p.ref.name}`), allowedBy, allowed: allowedBy.length > 0 };
}

function anyPort(list: PortMatch[], port: number, protocol: Protocol, dst: PodInfo | undefined): boolean {
  for (const m of list) if (portMatches(m, port, protocol, dst)) return true;
  return false;
}

function anyPeer(list: Peer[], peer: Resolved): boolean {
  for (const p of list) if (peerMatches(p, peer)) return true;
  return false;
}

export function portMatches(m: PortMatch, port: number, protocol: Protocol, dst: PodInfo | undefined): boolean {
  switch (m.type) {
    case 'all':
      return true;
    case 'protocol':
      return m.protocol === protocol;
    case 'range':
      return m.protocol === protocol && port >= m.from && port <= m.to;
    case 'named':
      // An address outside the cluster has no container ports, so a name can never match it.
      return m.protocol === protocol && !!dst && dst.ports.some((d) => d.name === m.name && d.protocol === protocol && d.port === port);
  }
}

export function peerMatches(p: Peer, peer: Resolved): boolean {
  switch (p.type) {
    case 'any':
      return true;
    case 'pods':
      return !!peer.pod && p.pods.has(peer.pod.index);
    case 'ip':
      if (peer.pod) return p.pods[peer.ip.family].has(peer.pod.index);
      return cidrContains(p.cidr, peer.ip) && !p.except.some((e) => cidrContains(e, peer.ip));
  }
}
