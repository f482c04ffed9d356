/**
 * @module
 * Real kind clusters with Calico, Cilium or kindnet behind the Provider interface. Creating
 * one runs the plan in actions/ (nodes, CNI, images, a CNI-aware wait, with the tools the CNIs'
 * docs use); inside the cluster, apply, the wait for pods and exec go through
 * @kubernetes/client-node (api.ts), lists and deletes through kubectl, both with the cluster's
 * own kubeconfig. Versions: versions.ts.
 */
import { existsSync } from 'node:fs';
import type { PodRef } from '../../../checkers/grade/index.ts';
import { kindErrors } from '../../../checkers/errors.ts';
import type { Capabilities, ClusterInfo, ClusterSpec, ExecResult, ProgressEvent, Provider } from '../provider.ts';
import type { KindContext } from './actions/action.ts';
import { deleteCluster } from './actions/delete-cluster.ts';
import { findClusters } from './actions/find-clusters.ts';
import { loadImages } from './actions/load-images.ts';
import { createPlan, runPlan } from './actions/plan.ts';
import { kindCapabilities } from './cni.ts';
import { CLUSTER_PREFIX, kindCni, kindName, validateName, type KindOptions } from './config.ts';
import { ClusterApi, Refused } from './api.ts';
import { KindProber, POLICY_SETTLE_MS } from './prober.ts';
import { describe, podSettled, type List, type PodJson } from './readiness.ts';
import { removeShells, shellCommand, writeInternalKubeconfig } from './shell.ts';
import { clusterStateDir, kubeconfigPath, prepareStateDir, readRecord, removeState, writeRecord } from './state.ts';
import { hostRunner, Kubectl, type Runner } from './tools.ts';

export interface KindProviderOptions extends KindOptions {
  /** How the tools are run (tests record them); default: the real ones on PATH. */
  runner?: Runner;
  /** How long the CNI may take to come up (default 10 minutes: cold image pulls). */
  networkTimeoutMs?: number;
  pollMs?: number;
  /** Pause after a policy change before probing (default POLICY_SETTLE_MS). */
  settleMs?: number;
  /** destroyLeaked removes only clusters with state under this FLATNET_STATE_DIR (a server's own). */
  ownStateOnly?: boolean;
}

/** Cluster-wide policies of each CNI that a learner could have created: reset deletes them too (research §4.3). */
const CLUSTER_POLICIES = ['globalnetworkpolicies.crd.projectcalico.org', 'ciliumclusterwidenetworkpolicies.cilium.io'];

export class KindProvider implements Provider {
  readonly name = 'kind' as const;
  readonly prefersReset = true;
  private readonly options: KindProviderOptions;
  private readonly runner: Runner;

  constructor(options: KindProviderOptions = {}) {
    this.options = options;
    this.runner = options.runner ?? hostRunner;
  }

  capabilities(spec: ClusterSpec): Capabilities {
    return kindCapabilities(kindCni(spec), existsSync('/proc/net/sctp'));
  }

  async create(spec: ClusterSpec, progress: (e: ProgressEvent) => void): Promise<ClusterInfo> {
    validateName(spec.name);
    const cni = kindCni(spec);
    const capabilities = this.capabilities(spec);
    prepareStateDir(spec.name);
    const kubeconfig = kubeconfigPath(spec.name);
    const images = [...new Set(spec.images ?? [])];
    const ctx: KindContext = {
      name: spec.name,
      cluster: kindName(spec.name),
      spec,
      cni,
      options: this.options,
      kubeconfig,
      runner: this.runner,
      kubectl: new Kubectl(kubeconfig, this.runner),
      networkTimeoutMs: this.options.networkTimeoutMs ?? 10 * 60_000,
      images,
      pollMs: this.options.pollMs ?? 2000,
    };
    await runPlan(createPlan(cni, images), ctx, progress);
    await writeInternalKubeconfig(this.runner, spec.name);
    const namespaces = await ctx.kubectl.json<List<{ metadata: { name: string } }>>(['get', 'namespaces'], 'reading the namespaces');
    writeRecord({ name: spec.name, cni, nodes: spec.nodes ?? 1, systemNamespaces: namespaces.items.map((n) => n.metadata.name), images });
    return { name: spec.name, kubeconfig, capabilities };
  }

  async status(name: string): Promise<'running' | 'missing'> {
    if (!(await findClusters(this.runner)).includes(kindName(name)) || !existsSync(kubeconfigPath(name))) return 'missing';
    const r = await this.kubectl(name).run(['get', 'namespace', 'kube-system', '-o', 'name'], { timeoutMs: 15_000 });
    return r.code === 0 ? 'running' : 'missing';
  }

  kubeconfig(name: string): string {
    const path = kubeconfigPath(name);
    if (!existsSync(path)) throw kindErrors.notRunning(name);
    return path;
  }

  async apply(name: string, objects: Record<string, unknown>[]): Promise<void> {
    await this.preload(name, objects);
    const isNs = (o: Record<string, unknown>) => o.kind === 'Namespace';
    const items = [...objects.filter(isNs), ...objects.filter((o) => !isNs(o))];
    try {
      await this.api(name).apply(items);
    } catch (e) {
      if (e instanceof Refused) throw kindErrors.toolFailed('applying objects', 'server-side apply', e.message, 'the API server rejected it: correct what it names');
      throw e;
    }
  }

  async waitReady(name: string, timeoutMs: number): Promise<void> {
    const { pods, settled } = await this.api(name).watchPods((all) => all.every((p) => podSettled(p as PodJson)), timeoutMs);
    if (!settled) throw kindErrors.podsNotReady(Math.round(timeoutMs / 1000), (pods as PodJson[]).filter((p) => !podSettled(p)).map(describe).join(', '), this.kubeconfig(name));
  }

  exec(name: string, pod: PodRef, argv: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
    return this.api(name).exec(pod, argv, opts);
  }

  prober(name: string): KindProber {
    return new KindProber(this.kubectl(name), this.api(name), { sctp: existsSync('/proc/net/sctp'), settleMs: this.options.settleMs ?? POLICY_SETTLE_MS, cni: readRecord(name)?.cni });
  }

  shell(name: string): string[] {
    return shellCommand(name);
  }

  async reset(name: string, keep: readonly string[] = []): Promise<void> {
    await removeShells(this.runner, name);
    const kubectl = this.kubectl(name);
    const system = new Set(readRecord(name)?.systemNamespaces ?? ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);
    system.add('default');
    const all = await kubectl.json<List<{ metadata: { name: string } }>>(['get', 'namespaces'], 'reading the namespaces');
    const doomed = all.items.map((n) => n.metadata.name).filter((n) => !system.has(n) && !keep.includes(n));
    if (doomed.length > 0) await kubectl.run(['delete', 'namespace', ...doomed, '--wait=true', '--timeout=120s'], { timeoutMs: 150_000 });
    // What the learner did in namespaces that stay (default), and cluster-wide CNI policies.
    await kubectl.run(['delete', 'networkpolicies,pods', '--all', '-n', 'default', '--wait=true', '--timeout=60s'], { timeoutMs: 90_000 });
    const services = await kubectl.json<List<{ metadata: { name: string } }>>(['get', 'services', '-n', 'default'], 'reading the Services');
    const extra = services.items.map((s) => s.metadata.name).filter((s) => s !== 'kubernetes');
    if (extra.length > 0) await kubectl.run(['delete', 'services', '-n', 'default', ...extra], { timeoutMs: 60_000 });
    for (const resource of CLUSTER_POLICIES) await kubectl.run(['delete', resource, '--all', '--ignore-not-found'], { timeoutMs: 60_000 });
  }

  async destroy(name: string): Promise<void> {
    await removeShells(this.runner, name);
    await deleteCluster(this.runner, kindName(name), kubeconfigPath(name));
    removeState(name);
  }

  async destroyLeaked(): Promise<string[]> {
    const removed: string[] = [];
    // One at a time, each with its own kubeconfig: kind locks the kubeconfig it edits (research §4.4).
    for (const cluster of await findClusters(this.runner)) {
      const name = cluster.slice(CLUSTER_PREFIX.length);
      // A server's own clusters only: the user's `flatnet cluster up --provider kind` ones are not leaks.
      if (this.options.ownStateOnly && !existsSync(clusterStateDir(name))) continue;
      await removeShells(this.runner, name);
      await deleteCluster(this.runner, cluster, kubeconfigPath(name));
      removeState(name);
      removed.push(cluster);
    }
    return removed;
  }

  /** Loads the images of these pods that the nodes do not hold yet (kind nodes pull nothing a lab needs). */
  private async preload(name: string, objects: Record<string, unknown>[]): Promise<void> {
    const record = readRecord(name);
    if (!record) return;
    const wanted = objects
      .filter((o) => o.kind === 'Pod')
      .flatMap((o) => {
        const spec = (o.spec ?? {}) as { containers?: { image?: string }[]; initContainers?: { image?: string }[] };
        return [...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c) => c.image).filter((i): i is string => !!i);
      });
    const missing = [...new Set(wanted)].filter((i) => !record.images.includes(i));
    if (missing.length === 0) return;
    await loadImages({ runner: this.runner, cluster: kindName(name) }, missing);
    writeRecord({ ...record, images: [...record.images, ...missing] });
  }

  /** The cluster's API through @kubernetes/client-node (api.ts). */
  private api(name: string): ClusterApi {
    return new ClusterApi(this.kubeconfig(name));
  }

  private kubectl(name: string): Kubectl {
    return new Kubectl(this.kubeconfig(name), this.runner);
  }
}
