/**
 * @module
 * Readiness read from `kubectl get pods/nodes -o json`, as pure functions: which pods are
 * Ready, why the others are not (the waiting reason a learner can look up), and whether the
 * CNI is up — its agent Ready on every node, every node Ready, then CoreDNS Ready.
 */
import { CNI_INFO, DNS_PODS } from './cni.ts';
import type { KindCni } from './config.ts';

interface Condition { type: string; status: string }
export interface PodJson {
  metadata: { namespace?: string; name: string; labels?: Record<string, string> };
  status?: {
    phase?: string;
    conditions?: Condition[];
    containerStatuses?: { ready?: boolean; state?: { waiting?: { reason?: string }; terminated?: { reason?: string } } }[];
  };
}
export interface NodeJson {
  metadata: { name: string };
  status?: { conditions?: Condition[] };
}
export interface List<T> { items: T[] }

export const podRef = (p: PodJson) => `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`;

export function podReady(p: PodJson): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Pods that ran to completion are settled; the rest must be Ready. */
export function podSettled(p: PodJson): boolean {
  return podReady(p) || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
}

/** Why a pod is not Ready, in kubectl's words: ImagePullBackOff, ContainerCreating, Pending... */
export function podReason(p: PodJson): string {
  const cs = p.status?.containerStatuses ?? [];
  const waiting = cs.map((c) => c.state?.waiting?.reason ?? c.state?.terminated?.reason).find(Boolean);
  return waiting ?? (cs.length > 0 && cs.some((c) => !c.ready) ? 'not Ready' : p.status?.phase ?? 'Pending');
}

export const describe = (p: PodJson) => `${podRef(p)} (${podReason(p)})`;

function matches(p: PodJson, sel: { namespace: string; labels: Record<string, string> }): boolean {
  return p.metadata.namespace === sel.namespace && Object.entries(sel.labels).every(([k, v]) => p.metadata.labels?.[k] === v);
}

export function nodeReady(n: NodeJson): boolean {
  return n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** What the network still waits for; empty when it is up. */
export function networkWaiting(cni: KindCni, pods: List<PodJson>, nodes: List<NodeJson>): string[] {
  const agent = CNI_INFO[cni].agent;
  const agents = pods.items.filter((p) => matches(p, agent));
  const waiting: string[] = [];
  const want = Math.max(1, nodes.items.length);
  if (agents.length < want) waiting.push(`${agent.name} pods (${agents.length} of ${want} nodes have one)`);
  waiting.push(...agents.filter((p) => !podReady(p)).map(describe));
  waiting.push(...nodes.items.filter((n) => !nodeReady(n)).map((n) => `node ${n.metadata.name} (NotReady)`));
  const dns = pods.items.filter((p) => matches(p, DNS_PODS));
  if (dns.length === 0) waiting.push(`${DNS_PODS.name} pods (none yet)`);
  waiting.push(...dns.filter((p) => !podReady(p)).map(describe));
  return waiting;
}
