/**
 * @module
 * The one seam between the runner and a cluster: every provider (`local`, the embedded
 * cluster; `kind`, real kind clusters with Calico or Cilium) implements Provider, and
 * everything above it — lab sessions, live grading, the terminal — speaks only this. A
 * provider knows nothing about the site, and the site nothing about providers.
 */
import type { LiveProber, PodRef } from '../../checkers/grade/index.ts';

export type ProviderName = 'local' | 'kind';
/** The CNI that wires pods and enforces policy: flatnet's own (local), or kind's choices. */
export type CniName = 'flatnet' | 'calico' | 'cilium' | 'kindnet';

export interface ClusterSpec {
  /** Short lowercase DNS label; the provider prefixes what it creates (kind: `flatnet-<name>`). */
  name: string;
  cni?: CniName;
  nodes?: number;
  /** How pod traffic crosses between nodes (local provider; docs/0005-multi-node.md). Default: vxlan with several nodes. */
  network?: 'routed' | 'vxlan' | 'ipip' | 'geneve';
  /** How kube-proxy programs Services (default iptables); kind: its networking.kubeProxyMode. */
  proxyMode?: 'iptables' | 'nftables' | 'ipvs';
  /** An ingress controller serving IngressClass `flatnet` (local provider; docs/0006). */
  ingress?: boolean;
  /** Images the cluster should hold before pods use them (a lab's); providers that need no registry ignore it. */
  images?: string[];
}

/** One step of provisioning, for a real progress bar: `step` of `of`, with the stage's name. */
export interface ProgressEvent {
  stage: string;
  step: number;
  of: number;
}

/** What a cluster can do; the grader and `flatnet lab validate` read these. */
export interface Capabilities {
  provider: ProviderName;
  cni: CniName;
  enforcesNetworkPolicy: boolean;
  /** False on Cilium: ipBlock peers do not match pod-to-pod traffic (identity-based policy). */
  ipBlockMatchesPods: boolean;
  /** Whether SCTP flows can be probed (the kernel has SCTP). */
  sctp: boolean;
}

export interface ClusterInfo {
  name: string;
  kubeconfig: string;
  capabilities: Capabilities;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Provider {
  readonly name: ProviderName;
  /** What a cluster made from `spec` will be able to do, before it exists. */
  capabilities(spec: ClusterSpec): Capabilities;
  /** Provisions a cluster, reporting each stage; it is ready for kubectl when this resolves. */
  create(spec: ClusterSpec, progress: (e: ProgressEvent) => void): Promise<ClusterInfo>;
  /** Whether the cluster exists and answers. */
  status(name: string): Promise<'running' | 'missing'>;
  /** Path of a kubeconfig for this cluster only. */
  kubeconfig(name: string): string;
  /** Creates or updates objects (kubectl apply semantics); namespaces first. */
  apply(name: string, objects: Record<string, unknown>[]): Promise<void>;
  /** Resolves when every pod is Ready and the network rules are in place; throws with the stragglers after `timeoutMs`. */
  waitReady(name: string, timeoutMs: number): Promise<void>;
  /** Runs a command in a pod's (first) container. */
  exec(name: string, pod: PodRef, argv: string[], opts?: { input?: string; timeoutMs?: number }): Promise<ExecResult>;
  /** The cluster as live grading sees it. */
  prober(name: string): LiveProber;
  /** Back to a fresh cluster for the next learner: deletes every namespace but `keep` and the system ones. */
  reset(name: string, keep?: readonly string[]): Promise<void>;
  destroy(name: string): Promise<void>;
  /**
   * The uid the cluster's processes run as, where the provider gives each cluster a user of
   * its own: the learner's shell runs as it too, so it can enter the cluster's node and no other.
   */
  owner?(name: string): number | undefined;
  /**
   * Where a learner's shell for this cluster runs, when not on the runner's host: a command to
   * start it on a terminal (kind: an unprivileged tools container on the cluster's network).
   */
  shell?(name: string): string[];
  /** Making a cluster costs minutes (kind): a used one is reset for the next learner, not destroyed. */
  readonly prefersReset?: boolean;
  /** Destroys every cluster this provider made that is still around (after a crash); returns what it removed. */
  destroyLeaked(): Promise<string[]>;
}
