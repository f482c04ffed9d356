/**
 * @module
 * The embedded cluster behind the Provider interface: create/destroy are `cluster up/down`,
 * everything else goes through the cluster's control socket. Its CNI is flatnet's own
 * (ptp + host-local, policy compiled from the engine into iptables), so it enforces
 * NetworkPolicy exactly as the engine reads it, ipBlock on pod traffic included.
 */
import { existsSync } from 'node:fs';
import { FlatnetError } from '../../../checkers/errors.ts';
import type { PodRef } from '../../../checkers/grade/index.ts';
import type { Capabilities, ClusterInfo, ClusterSpec, ExecResult, ProgressEvent, Provider } from '../provider.ts';
import { call, daemonInfo, settle } from './client.ts';
import { down, downAll, up } from './lifecycle.ts';
import { clusterDir, stateRoot } from './config.ts';
import { freeOwner, readOwner } from './owner.ts';
import { join } from 'node:path';
import { LocalProber } from './prober.ts';
import { BASELINE } from '../../../checkers/lab/baseline.ts';

/** The stages `cluster up` reports, in order, so progress can say "step 2 of 3". */
const STAGES = ['Starting control plane', 'Starting CoreDNS', 'Ready'];
const SYSTEM_NAMESPACES = new Set(['default', ...BASELINE.namespaces.map((n) => n.name)]);

export interface LocalProviderOptions {
  /** Run every cluster as a user of its own (root only): see owner.ts. */
  ownUsers?: boolean;
}

export class LocalProvider implements Provider {
  readonly name = 'local' as const;
  private readonly ownUsers: boolean;

  constructor(opts: LocalProviderOptions = {}) {
    this.ownUsers = opts.ownUsers ?? false;
  }

  capabilities(spec: ClusterSpec): Capabilities {
    if (spec.cni && spec.cni !== 'flatnet') throw new FlatnetError('UnsupportedCni', `the local provider runs flatnet's own CNI, not ${spec.cni}`, {}, 'use --provider kind for Calico or Cilium');
    return { provider: 'local', cni: 'flatnet', enforcesNetworkPolicy: true, ipBlockMatchesPods: true, sctp: existsSync('/proc/net/sctp') };
  }

  async create(spec: ClusterSpec, progress: (e: ProgressEvent) => void): Promise<ClusterInfo> {
    const capabilities = this.capabilities(spec);
    const options = {
      ...(spec.nodes !== undefined ? { nodes: spec.nodes } : {}),
      ...(spec.network ? { network: spec.network } : {}),
      ...(spec.proxyMode ? { proxyMode: spec.proxyMode } : {}),
      ...(spec.ingress ? { ingress: true } : {}),
      ...(this.ownUsers ? { owner: freeOwner(join(stateRoot(), 'clusters')) } : {}),
    };
    await up(spec.name, { stage: (stage) => progress({ stage, step: Math.max(1, STAGES.indexOf(stage) + 1), of: STAGES.length }) }, options);
    return { name: spec.name, kubeconfig: this.kubeconfig(spec.name), capabilities };
  }

  async status(name: string): Promise<'running' | 'missing'> {
    return daemonInfo(name) ? 'running' : 'missing';
  }

  kubeconfig(name: string): string {
    const info = daemonInfo(name);
    if (!info) throw new FlatnetError('ClusterNotRunning', `cluster "${name}" is not running`, {}, `start it with \`npx flatnet cluster up --name ${name}\``);
    return info.kubeconfig;
  }

  async apply(name: string, objects: Record<string, unknown>[]): Promise<void> {
    const isNs = (o: Record<string, unknown>) => o.kind === 'Namespace';
    await call(name, 'POST', '/apply', { objects: objects.filter(isNs) });
    await call(name, 'POST', '/apply', { objects: objects.filter((o) => !isNs(o)) });
  }

  async waitReady(name: string, timeoutMs: number): Promise<void> {
    const t0 = performance.now();
    for (;;) {
      const s = await call<{ pods: { namespace: string; name: string; ready: boolean; phase?: string; reason: string | null }[] }>(name, 'GET', '/status');
      // Pods that ran to completion count as settled; the rest must be Ready.
      const waiting = s.pods.filter((p) => !p.ready && p.phase !== 'Succeeded' && p.phase !== 'Failed');
      if (waiting.length === 0) break;
      if (performance.now() - t0 > timeoutMs) {
        const list = waiting.map((p) => `${p.namespace}/${p.name}${p.reason ? ` (${p.reason})` : ''}`).join(', ');
        throw new FlatnetError('PodsNotReady', `pods not Ready after ${Math.round(timeoutMs / 1000)}s: ${list}`, {}, 'look at them with `kubectl describe pod` (images, commands)');
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await settle(name);
  }

  exec(name: string, pod: PodRef, argv: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
    return call<ExecResult>(name, 'POST', '/exec', { namespace: pod.namespace, name: pod.name, argv, input: opts.input, timeoutMs: opts.timeoutMs });
  }

  prober(name: string): LocalProber {
    return new LocalProber(name);
  }

  async reset(name: string, keep: readonly string[] = []): Promise<void> {
    const { objects } = await call<{ objects: { metadata: { name: string } }[] }>(name, 'GET', '/objects?resource=namespaces');
    const doomed = objects.map((o) => o.metadata.name).filter((n) => !SYSTEM_NAMESPACES.has(n) && !keep.includes(n));
    for (const ns of doomed) await call(name, 'POST', '/delete', { resource: 'namespaces', name: ns });
    // Deleting a namespace is graceful (its pods stop first): wait until they are gone.
    const t0 = performance.now();
    while (performance.now() - t0 < 60_000) {
      const left = await call<{ objects: { metadata: { name: string } }[] }>(name, 'GET', '/objects?resource=namespaces');
      if (!left.objects.some((o) => doomed.includes(o.metadata.name))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // What the learner did in namespaces that stay (default): policies and Services they added go too.
    for (const resource of ['networkpolicies', 'pods', 'services'] as const) {
      const { objects: items } = await call<{ objects: { metadata: { name: string } }[] }>(name, 'GET', `/objects?resource=${resource}&namespace=default`);
      for (const o of items) if (!(resource === 'services' && o.metadata.name === 'kubernetes')) await call(name, 'POST', '/delete', { resource, namespace: 'default', name: o.metadata.name });
    }
  }

  owner(name: string): number | undefined {
    return readOwner(clusterDir(name));
  }

  async destroy(name: string): Promise<void> {
    await down(name);
  }

  destroyLeaked(): Promise<string[]> {
    return downAll();
  }
}
