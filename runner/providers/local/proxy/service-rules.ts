/**
 * @module
 * The rules for one service port, in the order syncProxyRules writes them (the per-service
 * loop of pkg/proxy/iptables/proxier.go). Only what the model can express is here: the
 * `Cluster` traffic policies, no session affinity, no external IPs, no loadBalancerSourceRanges
 * (a LoadBalancer Service with no ingress address yet is programmed like a NodePort one).
 */
import { endpointChain, externalChain, serviceChain } from './chain-names.ts';
import { probability } from './probability.ts';
import type { ServicePort } from './service-ports.ts';

/** The four buffers kube-proxy fills: chain declarations and rules, per table. */
export interface Tables {
  filterChains: string[];
  filterRules: string[];
  natChains: string[];
  natRules: string[];
  /** nat chains this sync declares; the others with service-chain names are stale. */
  activeNatChains: Set<string>;
}

export interface Context {
  /** The pod network: `! -s` it marks off-cluster traffic to a cluster IP for masquerade. */
  clusterCIDR: string;
  /** Over 1000 endpoints kube-proxy drops the per-endpoint comments to keep restores fast. */
  largeClusterMode: boolean;
}

/** `-m comment --comment X`, quoted when it has spaces, as kube-proxy writes it. */
export function comment(text: string): string[] {
  return ['-m', 'comment', '--comment', /\s/.test(text) ? `"${text}"` : text];
}

export const chainLine = (chain: string) => `:${chain} - [0:0]`;
export const rule = (...words: string[]) => words.join(' ');

export function writeServicePort(t: Tables, sp: ServicePort, ctx: Context): void {
  const { spn, protocol: p } = sp;
  const svcChain = serviceChain(spn, p);
  const extChain = externalChain(spn, p);
  const hasEndpoints = sp.endpoints.length > 0;
  const clusterIPMatch = [...comment(`${spn} cluster IP`), '-m', p, '-p', p, '-d', sp.clusterIP, '--dport', String(sp.port)];

  // 1. Capture the cluster IP, or reject it: a Service with no endpoints refuses connections
  //    at once (filter table, reached for NEW connections from FORWARD and OUTPUT).
  if (hasEndpoints) t.natRules.push(rule('-A', 'KUBE-SERVICES', ...clusterIPMatch, '-j', svcChain));
  else t.filterRules.push(rule('-A', 'KUBE-SERVICES', ...comment(`${spn} has no endpoints`), '-m', p, '-p', p, '-d', sp.clusterIP, '--dport', String(sp.port), '-j', 'REJECT'));

  // 2. Capture the load-balancer IPs: into the external chain, as node ports are.
  for (const lb of sp.loadBalancerIPs) {
    if (hasEndpoints) t.natRules.push(rule('-A', 'KUBE-SERVICES', ...comment(`${spn} loadbalancer IP`), '-m', p, '-p', p, '-d', lb, '--dport', String(sp.port), '-j', extChain));
    else t.filterRules.push(rule('-A', 'KUBE-EXTERNAL-SERVICES', ...comment(`${spn} has no endpoints`), '-m', p, '-p', p, '-d', lb, '--dport', String(sp.port), '-j', 'REJECT'));
  }

  // 3. Capture the node port (KUBE-NODEPORTS is reached only for local destination addresses).
  if (sp.nodePort !== 0) {
    if (hasEndpoints) t.natRules.push(rule('-A', 'KUBE-NODEPORTS', ...comment(spn), '-m', p, '-p', p, '--dport', String(sp.nodePort), '-j', extChain));
    else t.filterRules.push(rule('-A', 'KUBE-EXTERNAL-SERVICES', ...comment(`${spn} has no endpoints`), '-m', 'addrtype', '--dst-type', 'LOCAL', '-m', p, '-p', p, '--dport', String(sp.nodePort), '-j', 'REJECT'));
  }
  if (!hasEndpoints) return; // no nat chains at all for it

  // 4. Traffic to the cluster IP from outside the pod network (the node itself, say) must
  //    come back through this node, so it is masqueraded.
  t.natRules.push(rule('-A', svcChain, ...clusterIPMatch, '!', '-s', ctx.clusterCIDR, '-j', 'KUBE-MARK-MASQ'));

  // 5. External traffic (node ports, load-balancer IPs) may cross nodes, so with the Cluster
  //    policy it is always masqueraded, then handled like cluster-IP traffic.
  if (sp.nodePort !== 0 || sp.loadBalancerIPs.length > 0) {
    declare(t, extChain);
    t.natRules.push(rule('-A', extChain, ...comment(`masquerade traffic for ${spn} external destinations`), '-j', 'KUBE-MARK-MASQ'));
    t.natRules.push(rule('-A', extChain, '-j', svcChain));
  }

  // 6. Pick an endpoint: rule i matches with probability 1/(n-i), the last one always.
  declare(t, svcChain);
  const n = sp.endpoints.length;
  sp.endpoints.forEach((ep, i) => {
    const stat = i < n - 1 ? ['-m', 'statistic', '--mode', 'random', '--probability', probability(n - i)] : [];
    t.natRules.push(rule('-A', svcChain, ...endpointComment(ctx, `${spn} -> ${ep}`), ...stat, '-j', endpointChain(spn, p, ep)));
  });

  // 7. One chain per endpoint: DNAT, and masquerade a pod that reached itself (hairpin),
  //    or its reply would skip the node and the client would see the wrong source.
  for (const ep of sp.endpoints) {
    const sepChain = endpointChain(spn, p, ep);
    declare(t, sepChain);
    const ip = ep.slice(0, ep.lastIndexOf(':'));
    t.natRules.push(rule('-A', sepChain, ...endpointComment(ctx, spn), '-s', ip, '-j', 'KUBE-MARK-MASQ'));
    t.natRules.push(rule('-A', sepChain, ...endpointComment(ctx, spn), '-m', p, '-p', p, '-j', 'DNAT', '--to-destination', ep));
  }
}

function declare(t: Tables, chain: string): void {
  t.natChains.push(chainLine(chain));
  t.activeNatChains.add(chain);
}

const endpointComment = (ctx: Context, text: string) => (ctx.largeClusterMode ? [] : comment(text));
