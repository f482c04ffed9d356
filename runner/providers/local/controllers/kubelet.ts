/**
 * @module
 * The kubelet of one `local` node: turns the Pod objects bound to it into pod sandboxes and container
 * processes, reports their status as Kubernetes does (phase, conditions, podIP,
 * containerStatuses, restartCount), restarts exited containers per restartPolicy with the
 * kubelet's back-off, keeps logs, and finishes graceful deletion.
 */
import { ensureBundle, PROJECT_ROOT } from '../../../build/bundle.ts';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlatnetError } from '../../../../checkers/errors.ts';
import { CLUSTER_DOMAIN, DNS_SERVICE_IP } from '../config.ts';
import { profileFor } from '../images/profiles.ts';
import { requireProfile, type ContainerSpec, type PodNetwork, type PodRuntime, type PodSpec, type RunningContainer, type Stream } from '../pods/runtime.ts';
import type { ObjectStore } from '../store/store.ts';
import { logFile } from '../api/logs.ts';
import type { KObject, WatchEvent } from '../store/types.ts';
import type { Recorder } from './events.ts';
import { serviceEnv } from './service-env.ts';
import { debug } from '../../../log.ts';

/** The DNS server the coredns pods run; they run its bundle when there is one (see rootfs.ts). */
export const DNS_MAIN = fileURLToPath(new URL('../dns/main.ts', import.meta.url));
/** The ingress controller the ingress-flatnet pods run, the same way. */
export const INGRESS_MAIN = fileURLToPath(new URL('../ingress/main.ts', import.meta.url));
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
/** The kubelet's crash back-off: 10 s doubling to 5 min. */
const backoffMs = (restarts: number) => Math.min(10_000 * 2 ** Math.max(0, restarts - 1), 300_000);

interface ContainerState {
  spec: Record<string, unknown>;
  running?: RunningContainer;
  restartCount: number;
  state: Record<string, unknown>;
  lastState: Record<string, unknown>;
  timer?: NodeJS.Timeout;
  log?: WriteStream;
  /** Settles once the running container's output has all been written to `log`. */
  logged?: Promise<void>;
}

interface PodState {
  /** performance.now() when the kubelet first saw the pod, and when it became Ready (for benchmarks). */
  seenAt: number;
  readyAt?: number;
  uid: string;
  namespace: string;
  name: string;
  network?: PodNetwork;
  containers: Map<string, ContainerState>;
  terminating: boolean;
  /** Serialises work on one pod. */
  chain: Promise<void>;
  retries?: number;
}

export interface KubeletOptions {
  node: string;
  hostIP: string;
  logDir: string;
  recordsDir: string;
  /** Where the daemon writes the ingress controller's table (ingress/table-file.ts). */
  ingressDir: string;
}

export class Kubelet {
  private readonly pods = new Map<string, PodState>();
  private readonly store: ObjectStore;
  private readonly runtime: PodRuntime;
  private readonly events: Recorder;
  private readonly opts: KubeletOptions;
  private stopWatch: (() => void) | undefined;

  constructor(store: ObjectStore, runtime: PodRuntime, events: Recorder, opts: KubeletOptions) {
    this.store = store;
    this.runtime = runtime;
    this.events = events;
    this.opts = opts;
  }

  /** Takes over every pod in the store (after a restart too), then follows changes. */
  start(): void {
    this.stopWatch = this.store.watch((e) => this.onEvent(e));
    for (const pod of this.store.list('pods')) this.onEvent({ type: 'ADDED', resource: 'pods', object: pod });
  }

  /** The container a `kubectl exec` enters (first container when none named). */
  container(namespace: string, name: string, container?: string): { running: RunningContainer; name: string } {
    const p = [...this.pods.values()].find((s) => s.namespace === namespace && s.name === name);
    if (!p) throw new FlatnetError('NotFound', `pods "${name}" not found`);
    const entry = container ? [container, p.containers.get(container)] : [...p.containers.entries()][0];
    const [cname, c] = (entry ?? []) as [string | undefined, ContainerState | undefined];
    if (!cname || !c) throw new FlatnetError('NotFound', `container ${container} is not valid for pod ${name}`);
    if (!c.running || c.running.pid === 0) throw new FlatnetError('BadRequest', `container ${cname} is not running in pod ${name}`, {}, 'wait until the pod is Running (kubectl get pods)');
    return { running: c.running, name: cname };
  }

  /**
   * A running container to attach to (kubectl attach, run -it), with what its spec allows.
   * stdinOnce: the container's stdin closes when the first attached client lets go of it,
   * as the kubelet does; the next attach gets no stdin.
   */
  attachTarget(namespace: string, name: string, container?: string): { running: RunningContainer; tty: boolean; releaseStdin(): void } {
    const { running, name: cname } = this.container(namespace, name, container);
    const spec = [...this.pods.values()].find((s) => s.namespace === namespace && s.name === name)!.containers.get(cname)!.spec;
    return {
      running,
      tty: spec.tty === true,
      releaseStdin: () => {
        if (spec.stdinOnce === true) running.stdin?.end();
      },
    };
  }

  /** Milliseconds from the kubelet seeing each pod to its Ready, for pods that got there. */
  readyLatencies(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of this.pods.values()) if (p.readyAt !== undefined) out[`${p.namespace}/${p.name}`] = p.readyAt - p.seenAt;
    return out;
  }

  async stop(): Promise<void> {
    this.stopWatch?.();
    await Promise.all([...this.pods.values()].map((p) => p.chain));
    for (const p of this.pods.values()) for (const c of p.containers.values()) if (c.timer) clearTimeout(c.timer);
  }

  private onEvent(e: WatchEvent): void {
    if (e.resource !== 'pods') return;
    const pod = e.object;
    const uid = pod.metadata.uid!;
    let state = this.pods.get(uid);
    // Each node's kubelet runs the pods bound to it; the scheduler binds the rest first.
    if (!state && pod.spec?.nodeName !== this.opts.node) return;
    if (e.type === 'DELETED') {
      if (state) this.enqueue(state, () => this.teardown(state!, 0));
      return;
    }
    if (!state) {
      state = { seenAt: performance.now(), uid, namespace: pod.metadata.namespace!, name: pod.metadata.name, containers: new Map(), terminating: false, chain: Promise.resolve() };
      this.pods.set(uid, state);
      const s = state;
      this.enqueue(s, () => this.runPod(s, pod));
    }
    if (pod.metadata.deletionTimestamp && !state.terminating) {
      state.terminating = true;
      const grace = Number(pod.metadata.deletionGracePeriodSeconds ?? (pod.spec?.terminationGracePeriodSeconds as number | undefined) ?? 30);
      const s = state;
      this.enqueue(s, async () => {
        await this.teardown(s, grace * 1000);
        try {
          this.store.delete('pods', s.namespace, s.name, 0);
        } catch {
          // already gone
        }
      });
    }
  }

  private enqueue(s: PodState, fn: () => Promise<void>): void {
    s.chain = s.chain.then(fn).catch((err: unknown) => this.fail(s, err));
  }

  /** As the kubelet does: report the failure as an event and try the sandbox again a little later. */
  private fail(s: PodState, err: unknown): void {
    const msg = err instanceof Error ? err.message : String(err);
    debug(`pod ${s.namespace}/${s.name}: ${msg}`);
    const pod = this.store.get('pods', s.namespace, s.name);
    if (!pod || s.terminating || s.network) return;
    this.events.record(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${msg}`);
    s.retries = (s.retries ?? 0) + 1;
    if (s.retries > 5) return;
    setTimeout(() => {
      if (s.terminating || !this.pods.has(s.uid)) return;
      this.enqueue(s, async () => {
        await this.runtime.deleteSandbox(s); // whatever the failed attempt left
        const fresh = this.store.get('pods', s.namespace, s.name);
        if (fresh) await this.runPod(s, fresh);
      });
    }, 1000 * s.retries);
  }

  private async runPod(s: PodState, pod: KObject): Promise<void> {
    const spec = pod.spec as { containers: Record<string, unknown>[] };
    const requested = ((pod.status?.podIPs as { ip: string }[] | undefined) ?? []).map((p) => p.ip);
    const podSpec = this.podSpec(pod, requested.length > 0 ? requested : undefined);
    debug(`pod ${s.namespace}/${s.name}: creating sandbox`);
    s.network = await this.runtime.createSandbox(podSpec).catch(async (err: unknown) => {
      if (!podSpec.ips || !/not available|already allocated|in use/i.test(String(err))) throw err;
      // The address the pod had is taken: undo the half-made sandbox and take a new one.
      debug(`pod ${s.namespace}/${s.name}: ${(err as Error).message}; taking a new address`);
      await this.runtime.deleteSandbox(s);
      return this.runtime.createSandbox({ ...podSpec, ips: undefined });
    });
    // A pod that asked for its addresses keeps their order: status.podIP (the primary) is the first it asked for.
    if (podSpec.ips) {
      const order = podSpec.ips;
      s.network.ips.sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
    }
    debug(`pod ${s.namespace}/${s.name}: network ${s.network.ips.join(',')}`);
    for (const c of spec.containers) s.containers.set(String(c.name), { spec: c, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } }, lastState: {} });
    this.writeStatus(s);
    for (const c of s.containers.values()) await this.startContainer(s, pod, podSpec, c);
  }

  private podSpec(pod: KObject, ips: string[] | undefined): PodSpec {
    const ns = pod.metadata.namespace!;
    const dnsPolicy = (pod.spec?.dnsPolicy as string | undefined) ?? 'ClusterFirst';
    const dns =
      dnsPolicy === 'Default'
        ? { nameserver: '127.0.0.1', searches: ['.'], options: [] as string[] }
        : { nameserver: DNS_SERVICE_IP, searches: [`${ns}.svc.${CLUSTER_DOMAIN}`, `svc.${CLUSTER_DOMAIN}`, CLUSTER_DOMAIN], options: ['ndots:5'] };
    return { uid: pod.metadata.uid!, namespace: ns, name: pod.metadata.name, ips, dns };
  }

  private async startContainer(s: PodState, pod: KObject, podSpec: PodSpec, c: ContainerState): Promise<void> {
    if (s.terminating || !s.network) return;
    const name = String(c.spec.name);
    const image = String(c.spec.image ?? '');
    const fieldPath = `spec.containers{${name}}`;
    try {
      requireProfile(image);
    } catch (err) {
      const msg = (err as FlatnetError).message + ((err as FlatnetError).fix ? ` — ${(err as FlatnetError).fix}` : '');
      this.events.record(pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${msg}`, fieldPath);
      this.events.record(pod, 'Warning', 'Failed', 'Error: ErrImagePull', fieldPath);
      c.state = { waiting: { reason: 'ErrImagePull', message: msg } };
      this.writeStatus(s);
      c.timer = setTimeout(() => {
        c.state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } };
        this.events.record(pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`, fieldPath);
        this.writeStatus(s);
      }, 1000);
      return;
    }
    if (c.restartCount === 0) this.events.record(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`, fieldPath);
    // Pods whose program is ours run this host's Node.js on the project (bind-mounted), reading a
    // file the daemon writes: the DNS records, or the ingress table.
    const profile = profileFor(image)?.name;
    const coredns = profile === 'coredns';
    const ingress = profile === 'ingress';
    const dnsBundle = coredns ? await ensureBundle('dns', DNS_MAIN) : undefined;
    const ingressBundle = ingress ? await ensureBundle('ingress', INGRESS_MAIN) : undefined;
    const spec: ContainerSpec = {
      name,
      image,
      command: c.spec.command as string[] | undefined,
      args: c.spec.args as string[] | undefined,
      workingDir: c.spec.workingDir as string | undefined,
      env: {
        ...(pod.spec?.enableServiceLinks === false ? {} : serviceEnv(this.store, s.namespace)),
        ...envOf(c.spec),
        ...(dnsBundle ? { FLATNET_DNS_MAIN: `/flatnet/app/${relative(PROJECT_ROOT, dnsBundle)}` } : {}),
        ...(ingressBundle ? { FLATNET_INGRESS_MAIN: `/flatnet/app/${relative(PROJECT_ROOT, ingressBundle)}` } : {}),
      },
      stdin: c.spec.stdin === true,
      tty: c.spec.tty === true,
      ports: ((c.spec.ports ?? []) as { containerPort: number; protocol?: string }[]).map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`),
      binds: coredns
        ? [`${process.execPath}:/flatnet/node`, `${PROJECT_ROOT}:/flatnet/app`, `${this.opts.recordsDir}:/flatnet/records`]
        : ingress
          ? [`${process.execPath}:/flatnet/node`, `${PROJECT_ROOT}:/flatnet/app`, `${this.opts.ingressDir}:/flatnet/ingress`]
          : [],
    };
    const running = await this.runtime.startContainer({ ...podSpec, ...s.network }, spec);
    c.running = running;
    debug(`pod ${s.namespace}/${s.name}: container ${name} started (pid ${running.pid})`);
    c.log ??= this.openLog(s, name, c.restartCount);
    c.logged = pipeLog(running, c.log);
    this.events.record(pod, 'Normal', 'Created', `Created container ${name}`, fieldPath);
    this.events.record(pod, 'Normal', 'Started', `Started container ${name}`, fieldPath);
    c.state = { running: { startedAt: now() } };
    this.writeStatus(s);
    void running.exited.then(({ code, signal }) => this.onExit(s, pod, podSpec, c, code, signal));
  }

  private onExit(s: PodState, pod: KObject, podSpec: PodSpec, c: ContainerState, code: number, signal: string | null): void {
    const startedAt = (c.state.running as { startedAt?: string } | undefined)?.startedAt;
    c.running = undefined;
    const terminated = { exitCode: code, ...(signal ? { signal: 0 } : {}), reason: code === 0 ? 'Completed' : 'Error', startedAt, finishedAt: now(), containerID: '' };
    if (s.terminating) {
      c.state = { terminated };
      return;
    }
    const policy = (pod.spec?.restartPolicy as string | undefined) ?? 'Always';
    if (policy === 'Never' || (policy === 'OnFailure' && code === 0)) {
      c.state = { terminated };
      this.writeStatus(s);
      return;
    }
    c.lastState = { terminated };
    c.restartCount++;
    const delay = backoffMs(c.restartCount);
    const name = String(c.spec.name);
    c.state = { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${delay / 1000}s restarting failed container=${name} pod=${s.name}_${s.namespace}(${s.uid})` } };
    this.events.record(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${name} in pod ${s.name}_${s.namespace}(${s.uid})`, `spec.containers{${name}}`);
    this.writeStatus(s);
    closeLog(c);
    c.log = this.openLog(s, name, c.restartCount);
    c.timer = setTimeout(() => this.enqueue(s, () => this.startContainer(s, pod, podSpec, c)), delay);
  }

  private async teardown(s: PodState, graceMs: number): Promise<void> {
    s.terminating = true;
    const pod = this.store.get('pods', s.namespace, s.name);
    await Promise.all(
      [...s.containers.values()].map(async (c) => {
        if (c.timer) clearTimeout(c.timer);
        if (!c.running) return;
        if (pod) this.events.record(pod, 'Normal', 'Killing', `Stopping container ${String(c.spec.name)}`, `spec.containers{${String(c.spec.name)}}`);
        await this.runtime.stopContainer(c.running, graceMs);
        closeLog(c);
      }),
    );
    await this.runtime.deleteSandbox(s);
    this.pods.delete(s.uid);
  }

  private openLog(s: PodState, container: string, restart: number): WriteStream {
    const path = logFile(this.opts.logDir, s, container, restart);
    mkdirSync(dirname(path), { recursive: true });
    return createWriteStream(path, { flags: 'a' });
  }

  private writeStatus(s: PodState): void {
    if (s.terminating) return;
    const containers = [...s.containers.values()];
    const allRunning = containers.length > 0 && containers.every((c) => c.running);
    const allDone = containers.length > 0 && containers.every((c) => c.state.terminated);
    const anyFailed = containers.some((c) => (c.state.terminated as { exitCode?: number } | undefined)?.exitCode);
    const started = containers.every((c) => c.running || c.restartCount > 0 || c.state.terminated);
    const phase = allDone ? (anyFailed ? 'Failed' : 'Succeeded') : started && s.network ? 'Running' : 'Pending';
    const ready = allRunning ? 'True' : 'False';
    if (allRunning && s.readyAt === undefined) s.readyAt = performance.now();
    const notReady = containers.filter((c) => !c.running).map((c) => String(c.spec.name));
    const reason = ready === 'True' ? undefined : 'ContainersNotReady';
    const message = ready === 'True' ? undefined : `containers with unready status: [${notReady.join(' ')}]`;
    this.store.mutate('pods', s.namespace, s.name, (o) => {
      const old = (o.status ?? {}) as Record<string, unknown>;
      const ips = s.network?.ips ?? [];
      o.status = {
        phase,
        conditions: [
          cond('PodReadyToStartContainers', s.network ? 'True' : 'False'),
          cond('Initialized', 'True'),
          cond('Ready', ready, reason, message),
          cond('ContainersReady', ready, reason, message),
          cond('PodScheduled', 'True'),
        ].map((c) => keepTransition(c, old.conditions as Record<string, unknown>[] | undefined)),
        hostIP: this.opts.hostIP,
        hostIPs: [{ ip: this.opts.hostIP }],
        ...(ips.length > 0 ? { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } : {}),
        startTime: (old.startTime as string | undefined) ?? now(),
        containerStatuses: containers.map((c) => ({
          name: String(c.spec.name),
          image: String(c.spec.image ?? ''),
          imageID: '',
          containerID: c.running ? `flatnet://${c.running.pid}` : '',
          ready: !!c.running,
          started: !!c.running,
          restartCount: c.restartCount,
          state: c.state,
          lastState: c.lastState,
        })),
        qosClass: 'BestEffort',
      };
    });
  }
}

function cond(type: string, status: string, reason?: string, message?: string): Record<string, unknown> {
  return { type, status, lastProbeTime: null, lastTransitionTime: now(), ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

/** A condition keeps its lastTransitionTime until its status changes. */
function keepTransition(c: Record<string, unknown>, old: Record<string, unknown>[] | undefined): Record<string, unknown> {
  const prev = old?.find((o) => o.type === c.type);
  return prev && prev.status === c.status ? { ...c, lastTransitionTime: prev.lastTransitionTime } : c;
}

function envOf(spec: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of (spec.env ?? []) as { name: string; value?: string }[]) if (e.value !== undefined) out[e.name] = e.value;
  return out;
}

/** Container output in the CRI log format the kubelet writes: `<time> <stream> F <line>`. */
/** Ends a container's log once its output is all in: a container that exits at once still has lines in flight. */
function closeLog(c: ContainerState): void {
  const log = c.log;
  void (c.logged ?? Promise.resolve()).then(() => log?.end());
}

function pipeLog(c: RunningContainer, log: WriteStream): Promise<void> {
  const rest: Record<Stream, string> = { stdout: '', stderr: '' };
  c.onOutput((stream, b) => {
    const lines = (rest[stream] + b.toString()).split('\n');
    rest[stream] = lines.pop() ?? '';
    for (const l of lines) log.write(`${new Date().toISOString()} ${stream} F ${l}\n`);
  });
  return c.outputDone.then(() => {
    for (const stream of ['stdout', 'stderr'] as const) if (rest[stream]) log.write(`${new Date().toISOString()} ${stream} P ${rest[stream]}\n`);
  });
}
