/**
 * @module
 * Just enough of upstream's e2e plumbing (network_policy.go's initializeResources,
 * kubemanager.go, test_helper.go) for the ported test bodies in cases.ts to run
 * unchanged in spirit: instead of talking to a cluster, a KubeManager records the
 * objects a test creates, and every ValidateOrFail() snapshots that state with the
 * expected reachability. Consecutive validations of the same state become one
 * Case with several probes; a test that changes the state between validations
 * (updates a policy, relabels a pod...) yields one Case per state, "[step N]".
 */
import { isIPv4 } from 'node:net';
import { NAMESPACES, podIP, type Labels, type ModelSpec, type Protocol } from './model.ts';
import type { NetworkPolicy } from './policies.ts';
import type { PodString, Reachability } from './reachability.ts';

/** What upstream hands to ValidateOrFail: probe every pod pair on one port. */
export interface TestCase {
  ToPort: number;
  Protocol: Protocol;
  Reachability: Reachability;
}

export interface Probe {
  port: number;
  protocol: Protocol;
  /** Upstream's expectation for every ordered pair of the case's pods. */
  reachability: Reachability;
}

/** One cluster state of one upstream It(), and what upstream probes in it. */
export interface Case extends ModelSpec {
  /** The ginkgo.Context the It() sits in (the UDP and SCTP contexts reuse titles). */
  context: string;
  /** The It() title verbatim, plus " [step N]" when upstream validates several states. */
  name: string;
  /** NetworkPolicies as sent to the API server, metadata.namespace set. */
  policies: NetworkPolicy[];
  namespaceLabels: Record<string, Labels>;
  podLabels: Record<string, Labels>;
  probes: Probe[];
}

type State = Pick<Case, 'policies' | 'namespaceLabels' | 'podLabels'>;

/** Stands in for upstream's kubeManager: the objects one test has created so far. */
export class KubeManager {
  readonly pods: readonly PodString[];
  readonly protocols: readonly Protocol[];
  readonly ports: readonly number[];
  private readonly policies = new Map<string, NetworkPolicy>();
  private readonly namespaceLabels: Record<string, Labels> = {};
  private readonly podLabels: Record<string, Labels> = {};
  readonly validations: Array<{ state: State; probe: Probe }> = [];

  constructor(protocols: readonly Protocol[], ports: readonly number[], pods: readonly PodString[]) {
    for (const pod of pods) podIP(pod); // rejects pods outside x,y,z / a,b,c
    this.pods = [...new Set(pods)];
    this.protocols = protocols;
    this.ports = ports;
  }

  AllPodStrings(): readonly PodString[] {
    return this.pods;
  }

  NamespaceNames(): typeof NAMESPACES {
    return NAMESPACES;
  }

  createNetworkPolicy(namespace: string, policy: NetworkPolicy): void {
    const key = `${namespace}/${policy.metadata.name}`;
    if (this.policies.has(key)) throw new Error(`networkpolicy ${key} already exists`);
    this.policies.set(key, sent(policy, namespace));
  }

  updateNetworkPolicy(namespace: string, policy: NetworkPolicy): void {
    const key = `${namespace}/${policy.metadata.name}`;
    if (!this.policies.has(key)) throw new Error(`networkpolicy ${key} not found`);
    this.policies.set(key, sent(policy, namespace));
  }

  cleanNetworkPolicies(): void {
    this.policies.clear();
  }

  addNamespaceLabel(namespace: string, key: string, value: string): void {
    if (!NAMESPACES.some((ns) => ns === namespace)) throw new Error(`namespace ${namespace} not found`);
    this.namespaceLabels[namespace] = { ...this.namespaceLabels[namespace], [key]: value };
  }

  addPodLabels(pod: PodString, labels: Labels): void {
    if (!this.pods.includes(pod)) throw new Error(`pod ${pod} not found`);
    this.podLabels[pod] = { ...this.podLabels[pod], ...labels };
  }

  /** Pods of a namespace matching an equality selector "key=value", like the Pods(ns).List() upstream does. */
  ListPods(namespace: string, labelSelector: string): Array<{ status: { podIP: string } }> {
    const [key, value] = labelSelector.split('=');
    return this.pods
      .filter((pod) => pod.startsWith(`${namespace}/`))
      .filter((pod) => key !== undefined && this.labelsOf(pod)[key] === value)
      .map((pod) => ({ status: { podIP: podIP(pod) } }));
  }

  private labelsOf(pod: PodString): Labels {
    return { pod: pod.split('/')[1] ?? '', ...this.podLabels[pod] };
  }

  snapshot(): State {
    return structuredClone({ policies: [...this.policies.values()], namespaceLabels: this.namespaceLabels, podLabels: this.podLabels });
  }
}

/**
 * The policy as the Go client sends it: namespace set, and empty lists and maps
 * dropped the way encoding/json's `omitempty` drops them on the networking/v1
 * types (rule lists, matchLabels), while empty structs such as `podSelector: {}`
 * stay. So a deny-all arrives as `policyTypes: [Ingress]` with no `ingress` key.
 */
function sent(policy: NetworkPolicy, namespace: string): NetworkPolicy {
  const withNamespace = { ...policy, metadata: { ...policy.metadata, namespace } };
  return JSON.parse(
    JSON.stringify(withNamespace, (key, value: unknown) => {
      if (Array.isArray(value) && value.length === 0) return undefined;
      if (key === 'matchLabels' && typeof value === 'object' && value !== null && Object.keys(value).length === 0) return undefined;
      return value;
    }),
  ) as NetworkPolicy;
}

/** Upstream's ginkgo framework handle; here it only remembers the test's KubeManager. */
export class Framework {
  k8s: KubeManager | undefined;
}

export function initializeResources(f: Framework, protocols: readonly Protocol[], ports: readonly number[], ...modelPods: PodString[]): KubeManager {
  if (f.k8s) throw new Error('initializeResources called twice');
  f.k8s = new KubeManager(protocols, ports, modelPods);
  return f.k8s;
}

/** The three namespace names: [x, y, z]. */
export function getK8sNamespaces(k8s: KubeManager): readonly [string, string, string] {
  return k8s.NamespaceNames();
}

export function CreatePolicy(k8s: KubeManager, policy: NetworkPolicy, namespace: string): void {
  k8s.createNetworkPolicy(namespace, policy);
}

export function UpdatePolicy(k8s: KubeManager, policy: NetworkPolicy, namespace: string): void {
  k8s.updateNetworkPolicy(namespace, policy);
}

export function AddNamespaceLabel(k8s: KubeManager, name: string, key: string, val: string): void {
  k8s.addNamespaceLabel(name, key, val);
}

export function AddPodLabels(k8s: KubeManager, namespace: string, name: string, newPodLabels: Labels): void {
  k8s.addPodLabels(`${namespace}/${name}`, newPodLabels);
}

export function ValidateOrFail(k8s: KubeManager, testCase: TestCase): void {
  // Upstream's servers only listen on the test's ports and protocols; probing
  // anything else would fail for a reason that has nothing to do with policy.
  if (!k8s.ports.includes(testCase.ToPort) || !k8s.protocols.includes(testCase.Protocol)) {
    throw new Error(`probe ${testCase.Protocol}/${testCase.ToPort} is not served by this test's pods`);
  }
  k8s.validations.push({
    state: k8s.snapshot(),
    probe: { port: testCase.ToPort, protocol: testCase.Protocol, reachability: testCase.Reachability.copy() },
  });
}

/** The /4 that contains an IPv4 address (upstream's helper also handles IPv6; the model has none). */
export function makeLargeCIDRForIP(ip: string): string {
  if (!isIPv4(ip)) throw new Error(`makeLargeCIDRForIP: ${ip} is not IPv4`);
  const firstOctet = Number(ip.split('.')[0]);
  return `${firstOctet & 0xf0}.0.0.0/4`;
}

/** Registers the It()s of one upstream ginkgo.Context; each body runs once, right away, into `sink`. */
export function Context(context: string, sink: Case[]): { It(title: string, body: (f: Framework) => void): void } {
  return {
    It(title, body) {
      const f = new Framework();
      body(f);
      if (!f.k8s || f.k8s.validations.length === 0) throw new Error(`${title}: nothing validated`);
      sink.push(...toCases(context, title, f.k8s));
    },
  };
}

function toCases(context: string, title: string, k8s: KubeManager): Case[] {
  const steps: Array<{ state: State; probes: Probe[] }> = [];
  for (const { state, probe } of k8s.validations) {
    const last = steps.at(-1);
    if (last && JSON.stringify(last.state) === JSON.stringify(state)) last.probes.push(probe);
    else steps.push({ state, probes: [probe] });
  }
  return steps.map((step, i) => ({
    context,
    name: steps.length > 1 ? `${title} [step ${i + 1}]` : title,
    pods: k8s.pods,
    protocols: k8s.protocols,
    ports: k8s.ports,
    ...step.state,
    probes: step.probes,
  }));
}
