/**
 * @module
 * A kind cluster as a LiveProber, with the cluster's own kubeconfig: server-side apply (the
 * API server's verdict) and exec through @kubernetes/client-node (api.ts) — probes from inside
 * the source pods (probe-script.ts), a lookup with the pod's own resolver (nslookup), a GET
 * with curl — objects with `kubectl get -o json`, and reset by deleting what was applied.
 */
import { getCommand, lookupCommand, parseGet, parseLookup } from '../pod-tools.ts';
import { FlatnetError } from '../../../checkers/errors.ts';
import type { LiveFlow, LiveProber, PodRef } from '../../../checkers/grade/index.ts';
import { parseManifests } from '../../../checkers/k8s/manifests.ts';
import type { ProbeResult } from '../../../checkers/truth-table.ts';
import { parseProbeOutput, PROBE_SCRIPT, PROBE_TIMEOUT_S, probeArgs, type Planned } from './probe-script.ts';
import { podSettled, type List, type PodJson } from './readiness.ts';
import { readDrops, withDropEvidence } from './hubble.ts';
import { tail, type Kubectl } from './tools.ts';
import { Refused, type ClusterApi } from './api.ts';

/**
 * After a policy change, how long a CNI takes to program it (estimate: Calico and Cilium do it
 * in well under a second on an idle node; not yet measured on a real host — research §8).
 */
export const POLICY_SETTLE_MS = 1500;

export class KindProber implements LiveProber {
  private readonly kubectl: Kubectl;
  private readonly api: ClusterApi;
  private readonly sctp: boolean;
  private readonly settleMs: number;
  /** The cluster's CNI: on Cilium, a denied probe gets Hubble's drop verdict as evidence (hubble.ts). */
  private readonly cni: string | undefined;
  /** Texts apply() applied, so reset() can delete exactly that. */
  private readonly applied: string[] = [];

  constructor(kubectl: Kubectl, api: ClusterApi, opts: { sctp?: boolean; settleMs?: number; cni?: string } = {}) {
    this.kubectl = kubectl;
    this.api = api;
    this.sctp = opts.sctp ?? false;
    this.settleMs = opts.settleMs ?? POLICY_SETTLE_MS;
    this.cni = opts.cni;
  }

  async apply(text: string, file: string): Promise<{ ok: boolean; problems: string[] }> {
    let objects: Record<string, unknown>[];
    try {
      objects = parseManifests(text, file).map((m) => m.object as Record<string, unknown>);
    } catch (e) {
      return { ok: false, problems: [e instanceof FlatnetError ? e.format() : String(e)] };
    }
    try {
      await this.api.apply(objects);
    } catch (e) {
      if (e instanceof Refused) return { ok: false, problems: [e.message] };
      throw e;
    }
    this.applied.push(text);
    // Pods the answer makes are measured once Ready, as a learner would wait (a timeout is no error: the probes will say).
    const made = objects.filter((o) => o.kind === 'Pod').map((o) => {
      const m = o.metadata as { name?: string; namespace?: string };
      return `${m.namespace ?? 'default'}/${m.name}`;
    });
    const key = (p: PodJson) => `${p.metadata.namespace}/${p.metadata.name}`;
    if (made.length > 0) await this.api.watchPods((pods) => made.every((k) => (pods as PodJson[]).some((p) => key(p) === k && podSettled(p))), 120_000);
    await new Promise((res) => setTimeout(res, this.settleMs));
    return { ok: true, problems: [] };
  }

  async probe(flows: LiveFlow[]): Promise<ProbeResult[]> {
    const out: ProbeResult[] = new Array(flows.length);
    const pods = await this.kubectl.json<List<PodJson & { status?: { podIP?: string; podIPs?: { ip: string }[] } }>>(['get', 'pods', '--all-namespaces'], 'reading the pods');
    const ipOf = new Map(pods.items.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p.status?.podIP]));
    const podIPs = new Set(pods.items.flatMap((p) => (p.status?.podIPs ?? []).map((x) => x.ip)));
    const bySource = new Map<string, Planned[]>();
    flows.forEach((flow, index) => {
      const from = `${flow.from.namespace}/${flow.from.name}`;
      const to = 'ip' in flow.to ? flow.to.ip : `${flow.to.namespace}/${flow.to.name}`;
      const base = { from, to, port: flow.port, protocol: flow.protocol };
      const ip = 'ip' in flow.to ? flow.to.ip : ipOf.get(to);
      if (!ip) return void (out[index] = { ...base, allowed: null, reason: `${to} has no address (not running)` });
      if (!podIPs.has(ip)) return void (out[index] = { ...base, allowed: null, reason: `${ip} is outside the cluster: flatnet never sends test traffic out of it` });
      if (flow.protocol === 'SCTP' && !this.sctp) return void (out[index] = { ...base, allowed: null, reason: 'SCTP unsupported by this kernel' });
      bySource.set(from, [...(bySource.get(from) ?? []), { index, flow, from, to, ip }]);
    });
    await Promise.all(
      [...bySource.values()].map(async (list) => {
        const r = await this.api.exec(list[0]!.flow.from, ['sh', '-c', PROBE_SCRIPT, 'probe', ...probeArgs(list)], { timeoutMs: (PROBE_TIMEOUT_S + 30) * 1000 });
        const failure = r.code !== 0 ? tail(r.stderr || r.stdout, 1) : undefined;
        parseProbeOutput(list, r.stdout, failure).forEach((res, k) => (out[list[k]!.index] = res));
      }),
    );
    if (this.cni !== 'cilium' || !out.some((r) => r.allowed === false)) return out;
    const drops = await readDrops(this.kubectl);
    if (!drops) return out;
    const addresses = flows.map((f) => ({ sourceIP: ipOf.get(`${f.from.namespace}/${f.from.name}`), destinationIP: 'ip' in f.to ? f.to.ip : ipOf.get(`${f.to.namespace}/${f.to.name}`) }));
    return withDropEvidence(out, addresses, drops);
  }

  async resolve(from: PodRef, name: string): Promise<{ addresses: string[] } | { error: string }> {
    return parseLookup(await this.api.exec(from, lookupCommand(name), { timeoutMs: 20_000 }));
  }

  async httpGet(from: PodRef, url: string): Promise<{ status: number } | { error: string }> {
    return parseGet(await this.api.exec(from, getCommand(url), { timeoutMs: 20_000 }));
  }

  async ingressRequest(): Promise<{ error: string }> {
    // kind clusters here are made without an ingress controller; labs that need one ask for the local provider.
    return { error: 'this kind cluster runs no ingress controller: `route` checks run on the local provider' };
  }

  async getObject(kind: string, namespace: string | undefined, name: string): Promise<Record<string, unknown> | undefined> {
    const r = await this.kubectl.run(['get', kind, name, ...(namespace ? ['-n', namespace] : []), '--ignore-not-found', '-o', 'json'], { timeoutMs: 30_000 });
    if (r.code !== 0) {
      if (/doesn't have a resource type/.test(r.stderr)) return undefined;
      throw new FlatnetError('KindStepFailed', `reading ${kind} ${name}: ${tail(r.stderr)}`, {}, 'check that the cluster is running (`npx flatnet cluster status --provider kind`)');
    }
    return r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, unknown>) : undefined;
  }

  async reset(): Promise<void> {
    for (const text of this.applied.splice(0).reverse()) await this.kubectl.run(['delete', '-f', '-', '--ignore-not-found', '--wait=true'], { input: text, timeoutMs: 120_000 });
    await new Promise((res) => setTimeout(res, this.settleMs));
  }
}
