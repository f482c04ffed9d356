/**
 * @module
 * A check's endpoint → the pods (or outside address) it stands for. `labels` expands
 * to every matching pod, so a check about "pods labelled app=api" holds for each of them.
 */
import type { Cluster, Endpoint as EngineEndpoint, PodInfo } from '../engine/index.ts';
import type { Endpoint } from '../lab/check.ts';

export interface Target {
  /** `ns/pod` or the IP. */
  name: string;
  endpoint: EngineEndpoint;
  pod: PodInfo | undefined;
}

export function expand(cluster: Cluster, e: Endpoint): Target[] {
  if (e.ip !== undefined) return [{ name: e.ip, endpoint: { kind: 'ip', ip: e.ip }, pod: undefined }];
  const pods =
    e.pod !== undefined
      ? [cluster.podByKey.get(`${e.namespace}/${e.pod}`)].filter((p): p is PodInfo => p !== undefined)
      : cluster.pods.filter((p) => (e.namespace === undefined || p.namespace === e.namespace) && matches(p.labels, e.labels ?? {}));
  return pods.map(podTarget);
}

export function podTarget(p: PodInfo): Target {
  return { name: `${p.namespace}/${p.name}`, endpoint: { kind: 'pod', namespace: p.namespace, name: p.name }, pod: p };
}

export function describeEndpoint(e: Endpoint): string {
  if (e.ip !== undefined) return e.ip;
  if (e.pod !== undefined) return `pod ${e.namespace}/${e.pod}`;
  const labels = Object.entries(e.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  return `pods ${labels}${e.namespace === undefined ? ' in any namespace' : ` in ${e.namespace}`}`;
}

function matches(labels: Readonly<Record<string, string>>, want: Readonly<Record<string, string>>): boolean {
  return Object.entries(want).every(([k, v]) => labels[k] === v);
}
