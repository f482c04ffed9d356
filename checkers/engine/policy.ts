/**
 * @module
 * NetworkPolicy → CompiledPolicy: defaulting exactly as the API server does it,
 * and every peer resolved to the set of pods it admits.
 */
import type { Warning } from '../errors.ts';
import type { Sourced } from '../k8s/objects.ts';
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from '../k8s/schema/network-policy.ts';
import { cidrContains, parseCIDR, type CIDR, type Family } from '../net/ip.ts';
import { Bitset } from './bitset.ts';
import { compileSelector, formatSelector } from './selector.ts';
import type { CompiledPolicy, Direction, NamespaceInfo, Peer, PodInfo, PortMatch, Rule } from './types.ts';

export interface CompileContext {
  pods: PodInfo[];
  namespaces: Map<string, NamespaceInfo>;
  warnings: Warning[];
}

/**
 * policyTypes defaulting (k8s.io/api networking/v1 SetDefaults_NetworkPolicy): when the list is
 * absent or empty, Ingress always, and Egress only when spec.egress holds at least one rule —
 * so `egress: []` alone isolates nothing.
 */
export function defaultPolicyTypes(spec: NetworkPolicy['spec']): Record<Direction, boolean> {
  const types = spec.policyTypes ?? [];
  if (types.length === 0) return { ingress: true, egress: (spec.egress?.length ?? 0) > 0 };
  return { ingress: types.includes('Ingress'), egress: types.includes('Egress') };
}

export function compilePolicy(src: Sourced<NetworkPolicy>, ctx: CompileContext): CompiledPolicy {
  const np = src.object;
  const namespace = np.metadata.namespace ?? 'default';
  const ref = { namespace, name: np.metadata.name };
  const isolates = defaultPolicyTypes(np.spec);
  warnIgnoredRules(src, isolates, ctx);

  const rules = (direction: Direction): Rule[] => {
    const list = direction === 'ingress' ? np.spec.ingress : np.spec.egress;
    return (list ?? []).map((r, index) => {
      const peersRaw = direction === 'ingress' ? (r as { from?: NetworkPolicyPeer[] }).from : (r as { to?: NetworkPolicyPeer[] }).to;
      return {
        ref: { policy: ref, direction, index },
        // An absent or empty from/to admits every peer, inside or outside the cluster.
        peers: peersRaw && peersRaw.length > 0 ? peersRaw.map((p, i) => compilePeer(p, i, namespace, ctx)) : [{ type: 'any' }],
        // An absent or empty ports list admits every port and protocol.
        ports: r.ports && r.ports.length > 0 ? r.ports.map(compilePort) : [{ type: 'all' }],
      };
    });
  };
  warnUnknownNamedPorts(src, ctx);
  const selector = compileSelector(np.spec.podSelector);
  const selects = new Bitset(ctx.pods.length);
  for (const pod of ctx.pods) if (pod.namespace === namespace && selector(pod.labels)) selects.add(pod.index);
  return { ref, where: src.where, selects, isolates, ingress: isolates.ingress ? rules('ingress') : [], egress: isolates.egress ? rules('egress') : [] };
}

function compilePeer(p: NetworkPolicyPeer, index: number, policyNs: string, ctx: CompileContext): Peer {
  if (p.ipBlock) {
    const cidr = parseCIDR(p.ipBlock.cidr) as CIDR; // validated by the schema
    const except = (p.ipBlock.except ?? []).map((e) => parseCIDR(e) as CIDR);
    const pods: Record<Family, Bitset> = { 4: new Bitset(ctx.pods.length), 6: new Bitset(ctx.pods.length) };
    for (const pod of ctx.pods) {
      for (const ip of pod.ips) {
        if (cidrContains(cidr, ip) && !except.some((e) => cidrContains(e, ip))) pods[ip.family].add(pod.index);
      }
    }
    return { type: 'ip', index, cidr, except, pods };
  }
  // podSelector alone: the policy's namespace. namespaceSelector alone: all pods there. Both: AND.
  const podOk = p.podSelector ? compileSelector(p.podSelector) : () => true;
  const nsOk = p.namespaceSelector ? compileSelector(p.namespaceSelector) : undefined;
  const pods = new Bitset(ctx.pods.length);
  for (const pod of ctx.pods) {
    const inNs = nsOk ? nsOk(ctx.namespaces.get(pod.namespace)?.labels ?? {}) : pod.namespace === policyNs;
    if (inNs && podOk(pod.labels)) pods.add(pod.index);
  }
  return { type: 'pods', index, pods, text: describePeer(p, policyNs) };
}

function describePeer(p: NetworkPolicyPeer, policyNs: string): string {
  const pods = p.podSelector ? (formatSelector(p.podSelector) === '{}' ? 'all pods' : `pods ${formatSelector(p.podSelector)}`) : 'all pods';
  if (!p.namespaceSelector) return `${pods} in namespace ${policyNs}`;
  const ns = formatSelector(p.namespaceSelector);
  return ns === '{}' ? `${pods} in all namespaces` : `${pods} in namespaces ${ns}`;
}

function compilePort(p: NetworkPolicyPort): PortMatch {
  const protocol = p.protocol ?? 'TCP';
  if (p.port === undefined) return { type: 'protocol', protocol };
  if (typeof p.port === 'string') return { type: 'named', protocol, name: p.port };
  return { type: 'range', protocol, from: p.port, to: p.endPort ?? p.port };
}

function warnIgnoredRules(src: Sourced<NetworkPolicy>, isolates: Record<Direction, boolean>, ctx: CompileContext): void {
  const spec = src.object.spec;
  for (const [dir, list, type] of [
    ['egress', spec.egress, 'Egress'],
    ['ingress', spec.ingress, 'Ingress'],
  ] as const) {
    if (!isolates[dir] && (list?.length ?? 0) > 0) {
      ctx.warnings.push({
        code: 'RulesIgnored',
        message: `spec.${dir} has rules but policyTypes does not list ${type}, so Kubernetes ignores them — add ${type} to policyTypes`,
        where: src.at(['spec', 'policyTypes']),
      });
    }
  }
}

/** A named port that no container declares matches nothing: legal, but almost always a typo. */
function warnUnknownNamedPorts(src: Sourced<NetworkPolicy>, ctx: CompileContext): void {
  const declared = new Set(ctx.pods.flatMap((p) => p.ports.map((d) => `${d.name}/${d.protocol}`)));
  for (const dir of ['ingress', 'egress'] as const) {
    (src.object.spec[dir] ?? []).forEach((rule, r) => {
      (rule.ports ?? []).forEach((port, i) => {
        if (typeof port.port !== 'string') return;
        const protocol = port.protocol ?? 'TCP';
        if (declared.has(`${port.port}/${protocol}`)) return;
        ctx.warnings.push({
          code: 'UnknownNamedPort',
          message: `named port "${port.port}" (${protocol}) is not declared by any container (spec.containers[].ports[].name), so this port entry matches no traffic — use the port number or the container port's name`,
          where: src.at(['spec', dir, r, 'ports', i, 'port']),
        });
      });
    });
  }
}
