/**
 * @module
 * The local cluster as a LiveProber: what live grading asks of a cluster, done through the
 * cluster's control socket — apply with the API server's validation, probes from inside
 * pods, a lookup with the pod's own resolver (busybox nslookup), a GET with curl.
 */
import { getCommand, lookupCommand, parseGet, parseLookup } from '../pod-tools.ts';
import { FlatnetError } from '../../../checkers/errors.ts';
import type { IngressAnswer, LiveFlow, LiveProber, PodRef } from '../../../checkers/grade/index.ts';
import { parseManifests } from '../../../checkers/k8s/manifests.ts';
import type { ProbeResult } from '../../../checkers/truth-table.ts';
import { call, settle as settleRules } from './client.ts';
import type { RunResult } from './exec.ts';
import { RESOURCES, resourceOfKind, type KObject, type Resource } from './store/types.ts';

export class LocalProber implements LiveProber {
  private readonly cluster: string;
  /** What apply() created, so reset() can take it away again. */
  private readonly applied: { resource: Resource; namespace?: string; name: string }[] = [];

  constructor(cluster: string) {
    this.cluster = cluster;
  }

  async apply(text: string, file: string): Promise<{ ok: boolean; problems: string[] }> {
    let objects: KObject[];
    try {
      objects = parseManifests(text, file).map((m) => m.object as KObject);
    } catch (e) {
      return { ok: false, problems: [e instanceof FlatnetError ? e.format() : String(e)] };
    }
    try {
      await call(this.cluster, 'POST', '/apply', { objects });
    } catch (e) {
      return { ok: false, problems: [(e as Error).message] };
    }
    for (const o of objects) {
      const resource = resourceOfKind(o.kind);
      if (resource) this.applied.push({ resource, name: o.metadata.name, ...(RESOURCES[resource].namespaced ? { namespace: o.metadata.namespace ?? 'default' } : {}) });
    }
    await this.podsReady(objects.filter((o) => o.kind === 'Pod').map((o) => `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`));
    await this.settle();
    return { ok: true, problems: [] };
  }

  /**
   * An answer that makes pods is measured once they run, as a learner would wait for Ready:
   * probing a pod still starting would fail the answer for the wrong reason.
   */
  private async podsReady(names: string[], timeoutMs = 30_000): Promise<void> {
    if (names.length === 0) return;
    const t0 = performance.now();
    while (performance.now() - t0 < timeoutMs) {
      const { pods } = await call<{ pods: { namespace: string; name: string; ready: boolean; phase?: string }[] }>(this.cluster, 'GET', '/status');
      const settled = (n: string) => pods.some((p) => `${p.namespace}/${p.name}` === n && (p.ready || p.phase === 'Succeeded' || p.phase === 'Failed'));
      if (names.every(settled)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    // Not Ready in time: grading goes on, and the probes say what they find.
  }

  async probe(flows: LiveFlow[]): Promise<ProbeResult[]> {
    return (await call<{ results: ProbeResult[] }>(this.cluster, 'POST', '/probe', { flows })).results;
  }

  async resolve(from: PodRef, name: string): Promise<{ addresses: string[] } | { error: string }> {
    return parseLookup(await this.exec(from, lookupCommand(name)));
  }

  async httpGet(from: PodRef, url: string): Promise<{ status: number } | { error: string }> {
    return parseGet(await this.exec(from, getCommand(url)));
  }

  async ingressRequest(url: string): Promise<IngressAnswer | { error: string }> {
    return (await call<{ result: IngressAnswer | { error: string } }>(this.cluster, 'POST', '/ingress-request', { url })).result;
  }

  async getObject(kind: string, namespace: string | undefined, name: string): Promise<Record<string, unknown> | undefined> {
    const resource = resourceOfKind(kind);
    if (!resource) return undefined;
    const q = new URLSearchParams({ resource, ...(namespace && RESOURCES[resource].namespaced ? { namespace } : {}) });
    const { objects } = await call<{ objects: KObject[] }>(this.cluster, 'GET', `/objects?${q}`);
    return objects.find((o) => o.metadata.name === name);
  }

  async reset(): Promise<void> {
    for (const o of this.applied.splice(0).reverse()) await call(this.cluster, 'POST', '/delete', o).catch(() => undefined);
    await this.settle();
  }

  private async settle(): Promise<void> {
    await settleRules(this.cluster);
  }

  private exec(from: PodRef, argv: string[]): Promise<RunResult> {
    return call<RunResult>(this.cluster, 'POST', '/exec', { namespace: from.namespace, name: from.name, argv, timeoutMs: 15_000 });
  }
}
