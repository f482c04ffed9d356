/**
 * @module
 * The shape of a `local` cluster, decided before anything starts: how many nodes, their
 * names, underlay addresses and pod CIDRs (as kind names and numbers them), and how pod
 * traffic crosses between nodes — with the pod MTU that mode leaves on a 1500-byte underlay.
 * See docs/0005-multi-node.md.
 */
import { FlatnetError } from '../../../checkers/errors.ts';
import type { ClusterSpec } from '../provider.ts';

/** How pod packets cross the underlay between nodes (one definition: the provider seam's). */
export type PodNetworkMode = NonNullable<ClusterSpec['network']>;
export const NETWORK_MODES: readonly PodNetworkMode[] = ['routed', 'vxlan', 'ipip', 'geneve'];

/**
 * Bytes each mode adds to a pod packet on the underlay, so the pod MTU is 1500 minus this:
 * vxlan and geneve wrap the pod's Ethernet frame (outer IPv4 20 + UDP 8 + header 8 +
 * inner Ethernet 14); ipip adds one IPv4 header; routed adds nothing.
 */
export const OVERHEAD: Record<PodNetworkMode, number> = { routed: 0, vxlan: 50, geneve: 50, ipip: 20 };
export const UNDERLAY_MTU = 1500;
/** kind refuses more than this too (runner/providers/kind/config.ts). */
export const MAX_NODES = 10;

export interface NodePlan {
  index: number;
  /** As kind names them: `flatnet-<cluster>-control-plane`, then `-worker`, `-worker2`, ... */
  name: string;
  role: 'control-plane' | 'worker';
  /** The node's address on the underlay (eth0), 172.18.0.2 upwards like a kind network. */
  ip: string;
  /** The node's share of the cluster CIDR: 10.244.<index>.0/24. */
  podCIDR: string;
}

export interface Topology {
  nodes: NodePlan[];
  network: PodNetworkMode;
  /** The pods' MTU: the underlay's less what the mode adds. */
  mtu: number;
}

export interface TopologyOptions {
  nodes?: number;
  network?: string;
}

export function planTopology(cluster: string, opts: TopologyOptions = {}): Topology {
  const count = opts.nodes ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > MAX_NODES) {
    throw new FlatnetError('BadNodeCount', `nodes: ${String(opts.nodes)}: expected a whole number from 1 to ${MAX_NODES}`, {}, 'use --nodes 1 (the default) up to --nodes 10');
  }
  // One node has nothing to cross: routed unless asked, so its pods keep the full 1500 bytes.
  const network = opts.network ?? (count === 1 ? 'routed' : 'vxlan');
  if (!(NETWORK_MODES as readonly string[]).includes(network)) {
    throw new FlatnetError('BadNetwork', `network: ${JSON.stringify(network)} is not a pod network mode`, {}, `use --network ${NETWORK_MODES.join('|')}`);
  }
  const mode = network as PodNetworkMode;
  const nodes = Array.from({ length: count }, (_, i): NodePlan => ({
    index: i,
    name: nodeName(cluster, i),
    role: i === 0 ? 'control-plane' : 'worker',
    ip: `172.18.0.${i + 2}`,
    podCIDR: `10.244.${i}.0/24`,
  }));
  return { nodes, network: mode, mtu: UNDERLAY_MTU - OVERHEAD[mode] };
}

export function nodeName(cluster: string, index: number): string {
  if (index === 0) return `flatnet-${cluster}-control-plane`;
  return `flatnet-${cluster}-worker${index === 1 ? '' : index}`;
}
