/**
 * @module
 * kube-proxy's iptables mode as a pure function: the `*filter` and `*nat` sections its
 * syncProxyRules hands to `iptables-restore --noflush`, written the same way, so the node's
 * `iptables-save` reads like a real node's.
 *
 * Each section declares (and so flushes) only the KUBE-* chains kube-proxy owns, and never
 * touches PREROUTING, OUTPUT, POSTROUTING, INPUT or FORWARD: the jumps from those are
 * ensured one by one by apply.ts (see jump-chains.ts), exactly as kube-proxy does.
 */
import { isServiceChainName } from './chain-names.ts';
import type { ProxyInput } from './model.ts';
import { servicePorts } from './service-ports.ts';
import { chainLine, comment, rule, writeServicePort, type Tables } from './service-rules.ts';

/** 1 << 14: kube-proxy's default --iptables-masquerade-bit. */
export const MASQUERADE_MARK = '0x4000';
const LARGE_CLUSTER_ENDPOINTS = 1000;

export interface RulesOptions {
  /** iptables can do `MASQUERADE --random-fully` (kube-proxy's HasRandomFully). Default true. */
  randomFully?: boolean;
  /**
   * NodePorts also answer on 127.0.0.1 (kube-proxy's --iptables-localhost-nodeports, on by
   * default for IPv4). Needs net.ipv4.conf.all.route_localnet=1 on the node. Default true.
   */
  localhostNodePorts?: boolean;
  /** Chains now in the nat table (iptables-save): stale KUBE-SVC/SEP/EXT/... chains are deleted. */
  existingNatChains?: Iterable<string>;
}

export function kubeProxyRules(input: ProxyInput, options: RulesOptions = {}): { nat: string; filter: string } {
  const { randomFully = true, localhostNodePorts = true } = options;
  const ports = servicePorts(input);
  const t: Tables = { filterChains: [], filterRules: [], natChains: [], natRules: [], activeNatChains: new Set() };

  // The top-level chains, always declared so every sync starts them empty.
  for (const c of ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL']) t.filterChains.push(chainLine(c));
  for (const c of ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ']) t.natChains.push(chainLine(c));

  // Masquerade is two steps: KUBE-MARK-MASQ marks a packet wherever the decision is made,
  // KUBE-POSTROUTING masquerades marked packets once the output interface is known. The mark
  // is cleared first so a packet that passes through the stack again is not masqueraded twice.
  const mark = `${MASQUERADE_MARK}/${MASQUERADE_MARK}`;
  t.natRules.push(rule('-A', 'KUBE-POSTROUTING', '-m', 'mark', '!', '--mark', mark, '-j', 'RETURN'));
  t.natRules.push(rule('-A', 'KUBE-POSTROUTING', '-j', 'MARK', '--xor-mark', MASQUERADE_MARK));
  t.natRules.push(rule('-A', 'KUBE-POSTROUTING', ...comment('kubernetes service traffic requiring SNAT'), '-j', 'MASQUERADE', ...(randomFully ? ['--random-fully'] : [])));
  t.natRules.push(rule('-A', 'KUBE-MARK-MASQ', '-j', 'MARK', '--or-mark', MASQUERADE_MARK));

  // route_localnet lets 127.0.0.1 be routed, which would expose local-only servers to the
  // network (https://issues.k8s.io/90259); this kubelet-identical rule closes that hole.
  if (localhostNodePorts) {
    t.filterChains.push(chainLine('KUBE-FIREWALL'));
    t.filterRules.push(rule('-A', 'KUBE-FIREWALL', ...comment('block incoming localnet connections'), '-d', '127.0.0.0/8', '!', '-s', '127.0.0.0/8', '-m', 'conntrack', '!', '--ctstate', 'RELATED,ESTABLISHED,DNAT', '-j', 'DROP'));
  }

  const totalEndpoints = ports.reduce((n, sp) => n + sp.endpoints.length, 0);
  const ctx = { clusterCIDR: input.clusterCIDR, largeClusterMode: totalEndpoints > LARGE_CLUSTER_ENDPOINTS };
  for (const sp of ports) writeServicePort(t, sp, ctx);

  // Chains from an earlier sync that nothing uses now: a chain line flushes, -X deletes.
  for (const chain of [...new Set(options.existingNatChains ?? [])].sort()) {
    if (!isServiceChainName(chain) || t.activeNatChains.has(chain)) continue;
    t.natChains.push(chainLine(chain));
    t.natRules.push(rule('-X', chain));
  }

  // Node ports last (kube-proxy: "after all other service portal rules"), so a service
  // address that is also local is matched by its own rule before any node port.
  const localOnly = localhostNodePorts ? [] : ['!', '-d', '127.0.0.0/8'];
  t.natRules.push(rule('-A', 'KUBE-SERVICES', ...comment('kubernetes service nodeports; NOTE: this must be the last rule in this chain'), '-m', 'addrtype', '--dst-type', 'LOCAL', ...localOnly, '-j', 'KUBE-NODEPORTS'));

  // Forwarding: drop INVALID packets (they would otherwise reset connections, issue 74839),
  // accept what was marked for masquerade and its replies even when FORWARD's policy is DROP.
  t.filterRules.push(rule('-A', 'KUBE-FORWARD', '-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP'));
  t.filterRules.push(rule('-A', 'KUBE-FORWARD', ...comment('kubernetes forwarding rules'), '-m', 'mark', '--mark', mark, '-j', 'ACCEPT'));
  t.filterRules.push(rule('-A', 'KUBE-FORWARD', ...comment('kubernetes forwarding conntrack rule'), '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'));

  return {
    filter: section('filter', t.filterChains, t.filterRules),
    nat: section('nat', t.natChains, t.natRules),
  };
}

const section = (table: string, chains: string[], rules: string[]) => [`*${table}`, ...chains, ...rules, 'COMMIT', ''].join('\n');
