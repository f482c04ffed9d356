/**
 * @module
 * kube-proxy's nftables mode as a pure function: the transaction its syncProxyRules hands to
 * `nft -f -` on a full sync, in the 1.33 layout (pkg/proxy/nftables/proxier.go; notes with
 * sources in docs/research/kube-proxy-nftables.md), so the node's `nft list ruleset` reads
 * like a real node's.
 *
 * Everything lives in one table, `ip kube-proxy`, which nothing else touches: every chain is
 * added and flushed, every set and map flushed and refilled, in one atomic transaction.
 * Services are found by lookups in verdict maps (`service-ips`, `service-nodeports`) instead
 * of a list of rules walked one by one — what makes this mode scale where iptables does not.
 */
import { sha256Base32 } from './chain-names.ts';
import type { ProxyInput } from './model.ts';
import { servicePorts, type ServicePort } from './service-ports.ts';
import { MASQUERADE_MARK } from './iptables.ts';

export const NFT_TABLE = 'kube-proxy';
const T = `ip ${NFT_TABLE}`;

/** The base chains: `${type}-${hook}`, at the numeric priorities knftables writes. */
const BASE_CHAINS: [name: string, type: string, hook: string, priority: number][] = [
  ['filter-prerouting', 'filter', 'prerouting', -110],
  ['filter-input', 'filter', 'input', -110],
  ['filter-forward', 'filter', 'forward', -110],
  ['filter-output', 'filter', 'output', -110],
  ['filter-output-post-dnat', 'filter', 'output', -90],
  ['nat-prerouting', 'nat', 'prerouting', -100],
  ['nat-output', 'nat', 'output', -100],
  ['nat-postrouting', 'nat', 'postrouting', 100],
];

/** Jumps from the base chains, in kube-proxy's order (nftablesJumpChains). */
const JUMPS: [to: string, from: string, match: string][] = [
  ['nodeport-endpoints-check', 'filter-input', 'ct state new'],
  ['service-endpoints-check', 'filter-input', 'ct state new'],
  ['service-endpoints-check', 'filter-forward', 'ct state new'],
  ['service-endpoints-check', 'filter-output', 'ct state new'],
  ['firewall-check', 'filter-prerouting', 'ct state new'],
  ['firewall-check', 'filter-output', 'ct state new'],
  ['services', 'nat-output', ''],
  ['services', 'nat-prerouting', ''],
  ['masquerading', 'nat-postrouting', ''],
  ['cluster-ips-check', 'filter-forward', 'ct state new'],
  ['cluster-ips-check', 'filter-output-post-dnat', 'ct state new'],
];

const KEY3 = 'ipv4_addr . inet_proto . inet_service';
const KEY2 = 'inet_proto . inet_service';
/** Sets and maps: name, `type ...`, comment. */
const SETS: [name: string, type: string, comment: string][] = [
  ['cluster-ips', 'ipv4_addr', 'Active ClusterIPs'],
  ['nodeport-ips', 'ipv4_addr', 'IPs that accept NodePort traffic'],
];
const MAPS: [name: string, type: string, comment: string][] = [
  ['no-endpoint-services', `${KEY3} : verdict`, 'vmap to drop or reject packets to services with no endpoints'],
  ['no-endpoint-nodeports', `${KEY2} : verdict`, 'vmap to drop or reject packets to service nodeports with no endpoints'],
  ['firewall-ips', `${KEY3} : verdict`, 'destinations that are subject to LoadBalancerSourceRanges'],
  ['service-ips', `${KEY3} : verdict`, 'ClusterIP, ExternalIP and LoadBalancer IP traffic'],
  ['service-nodeports', `${KEY2} : verdict`, 'NodePort traffic'],
];

export interface NftOptions {
  /** The Services' range (10.96.0.0/16): traffic to an address in it that no Service has is dropped. */
  serviceCIDR?: string;
  /** Chains now in the table (`nft list chains`): per-service ones this sync does not write are deleted. */
  existingChains?: Iterable<string>;
}

/** The first 8 characters of base32(sha256(name)), then the name: kube-proxy's hashAndTruncate. */
export const hashedName = (name: string): string => `${sha256Base32(name, 8)}-${name}`;

/** `ns/name/proto/portname` (a trailing `/` for an unnamed port): servicePortChainNameBase. */
function chainBase(sp: ServicePort): string {
  const [nsName, port = ''] = sp.spn.split(':') as [string, string?];
  return `${nsName}/${sp.protocol}/${port}`;
}

export const serviceChainName = (sp: ServicePort) => `service-${hashedName(chainBase(sp))}`;
export const externalChainName = (sp: ServicePort) => `external-${hashedName(chainBase(sp))}`;
/** endpoint-HASH-ns/name/proto/port__ip/port. */
export const endpointChainName = (sp: ServicePort, ep: string) => `endpoint-${hashedName(`${chainBase(sp)}__${ep.slice(0, ep.lastIndexOf(':'))}/${ep.slice(ep.lastIndexOf(':') + 1)}`)}`;

/** Per-service chains have a `/` in their name; the stock chains never do (isServiceChainName). */
export const isServiceChain = (chain: string) => chain.includes('/');

const quote = (text: string) => `"${text}"`;

export function kubeProxyNftables(input: ProxyInput, options: NftOptions = {}): string {
  const ports = servicePorts(input);
  // Declarations first (a map element or a rule may only name a chain that exists), then
  // what fills them.
  const decl: string[] = [`add table ${T} { comment ${quote('rules for kube-proxy')} ; }`];
  const out: string[] = [];
  const chain = (name: string, spec = '') => decl.push(`add chain ${T} ${name}${spec}`, `flush chain ${T} ${name}`);
  const rule = (name: string, text: string) => out.push(`add rule ${T} ${name} ${text}`);

  for (const [name, type, hook, priority] of BASE_CHAINS) chain(name, ` { type ${type} hook ${hook} priority ${priority} ; }`);
  for (const name of ['services', 'service-endpoints-check', 'nodeport-endpoints-check', 'firewall-check', 'cluster-ips-check', 'mark-for-masquerade', 'masquerading']) chain(name);
  decl.push(`add chain ${T} reject-chain { comment ${quote('helper for @no-endpoint-services / @no-endpoint-nodeports')} ; }`, `flush chain ${T} reject-chain`);
  for (const [to, from, match] of JUMPS) rule(from, `${match ? `${match} ` : ''}jump ${to}`);
  for (const [name, type, comment] of SETS) decl.push(`add set ${T} ${name} { type ${type} ; comment ${quote(comment)} ; }`, `flush set ${T} ${name}`);
  for (const [name, type, comment] of MAPS) decl.push(`add map ${T} ${name} { type ${type} ; comment ${quote(comment)} ; }`, `flush map ${T} ${name}`);

  // The stock rules.
  rule('reject-chain', 'reject');
  rule('mark-for-masquerade', `mark set mark or ${MASQUERADE_MARK}`);
  rule('masquerading', `mark and ${MASQUERADE_MARK} == 0 return`);
  rule('masquerading', `mark set mark xor ${MASQUERADE_MARK}`);
  rule('masquerading', 'masquerade fully-random');
  rule('services', 'ip daddr . meta l4proto . th dport vmap @service-ips');
  // NodePorts answer on the node's primary address only (nftables mode's default --nodeport-addresses).
  rule('services', 'ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports');
  rule('service-endpoints-check', 'ip daddr . meta l4proto . th dport vmap @no-endpoint-services');
  rule('nodeport-endpoints-check', 'ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports');
  rule('firewall-check', 'ip daddr . meta l4proto . th dport vmap @firewall-ips');
  rule('cluster-ips-check', `ip daddr @cluster-ips reject comment ${quote('Reject traffic to invalid ports of ClusterIPs')}`);
  if (options.serviceCIDR) rule('cluster-ips-check', `ip daddr { ${options.serviceCIDR} } drop comment ${quote('Drop traffic to unallocated ClusterIPs')}`);
  for (const ip of input.nodeIPs) out.push(`add element ${T} nodeport-ips { ${ip} }`);

  const active = new Set<string>();
  for (const ip of new Set(ports.map((sp) => sp.clusterIP))) out.push(`add element ${T} cluster-ips { ${ip} }`);
  for (const sp of ports) writeServicePort(sp, input.clusterCIDR, { chain, rule, out, active });

  // Chains of Services (or endpoints) that are gone: flushed, then deleted — after the maps
  // were flushed above, so nothing refers to them any more (in one transaction, kernel >= 6.2).
  // All flushed before any is deleted: a stale service chain still jumps to its endpoints' chains.
  const stale = [...new Set(options.existingChains ?? [])].filter((name) => isServiceChain(name) && !active.has(name)).sort();
  for (const name of stale) out.push(`flush chain ${T} ${name}`);
  for (const name of stale) out.push(`delete chain ${T} ${name}`);
  return `${[...decl, ...out].join('\n')}\n`;
}

interface Writer {
  chain(name: string, spec?: string): void;
  rule(name: string, text: string): void;
  out: string[];
  active: Set<string>;
}

/** One service port: map elements, and its chains when it has endpoints (none when it has not). */
function writeServicePort(sp: ServicePort, clusterCIDR: string, w: Writer): void {
  const p = sp.protocol;
  const key = `${sp.clusterIP} . ${p} . ${sp.port}`;
  if (sp.endpoints.length === 0) {
    w.out.push(`add element ${T} no-endpoint-services { ${key} comment ${quote(sp.spn)} : goto reject-chain }`);
    for (const lb of sp.loadBalancerIPs) w.out.push(`add element ${T} no-endpoint-services { ${lb} . ${p} . ${sp.port} comment ${quote(sp.spn)} : goto reject-chain }`);
    if (sp.nodePort !== 0) w.out.push(`add element ${T} no-endpoint-nodeports { ${p} . ${sp.nodePort} comment ${quote(sp.spn)} : goto reject-chain }`);
    return;
  }
  const svc = serviceChainName(sp);
  const ext = externalChainName(sp);
  w.out.push(`add element ${T} service-ips { ${key} : goto ${svc} }`);
  if (sp.nodePort !== 0) w.out.push(`add element ${T} service-nodeports { ${p} . ${sp.nodePort} : goto ${ext} }`);
  for (const lb of sp.loadBalancerIPs) w.out.push(`add element ${T} service-ips { ${lb} . ${p} . ${sp.port} : goto ${ext} }`);

  // Traffic to the cluster IP from outside the pod network (the node, say) is masqueraded;
  // then an endpoint is picked at random, one vmap lookup however many there are.
  w.chain(svc);
  w.active.add(svc);
  w.rule(svc, `ip daddr ${sp.clusterIP} ${p} dport ${sp.port} ip saddr != ${clusterCIDR} jump mark-for-masquerade`);
  const choices = sp.endpoints.map((ep, i) => `${i} : goto ${endpointChainName(sp, ep)}`).join(' , ');
  w.rule(svc, `numgen random mod ${sp.endpoints.length} vmap { ${choices} }`);

  // NodePort and load-balancer traffic may cross nodes, so (the Cluster policy) it is always masqueraded.
  if (sp.nodePort !== 0 || sp.loadBalancerIPs.length > 0) {
    w.chain(ext);
    w.active.add(ext);
    w.rule(ext, 'jump mark-for-masquerade');
    w.rule(ext, `goto ${svc}`);
  }

  // One chain per endpoint: a pod that reached itself is masqueraded (hairpin), then DNAT.
  for (const ep of sp.endpoints) {
    const name = endpointChainName(sp, ep);
    w.chain(name);
    w.active.add(name);
    w.rule(name, `ip saddr ${ep.slice(0, ep.lastIndexOf(':'))} jump mark-for-masquerade`);
    w.rule(name, `meta l4proto ${p} dnat to ${ep}`);
  }
}
