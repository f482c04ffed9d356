/**
 * @module
 * Upstream's netpol e2e "model" (test/e2e/network/netpol/model.go) as plain
 * Kubernetes API objects, ready for the engine's buildCluster().
 *
 * - Namespaces x, y and z always exist (upstream creates all three even when a test
 *   puts no pod in one). Upstream's names carry a random suffix; ours are literal.
 *   Labels: the automatic `kubernetes.io/metadata.name: <name>` (the only label the
 *   policies under test select on) plus the older model's `ns: <name>`.
 * - Each test names the pods it needs (upstream's per-test topology, e.g. x/a, x/b, y/a).
 *   A pod is labelled `pod: <name>` and serves every port x protocol the test asks for,
 *   one container per pair as in model.go: container `cont-80-tcp` with the named
 *   port `serve-80-tcp`. (The latest upstream serves them all from one agnhost-porter
 *   container; NetworkPolicy named ports resolve across all containers either way.)
 * - Pod IPs are deterministic: 10.244.<n>.<p>, n = 1, 2, 3 for x, y, z and p = 10, 11, 12
 *   for a, b, c; so x/a is 10.244.1.10 and z/c is 10.244.3.12. On a cluster whose node n owns
 *   10.244.n.0/24, every model pod can have its address there: .1 is the node's side of its
 *   pods' veths, and the first addresses go to pods that came earlier (CoreDNS). The ipBlock tests build
 *   their CIDRs from these, as upstream builds them from the live pod's status.podIP.
 * - Upstream probes a pod's Service, which kube-proxy DNATs to the pod; a
 *   NetworkPolicy only ever sees the pod-to-pod flow, so no Services are modelled.
 */
import type { PodString } from './reachability.ts';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type Labels = Record<string, string>;

export const NAMESPACES = ['x', 'y', 'z'] as const;
const POD_NAMES = ['a', 'b', 'c'] as const;

const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.52';

export interface ModelSpec {
  /** The pods the test creates, e.g. ["x/a", "y/a"]. */
  pods: readonly PodString[];
  /** What every pod serves (upstream's `protocols` and `ports` arguments). */
  protocols: readonly Protocol[];
  ports: readonly number[];
  /** Labels added to a namespace mid-test (upstream's AddNamespaceLabel), by namespace name. */
  namespaceLabels?: Readonly<Record<string, Labels>>;
  /** Labels added to a pod mid-test (upstream's AddPodLabels), by "ns/pod". */
  podLabels?: Readonly<Record<string, Labels>>;
}

export function podIP(pod: PodString): string {
  const [ns, name] = pod.split('/');
  const n = NAMESPACES.indexOf(ns as (typeof NAMESPACES)[number]);
  const p = POD_NAMES.indexOf(name as (typeof POD_NAMES)[number]);
  if (n < 0 || p < 0) throw new Error(`pod ${pod} is not in the upstream model (x|y|z)/(a|b|c)`);
  return `10.244.${n + 1}.${p + 10}`;
}

/** Namespace and Pod objects for one test state. */
export function buildModel(spec: ModelSpec): object[] {
  const namespaces = NAMESPACES.map((name) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: { 'kubernetes.io/metadata.name': name, ns: name, ...spec.namespaceLabels?.[name] },
    },
  }));
  const pods = spec.pods.map((pod) => kubePod(pod, spec));
  return [...namespaces, ...pods];
}

function kubePod(pod: PodString, spec: ModelSpec): object {
  const ip = podIP(pod); // also rejects anything that is not one of the nine model pods
  const [namespace, name] = pod.split('/');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { pod: name, ...spec.podLabels?.[pod] } },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: spec.ports.flatMap((port) => spec.protocols.map((protocol) => container(port, protocol))),
    },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
  };
}

function container(port: number, protocol: Protocol): object {
  const suffix = `${port}-${protocol.toLowerCase()}`;
  return {
    name: `cont-${suffix}`,
    image: AGNHOST,
    imagePullPolicy: 'IfNotPresent',
    ports: [{ containerPort: port, name: `serve-${suffix}`, protocol }],
  };
}
