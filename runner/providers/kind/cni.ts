/**
 * @module
 * What differs between the CNIs a kind cluster can run, in one table: the name a learner
 * reads, the agent pods whose readiness means "the network is up", and what the CNI does
 * with NetworkPolicy — which is what changes a lab's answer.
 */
import type { Capabilities } from '../provider.ts';
import type { KindCni } from './config.ts';

export interface CniInfo {
  /** As a learner reads it: "Installing Calico". */
  title: string;
  /** The per-node agent (a DaemonSet's pods): the network is up on a node once its agent is Ready. */
  agent: { namespace: string; labels: Record<string, string>; name: string };
  enforcesNetworkPolicy: boolean;
  /** Cilium: "CIDR rules do not apply to traffic where both sides … are managed by Cilium" (research §3.6). */
  ipBlockMatchesPods: boolean;
  /** Said beside the capabilities, when there is something to know. */
  caveat?: string;
}

export const CNI_INFO: Record<KindCni, CniInfo> = {
  calico: {
    title: 'Calico',
    agent: { namespace: 'calico-system', labels: { 'k8s-app': 'calico-node' }, name: 'calico-node' },
    enforcesNetworkPolicy: true,
    ipBlockMatchesPods: true,
  },
  cilium: {
    title: 'Cilium',
    agent: { namespace: 'kube-system', labels: { 'k8s-app': 'cilium' }, name: 'cilium' },
    enforcesNetworkPolicy: true,
    ipBlockMatchesPods: false,
    caveat: 'ipBlock peers do not match traffic between pods (Cilium matches pods by identity)',
  },
  kindnet: {
    title: 'kindnet',
    agent: { namespace: 'kube-system', labels: { app: 'kindnet' }, name: 'kindnet' },
    // kindnet enforces policy since kind v0.24, but fail-open and first packet only (research §1.5).
    enforcesNetworkPolicy: true,
    ipBlockMatchesPods: true,
    caveat: 'kindnet enforces NetworkPolicy fail-open (traffic passes when its policy agent stalls) and only on new connections; it has no verdict log',
  },
};

export const DNS_PODS = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, name: 'CoreDNS' };

/** `sctp`: kind nodes share the host's kernel, so the host's answer (does it have SCTP?). */
export function kindCapabilities(cni: KindCni, sctp: boolean): Capabilities {
  const info = CNI_INFO[cni];
  return { provider: 'kind', cni, enforcesNetworkPolicy: info.enforcesNetworkPolicy, ipBlockMatchesPods: info.ipBlockMatchesPods, sctp };
}
