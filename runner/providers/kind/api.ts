/**
 * @module
 * A kind cluster's API through @kubernetes/client-node, with the cluster's own kubeconfig:
 * server-side apply, a watch on pods, and exec over the API server's WebSocket (the same
 * v5/v4 channel protocol kubectl speaks). The CNI's install stays with the tools its docs
 * give (kubectl create -f URL, helm): what they do is theirs to define.
 */
import { Readable, Writable } from 'node:stream';
import type * as ClientNode from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject, KubernetesObjectApi, V1Pod, V1Status } from '@kubernetes/client-node';
import type { PodRef } from '../../../checkers/grade/index.ts';
import type { ExecResult } from '../provider.ts';

/** The API server refused an object; the message is its own, with the object named. */
export class Refused extends Error {}

/** What flatnet's writes are recorded as (managedFields), like kubectl's "kubectl-client-side-apply". */
const FIELD_MANAGER = 'flatnet';

/** The client, loaded on first use: the local cluster's processes never need it (docs/0002-bundles.md). */
type Client = typeof ClientNode;
let client: Promise<Client> | undefined;
const load = () => (client ??= import('@kubernetes/client-node'));

export class ClusterApi {
  private readonly kubeconfig: string;
  private ready: Promise<{ k: Client; kc: KubeConfig; objects: KubernetesObjectApi }> | undefined;

  constructor(kubeconfig: string) {
    this.kubeconfig = kubeconfig;
  }

  private connect() {
    return (this.ready ??= load().then((k) => {
      const kc = new k.KubeConfig();
      kc.loadFromFile(this.kubeconfig);
      return { k, kc, objects: k.KubernetesObjectApi.makeApiClient(kc) };
    }));
  }

  /**
   * Server-side apply of each object, in order (namespaces first is the caller's order). Throws
   * with the API server's own message for the first it refuses.
   */
  async apply(objects: readonly Record<string, unknown>[]): Promise<void> {
    const { k, objects: api } = await this.connect();
    for (const o of objects) {
      try {
        // The client serializes through its typed models: a plain object must be read into one
        // first (loadYaml), or fields the models rename are dropped (NetworkPolicy's `from`).
        await api.patch(k.loadYaml<KubernetesObject>(JSON.stringify(o)), undefined, undefined, FIELD_MANAGER, true, k.PatchStrategy.ServerSideApply);
      } catch (e) {
        throw new Refused(`${String(o.kind)} "${String((o.metadata as { name?: string } | undefined)?.name)}": ${apiMessage(e)}`);
      }
    }
  }

  /**
   * Lists every pod, then watches them from that list's version until `settled` holds for the
   * set, or `timeoutMs` passes; resolves with the last set either way.
   */
  async watchPods(settled: (pods: V1Pod[]) => boolean, timeoutMs: number): Promise<{ pods: V1Pod[]; settled: boolean }> {
    const { k, kc, objects } = await this.connect();
    const deadline = Date.now() + timeoutMs;
    const key = (p: V1Pod) => `${p.metadata?.namespace}/${p.metadata?.name}`;
    const list = await objects.list<V1Pod>('v1', 'Pod');
    const pods = new Map(list.items.map((p) => [key(p), p]));
    if (settled([...pods.values()]) || timeoutMs <= 0) return { pods: [...pods.values()], settled: settled([...pods.values()]) };
    return new Promise((resolve, reject) => {
      let abort: AbortController | undefined;
      let finished = false;
      const finish = (ok: boolean) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        abort?.abort();
        resolve({ pods: [...pods.values()], settled: ok });
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      new k.Watch(kc)
        .watch(
          '/api/v1/pods',
          { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: false },
          (phase: string, pod: V1Pod) => {
            if (phase === 'DELETED') pods.delete(key(pod));
            else if (phase === 'ADDED' || phase === 'MODIFIED') pods.set(key(pod), pod);
            if (settled([...pods.values()])) finish(true);
          },
          (err: unknown) => {
            if (finished) return;
            // The server may end a watch at any time: take stock, and the caller's timeout still holds.
            if (err && !(err instanceof Error && err.name === 'AbortError')) reject(new Error(`watching pods: ${apiMessage(err)}`));
            else {
              finished = true;
              clearTimeout(timer);
              this.watchPods(settled, Math.max(0, deadline - Date.now())).then(resolve, reject);
            }
          },
        )
        .then((a) => {
          abort = a;
          if (finished) a.abort();
        }, reject);
    });
  }

  /** Runs `argv` in the pod's first container; the exit code comes from the API server's final Status. */
  async exec(pod: PodRef, argv: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const sink = (to: Buffer[]) => new Writable({ write: (chunk: Buffer, _enc, done) => (to.push(Buffer.from(chunk)), done()) });
    const container = await this.firstContainer(pod);
    const { k, kc } = await this.connect();
    return new Promise((resolve, reject) => {
      let status: V1Status | undefined;
      const stdin = opts.input !== undefined ? Readable.from([Buffer.from(opts.input)]) : null;
      new k.Exec(kc)
        .exec(pod.namespace, pod.name, container, argv, sink(out), sink(err), stdin, false, (s) => (status = s))
        .then((ws) => {
          const timer = setTimeout(() => ws.close(), opts.timeoutMs ?? 60_000);
          ws.on('close', () => {
            clearTimeout(timer);
            resolve({ code: exitCode(status), stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
          });
        }, (e: unknown) => reject(new Error(`exec in ${pod.namespace}/${pod.name}: ${apiMessage(e)}`)));
    });
  }

  private async firstContainer(pod: PodRef): Promise<string> {
    const { objects } = await this.connect();
    const p = await objects.read<V1Pod>({ apiVersion: 'v1', kind: 'Pod', metadata: { name: pod.name, namespace: pod.namespace } });
    const name = p.spec?.containers[0]?.name;
    if (!name) throw new Error(`pod ${pod.namespace}/${pod.name} has no container`);
    return name;
  }
}

/** The exit code a final Status carries: 0 on Success, the ExitCode cause on failure, 1 when none came (cut off). */
export function exitCode(status: V1Status | undefined): number {
  if (!status) return 1;
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  return cause?.message ? Number(cause.message) : 1;
}

/** The API server's own words from a client-node error (its Status body), else the error's message. */
export function apiMessage(e: unknown): string {
  const body = (e as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: string };
      if (parsed.message) return parsed.message;
    } catch {
      if (body.trim()) return body.trim();
    }
  }
  if (body && typeof body === 'object' && 'message' in body) return String((body as { message: unknown }).message);
  return e instanceof Error ? e.message : String(e);
}
