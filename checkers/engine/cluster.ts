/**
 * @module
 * Builds a Cluster from Kubernetes objects: namespaces (declared or implied, each with
 * the automatic kubernetes.io/metadata.name label), pods with their addresses and
 * declared ports, and compiled policies indexed by the pods they isolate.
 */
import { errors, FlatnetError, type Warning, type Where } from '../errors.ts';
import { readObjects } from '../k8s/objects.ts';
import type { Pod } from '../k8s/schema/pod.ts';
import { formatIP, parseIP, type IP } from '../net/ip.ts';
import { compilePolicy } from './policy.ts';
import type { Cluster, CompiledPolicy, NamespaceInfo, PodInfo } from './types.ts';
import { fnv1a } from '../hash.ts';

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
/** Pods without status.podIP get an address here, as kind's default podSubnet. */
export const DEFAULT_POD_CIDR = '10.244.0.0/16';

export interface BuildResult {
  cluster: Cluster;
  warnings: Warning[];
}

/** Accepts manifests or bare objects; throws a FlatnetError naming every invalid object and field. */
export function buildCluster(input: readonly unknown[]): BuildResult {
  const set = readObjects(input);
  const problems: FlatnetError[] = [];
  const warnings: Warning[] = [];

  const namespaces = new Map<string, NamespaceInfo>();
  const seen = new Map<string, Where>();
  const once = (key: string, where: Where): boolean => {
    const first = seen.get(key);
    if (first) problems.push(errors.duplicateObject(where, `${first.file ?? 'input'}${first.line ? `:${first.line}` : ''}`));
    else seen.set(key, where);
    return !first;
  };
  const ensureNamespace = (name: string) => {
    if (!namespaces.has(name)) namespaces.set(name, { name, labels: { [NAMESPACE_NAME_LABEL]: name }, declared: false });
  };

  for (const ns of set.namespaces) {
    const name = ns.object.metadata.name;
    if (!once(`Namespace/${name}`, ns.where)) continue;
    // The API server always sets this label to the name, whatever the manifest says.
    namespaces.set(name, { name, labels: { ...ns.object.metadata.labels, [NAMESPACE_NAME_LABEL]: name }, declared: true });
  }

  const pods: PodInfo[] = [];
  const byIP = new Map<string, PodInfo>();
  for (const src of set.pods) {
    const meta = src.object.metadata;
    const namespace = meta.namespace ?? 'default';
    if (!once(`Pod/${namespace}/${meta.name}`, src.where)) continue;
    ensureNamespace(namespace);
    const pod: PodInfo = {
      index: pods.length,
      namespace,
      name: meta.name,
      labels: meta.labels ?? {},
      ips: declaredIPs(src.object),
      assignedIP: false,
      ports: src.object.spec.containers.flatMap((c) =>
        (c.ports ?? []).map((p) => ({ name: p.name, port: p.containerPort, protocol: p.protocol ?? 'TCP' })),
      ),
      where: src.where,
    };
    for (const ip of pod.ips) {
      const key = formatIP(ip);
      const other = byIP.get(key);
      if (other) problems.push(errors.duplicatePodIP(src.at(['status', 'podIP']), key, `${other.namespace}/${other.name}`));
      else byIP.set(key, pod);
    }
    pods.push(pod);
  }
  assignMissingIPs(pods, byIP);

  for (const src of set.policies) ensureNamespace(src.object.metadata.namespace ?? 'default');
  const policies: CompiledPolicy[] = [];
  const ctx = { pods, namespaces, warnings };
  for (const src of set.policies) {
    const meta = src.object.metadata;
    if (!once(`NetworkPolicy/${meta.namespace ?? 'default'}/${meta.name}`, src.where)) continue;
    policies.push(compilePolicy(src, ctx));
  }
  if (problems.length > 0) throw FlatnetError.many(problems);

  const isolatedBy: Cluster['isolatedBy'] = { ingress: pods.map(() => []), egress: pods.map(() => []) };
  for (const policy of policies) {
    for (const pod of pods) {
      if (!policy.selects.has(pod.index)) continue;
      if (policy.isolates.ingress) isolatedBy.ingress[pod.index]!.push(policy);
      if (policy.isolates.egress) isolatedBy.egress[pod.index]!.push(policy);
    }
  }
  const podByKey = new Map(pods.map((p) => [`${p.namespace}/${p.name}`, p]));
  return { cluster: { namespaces, pods, policies, isolatedBy, podByKey, podByIP: byIP }, warnings };
}

function declaredIPs(pod: Pod): IP[] {
  const texts = pod.status?.podIPs?.map((p) => p.ip) ?? [];
  if (pod.status?.podIP && !texts.includes(pod.status.podIP)) texts.unshift(pod.status.podIP);
  return texts.map((t) => parseIP(t)!).filter((ip, i, all) => all.findIndex((o) => o.family === ip.family) === i);
}

/**
 * Deterministic addresses: a hash of ns/name picks the slot, so adding a pod to the
 * input does not renumber the others. Gateway-like .0/.1/.255 host parts are skipped, and
 * so is 10.244.0.0/24, where a live cluster's own pods (CoreDNS) take their addresses.
 */
function assignMissingIPs(pods: PodInfo[], byIP: Map<string, PodInfo>): void {
  const base = parseIP(DEFAULT_POD_CIDR.split('/')[0]!)!.value;
  const missing = pods.filter((p) => p.ips.length === 0).sort((a, b) => key(a).localeCompare(key(b)));
  for (const pod of missing) {
    let slot = fnv1a(key(pod)) % 65536;
    for (;;) {
      const low = slot & 0xff;
      const ip: IP = { family: 4, value: base + BigInt(slot) };
      if (slot >= 256 && low > 1 && low < 255 && !byIP.has(formatIP(ip))) {
        pod.ips = [ip];
        pod.assignedIP = true;
        byIP.set(formatIP(ip), pod);
        break;
      }
      slot = (slot + 1) % 65536;
    }
  }
}

const key = (p: PodInfo) => `${p.namespace}/${p.name}`;
