/**
 * @module
 * The kind cluster config (kind.x-k8s.io/v1alpha4) for each CNI, generated from one table
 * so the pod subnet kind gives kubeadm and the pool the CNI allocates from cannot drift:
 *
 * - calico:  no kindnet, pods 192.168.0.0/16 — Calico's default pool, which the operator
 *            requires to lie inside kubeadm's podSubnet (research §2.3)
 * - cilium:  no kindnet, pods 10.244.0.0/16 (ipam.mode=kubernetes uses the nodes' podCIDRs),
 *            no kube-proxy when Cilium replaces it (research §1.2, §3.3)
 * - kindnet: kind's own CNI and defaults (enforces policy since v0.24, fail-open)
 *
 * Services are 10.96.0.0/16 everywhere, so kube-dns is 10.96.0.10 as the static grader assumes.
 */
import { stringify } from 'yaml';
import { FlatnetError } from '../../../checkers/errors.ts';
import type { ClusterSpec } from '../provider.ts';
import { NODE_IMAGE } from './versions.ts';

export type KindCni = 'calico' | 'cilium' | 'kindnet';
export const KIND_CNIS: readonly KindCni[] = ['calico', 'cilium', 'kindnet'];
export const DEFAULT_CNI: KindCni = 'calico';

export const SERVICE_SUBNET = '10.96.0.0/16';

export interface CniNetwork {
  podSubnet: string;
  /** Whether kind's own CNI (kindnet) is replaced. */
  disableDefaultCNI: boolean;
}

export const NETWORKS: Record<KindCni, CniNetwork> = {
  calico: { podSubnet: '192.168.0.0/16', disableDefaultCNI: true },
  cilium: { podSubnet: '10.244.0.0/16', disableDefaultCNI: true },
  kindnet: { podSubnet: '10.244.0.0/16', disableDefaultCNI: false },
};

export interface KindOptions {
  /** Cilium only: Cilium does Services itself and kind starts no kube-proxy (default true). */
  kubeProxyReplacement?: boolean;
}

/** kind's cluster name: `flatnet-<name>`, the prefix leaked clusters are found by. */
export const CLUSTER_PREFIX = 'flatnet-';
export const kindName = (name: string) => `${CLUSTER_PREFIX}${name}`;

/** The CNI a spec asks for on kind (Calico when it names none). */
export function kindCni(spec: ClusterSpec): KindCni {
  const cni = spec.cni ?? DEFAULT_CNI;
  if (cni === 'flatnet') throw new FlatnetError('UnsupportedCni', "the kind provider runs Calico, Cilium or kindnet, not flatnet's own CNI", {}, 'use --cni calico or --cni cilium (or --provider local for flatnet\'s CNI)');
  return cni;
}

export function validateName(name: string): void {
  // kind: ^[a-z0-9.-]+$, and a warning above 50 characters (research §1.2); ours is also a DNS label.
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || kindName(name).length > 50) {
    throw new FlatnetError('BadClusterName', `cluster name "${name}" is not a short lowercase DNS label`, {}, `use letters, digits and dashes, at most ${50 - CLUSTER_PREFIX.length} characters, e.g. --name lab1`);
  }
}

export function kubeProxyReplaced(cni: KindCni, options: KindOptions): boolean {
  return cni === 'cilium' && options.kubeProxyReplacement !== false;
}

/** The kind config as an object (tests compare this; kind reads the YAML). */
export function kindConfig(spec: ClusterSpec, options: KindOptions = {}): Record<string, unknown> {
  const cni = kindCni(spec);
  const net = NETWORKS[cni];
  const count = spec.nodes ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > 10) throw new FlatnetError('BadNodeCount', `nodes: ${count}: expected 1 to 10`, {}, 'use --nodes 1 (a control plane only) up to 10');
  if (spec.proxyMode && kubeProxyReplaced(cni, options)) {
    throw new FlatnetError('ProxyModeWithCilium', `--proxy-mode ${spec.proxyMode}: this Cilium cluster has no kube-proxy (Cilium replaces it with eBPF)`, {}, 'leave --proxy-mode out, or use --cni calico or kindnet to keep kube-proxy');
  }
  if (spec.ingress) {
    throw new FlatnetError('IngressOnKind', 'an ingress controller: kind clusters are made here without one (flatnet\'s controller runs in the local cluster)', {}, 'run this lab on the local provider (--provider local)');
  }
  const networking: Record<string, unknown> = {
    ...(net.disableDefaultCNI ? { disableDefaultCNI: true } : {}),
    podSubnet: net.podSubnet,
    serviceSubnet: SERVICE_SUBNET,
    // kind's networking.kubeProxyMode: iptables (its default), nftables or ipvs; none without kube-proxy.
    ...(kubeProxyReplaced(cni, options) ? { kubeProxyMode: 'none' } : spec.proxyMode ? { kubeProxyMode: spec.proxyMode } : {}),
  };
  const nodes = Array.from({ length: count }, (_, i) => ({ role: i === 0 ? 'control-plane' : 'worker', image: NODE_IMAGE }));
  return { kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4', networking, nodes };
}

/** What `kind create cluster --config -` reads on stdin. */
export function kindConfigYaml(spec: ClusterSpec, options: KindOptions = {}): string {
  return `# flatnet: kind config for ${kindName(spec.name)} (${kindCni(spec)})\n${stringify(kindConfig(spec, options))}`;
}
