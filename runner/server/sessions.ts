/**
 * @module
 * Lab sessions: "Start lab" → a cluster in the task's start state (with progress events a
 * progress bar can show) → a terminal with a kubeconfig for that cluster only → live grading
 * → gone, when the learner leaves or a time limit passes. Each session has an unguessable
 * token; nothing of one session is reachable with another's.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFileSync, chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlatnetError } from '../../checkers/errors.ts';
import { findTask, gradeLive, type GradeResult } from '../../checkers/grade/index.ts';
import type { LabBundle } from '../../checkers/lab/sources.ts';
import { labImages, labShape, setUpTask, setUpTimeoutMs, startLabCluster } from '../lab/cluster.ts';
import { chooseProvider } from '../providers/choose.ts';
import type { CniName } from '../providers/provider.ts';
import { silent, type Log } from './log.ts';
import { WarmPool, type Shape } from './pool.ts';
import { run } from '../providers/local/exec.ts';
import type { ProgressEvent, Provider } from '../providers/provider.ts';
import { Terminal } from './terminal.ts';

const FLATNET_BIN = fileURLToPath(new URL('../../bin/flatnet.js', import.meta.url));

/** How long close() waits for provisioning under way before it destroys what remains. */
const CLOSE_WAIT_MS = 90_000;

export type SessionState = 'provisioning' | 'ready' | 'failed' | 'ended';

export type SessionEvent = ({ type: 'progress' } & ProgressEvent) | { type: 'ready'; ms: number } | { type: 'failed'; message: string } | { type: 'ended'; reason: string };

export interface SessionOptions {
  /** Where sessions run unless they ask for another of `providers`. */
  provider: Provider;
  /** Other providers a session may ask for by name (e.g. kind, for Calico or Cilium). */
  providers?: Provider[];
  /** Where session homes live (one folder per session, removed with it). */
  root: string;
  loadLab: (id: string) => LabBundle;
  /** No client for this long ends a session. */
  idleMs: number;
  /** No session lives longer than this. */
  maxMs: number;
  maxSessions: number;
  /** A file listing the ids of sessions this server started, so a restarted server can tell their clients what happened. */
  journal?: string;
  /** Clusters of the default provider kept provisioned, so "Start" only sets up the lab (0: every session makes its own). */
  warm?: number;
  /** Sessions one client (address) may run at once (default 3). */
  maxPerClient?: number;
  /** The structured log (log.ts); silent by default. */
  log?: Log;
}

export class Session {
  readonly id = randomBytes(8).toString('hex');
  readonly token = randomBytes(24).toString('base64url');
  /** Its own cluster, or one taken from the warm pool. */
  cluster = `s-${this.id.slice(0, 10)}`;
  /** Whether `cluster` came ready from a pool (then only the lab is set up). */
  fromPool = false;
  /** Who asked for it (the client's address), for per-client limits and the log. */
  client = 'local';
  readonly createdAt = Date.now();
  lastSeen = Date.now();
  state: SessionState = 'provisioning';
  readyMs: number | undefined;
  readonly events: SessionEvent[] = [];
  private readonly listeners = new Set<(e: SessionEvent) => void>();
  terminal: Terminal | undefined;
  /** The shell being started, so connections that arrive meanwhile share it. */
  starting: Promise<Terminal> | undefined;
  readonly lab: LabBundle;
  /** The task the cluster was last set up for (reset may move to another). */
  taskIndex: number;
  readonly home: string;
  /** The pool its cluster comes from and goes back to: the provider and CNI it runs on. */
  readonly pool: WarmPool;

  /** `root`: the folder session homes live in; this one's is named by its id. */
  constructor(lab: LabBundle, taskIndex: number, root: string, pool: WarmPool) {
    this.lab = lab;
    this.taskIndex = taskIndex;
    this.home = join(root, this.id);
    this.pool = pool;
  }

  get provider(): Provider {
    return this.pool.provider;
  }

  emit(e: SessionEvent): void {
    this.events.push(e);
    for (const l of this.listeners) l(e);
  }

  /** Every event so far, then each new one; returns how to stop listening. */
  follow(fn: (e: SessionEvent) => void): () => void {
    for (const e of this.events) fn(e);
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }
}

/** A lab id from a client names a folder under labs/: nothing else gets near the file system. */
function checkLabId(labId: string): void {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(labId)) throw new FlatnetError('BadLabId', `"${labId}" is not a lab id`, {}, 'use the id of a lab under labs/');
}

/** An unassigned uid per session, far above real users' (Debian gives 1000-59999). */
function sessionUid(s: Session): number {
  return 200_000 + (parseInt(s.id.slice(0, 6), 16) % 800_000);
}

function chownTree(dir: string, uid: number): void {
  chownSync(dir, uid, uid);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) chownTree(p, uid);
    else chownSync(p, uid, uid);
  }
}

export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  private readonly opts: SessionOptions;
  private readonly reaper: NodeJS.Timeout;
  /** For /metrics: how long sessions took to become ready, and how many failed. */
  readonly readyTimes: number[] = [];
  failures = 0;
  /** Provisioning under way, so close() can wait for it (a cluster still being made must not outlive us). */
  private readonly provisioning = new Set<Promise<void>>();
  /** Ready clusters by provider and CNI; the default one is kept `warm` full. */
  private readonly pools = new Map<string, WarmPool>();
  private closed = false;
  /** Sessions of an earlier run of this server, which ended when it stopped. */
  private readonly lost = new Set<string>();

  readonly log: Log;

  constructor(opts: SessionOptions) {
    this.opts = opts;
    this.log = opts.log ?? silent;
    if (opts.journal && existsSync(opts.journal)) {
      for (const id of readFileSync(opts.journal, 'utf8').split('\n')) if (id) this.lost.add(id);
      writeFileSync(opts.journal, '');
    }
    this.reaper = setInterval(() => void this.reap(), 1000);
    this.reaper.unref();
    this.poolFor(opts.provider, undefined);
  }

  get all(): Session[] {
    return [...this.sessions.values()];
  }

  /** Clusters waiting in the default provider's pool. */
  get warm(): number {
    return this.poolFor(this.opts.provider, undefined).length;
  }

  /** Work a pool started (making, resetting, destroying clusters), so close() can wait for it. */
  private track = (p: Promise<unknown>): void => {
    const done = p.then(() => undefined, () => undefined);
    this.provisioning.add(done);
    void done.finally(() => this.provisioning.delete(done));
  };

  private poolFor(provider: Provider, cni: CniName | undefined, shape: Shape = {}): WarmPool {
    const key = `${provider.name}/${cni ?? ''}/${shape.nodes ?? 1}/${shape.network ?? ''}/${shape.proxyMode ?? ''}/${shape.ingress ? 'ingress' : ''}`;
    let pool = this.pools.get(key);
    if (!pool) {
      // Only the common kind of cluster is kept warm; a lab that asks for another shape makes its own.
      const common = provider === this.opts.provider && !cni && Object.keys(shape).length === 0;
      pool = new WarmPool(provider, cni, common ? (this.opts.warm ?? 0) : 0, this.track, shape);
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** The server's provider of that name, checked against the lab (its CNI requirement) by chooseProvider's rules. */
  private pick(bundle: LabBundle, want: { provider?: string; cni?: string }): WarmPool {
    const choice = chooseProvider(want.provider ?? this.opts.provider.name, want.cni, bundle.lab.requires.cni);
    const provider = [this.opts.provider, ...(this.opts.providers ?? [])].find((p) => p.name === choice.provider.name);
    if (!provider) throw new FlatnetError('ProviderNotServed', `this server does not run ${choice.provider.name} sessions`, {}, `start it with --providers ${this.opts.provider.name},${choice.provider.name}`);
    return this.poolFor(provider, choice.cni, labShape(bundle));
  }

  /** Starts provisioning and returns at once; progress arrives as events. */
  create(labId: string, taskId?: string, want: { provider?: string; cni?: string } = {}, client = 'local'): Session {
    checkLabId(labId);
    // A cluster made now would start after close() stopped waiting for clusters: it would outlive the server.
    if (this.closed) throw new FlatnetError('ServerStopping', 'this server is stopping', {}, 'start the lab again once the server is back');
    if (this.sessions.size >= this.opts.maxSessions) throw new FlatnetError('TooManySessions', `this server runs ${this.opts.maxSessions} sessions at most`, {}, 'end a session, or try again later');
    const perClient = this.opts.maxPerClient ?? 3;
    if (this.all.filter((x) => x.client === client).length >= perClient) throw new FlatnetError('TooManySessions', `this client already runs ${perClient} sessions`, {}, 'end one of them (close its tab, or DELETE it) first');
    const bundle = this.opts.loadLab(labId);
    const { index } = findTask(bundle, taskId ?? bundle.lab.tasks[0]?.id);
    const pool = this.pick(bundle, want);
    const s = new Session(bundle, index, this.opts.root, pool);
    const warm = pool.take();
    if (warm) {
      s.cluster = warm;
      s.fromPool = true;
    }
    s.client = client;
    this.log({ event: 'session.created', session: s.id, lab: labId, provider: pool.provider.name, cni: pool.cni, cluster: s.cluster, warm: s.fromPool, client });
    mkdirSync(join(s.home, '.kube'), { recursive: true, mode: 0o700 });
    this.sessions.set(s.id, s);
    if (this.opts.journal) appendFileSync(this.opts.journal, `${s.id}\n`);
    const p = this.provision(s);
    this.provisioning.add(p);
    void p.finally(() => this.provisioning.delete(p));
    return s;
  }

  private async provision(s: Session): Promise<void> {
    const t0 = performance.now();
    try {
      const progress = (e: ProgressEvent) => s.emit({ type: 'progress', ...e });
      const timeoutMs = setUpTimeoutMs(s.provider);
      if (s.fromPool) await setUpTask(s.provider, s.cluster, s.lab, s.taskIndex, progress, timeoutMs);
      else await startLabCluster(s.provider, { name: s.cluster, ...(s.pool.cni ? { cni: s.pool.cni } : {}), images: labImages(s.lab) }, s.lab, s.taskIndex, progress, timeoutMs);
      if (s.state === 'ended') return void (await s.pool.giveBack(s.cluster));
      copyFileSync(s.provider.kubeconfig(s.cluster), join(s.home, '.kube', 'config'));
      writeFileSync(join(s.home, '.bashrc'), 'PS1="learner@${FLATNET_LAB}:\\w$ "\n');
      mkdirSync(join(s.home, '.local', 'bin'), { recursive: true });
      writeFileSync(join(s.home, '.local', 'bin', 'flatnet'), `#!/bin/sh\nexec '${process.execPath}' '${FLATNET_BIN}' "$@"\n`, { mode: 0o755 });
      s.state = 'ready';
      s.lastSeen = Date.now(); // idle time counts from ready: waiting for the cluster is not idling
      s.readyMs = performance.now() - t0;
      this.readyTimes.push(s.readyMs);
      s.emit({ type: 'ready', ms: Math.round(s.readyMs) });
      this.log({ event: 'session.ready', session: s.id, ms: Math.round(s.readyMs) });
    } catch (e) {
      this.failures++;
      s.state = 'failed';
      const message = e instanceof FlatnetError ? e.format() : String(e);
      s.emit({ type: 'failed', message });
      this.log({ event: 'session.failed', session: s.id, message });
      await s.provider.destroy(s.cluster).catch(() => undefined);
    }
  }

  /** The session, if `token` is its token (compared in constant time). */
  get(id: string, token: string | undefined): Session | undefined {
    if (this.lost.has(id)) throw new FlatnetError('SessionLost', 'the runner restarted while this session was running, and its cluster is gone', {}, 'start the lab again');
    const s = this.sessions.get(id);
    if (!s || token === undefined) return undefined;
    const a = Buffer.from(s.token);
    const b = Buffer.from(token);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return undefined;
    s.lastSeen = Date.now();
    return s;
  }

  /**
   * The learner's shell: a kubeconfig for this cluster only, in a home of its own. When the
   * runner is root, the shell is not: it runs as the cluster's own user (docs/0004), or one of
   * the session's, so no learner can read another's home, with no capabilities and no way to
   * gain privileges. A provider may put it elsewhere (kind: a tools container).
   */
  async terminal(s: Session): Promise<Terminal> {
    if (s.state !== 'ready') throw new FlatnetError('NotReady', `session ${s.id} is ${s.state}`, {}, 'wait for the ready event');
    if (!s.terminal || s.terminal.exited) {
      // Two tabs connecting at once get one shell.
      s.starting ??= this.startShell(s).finally(() => (s.starting = undefined));
      return s.starting;
    }
    return s.terminal;
  }

  private async startShell(s: Session): Promise<Terminal> {
    const shell = ['bash', '--rcfile', join(s.home, '.bashrc'), '-i'];
    // A provider may keep the shell off this host (kind: a tools container beside the nodes).
    const remote = s.provider.shell?.(s.cluster);
    let argv = remote ?? shell;
    if (!remote && process.getuid?.() === 0) {
      // The cluster's own user, where the provider gives it one: then the shell can enter its node.
      const uid = s.provider.owner?.(s.cluster) ?? sessionUid(s);
      chownTree(s.home, uid);
      chmodSync(this.opts.root, 0o711); // the homes' folder: passable, not listable, by the learners' users
      argv = ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--inh-caps=-all', '--no-new-privs', ...shell];
    }
    s.terminal = await Terminal.start({
      argv,
      cwd: s.home,
      // A remote shell's client (docker) needs the runner's own settings (DOCKER_HOST...); the
      // learner sees only the container's environment. A local shell gets a clean one.
      env: remote ? { ...(process.env as Record<string, string>), TERM: 'xterm-256color' } : {
        PATH: `${join(s.home, '.local', 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        HOME: s.home,
        KUBECONFIG: join(s.home, '.kube', 'config'),
        KUBECACHEDIR: join(s.home, '.kube', 'cache'),
        TERM: 'xterm-256color',
        LANG: 'C.UTF-8',
        FLATNET_LAB: s.lab.lab.id,
        // `flatnet cluster shell node` finds this session's cluster, and only that one is theirs.
        FLATNET_CLUSTER: s.cluster,
        ...(process.env.FLATNET_STATE_DIR ? { FLATNET_STATE_DIR: process.env.FLATNET_STATE_DIR } : {}),
      },
    });
    // Ended while the shell started (reaped, deleted): end() has already killed what it knew of.
    if ((s.state as SessionState) === 'ended') {
      await s.terminal.kill();
      throw new FlatnetError('NotReady', `session ${s.id} has ended`, {}, 'start the lab again');
    }
    return s.terminal;
  }

  /** A lab as the site needs it: lab.yaml parsed, and the text of every file it names. */
  labJson(labId: string): { lab: unknown; files: Record<string, string> } {
    checkLabId(labId);
    const bundle = this.opts.loadLab(labId);
    return { lab: bundle.lab, files: Object.fromEntries(bundle.files) };
  }

  /** `kubectl apply -f -` in the session's cluster, with kubectl's own words as the output. */
  async apply(s: Session, yaml: string): Promise<{ ok: boolean; output: string }> {
    if (s.state !== 'ready') throw new FlatnetError('NotReady', `session ${s.id} is ${s.state}`, {}, 'wait for the ready event');
    const r = await run('kubectl', ['--kubeconfig', join(s.home, '.kube', 'config'), 'apply', '-f', '-'], { input: yaml, timeoutMs: 30_000 });
    return { ok: r.code === 0, output: (r.stdout + r.stderr).trim() };
  }

  /**
   * Back to a task's start state in the same cluster: what the learner made goes, the lab is
   * set up again, and the events stream shows the progress, then ready. The terminal stays.
   */
  reset(s: Session, taskId?: string): void {
    if (s.state !== 'ready' && s.state !== 'failed') throw new FlatnetError('NotReady', `session ${s.id} is ${s.state}`, {}, 'wait for the ready event');
    const { index } = findTask(s.lab, taskId ?? s.lab.lab.tasks[s.taskIndex]!.id);
    s.taskIndex = index;
    s.state = 'provisioning';
    const p = (async () => {
      const t0 = performance.now();
      try {
        const progress = (e: ProgressEvent) => s.emit({ type: 'progress', ...e });
        progress({ stage: 'Removing what the task made', step: 1, of: 3 });
        await s.provider.reset(s.cluster);
        // The setup's own steps (1 and 2 of 2) come after the removal: 2 and 3 of 3.
        await setUpTask(s.provider, s.cluster, s.lab, index, (e) => progress({ ...e, step: e.step + 1, of: e.of + 1 }), setUpTimeoutMs(s.provider));
        if (s.state === 'ended') return void (await s.pool.giveBack(s.cluster)); // end() left the cluster to us
        s.state = 'ready';
        s.lastSeen = Date.now();
        s.emit({ type: 'ready', ms: Math.round(performance.now() - t0) });
      } catch (e) {
        if (s.state === 'ended') return void (await s.pool.giveBack(s.cluster));
        s.state = 'failed';
        s.emit({ type: 'failed', message: e instanceof FlatnetError ? e.format() : String(e) });
      }
    })();
    this.provisioning.add(p);
    void p.finally(() => this.provisioning.delete(p));
  }

  /** Grades an answer live in the session's cluster (it stays applied, as after kubectl apply). */
  grade(s: Session, answer: string, taskId?: string): Promise<GradeResult> {
    if (s.state !== 'ready') throw new FlatnetError('NotReady', `session ${s.id} is ${s.state}`, {}, 'wait for the ready event');
    return gradeLive(s.lab, taskId ?? s.lab.lab.tasks[s.taskIndex]!.id, { text: answer, file: 'answer.yaml', lineOffset: 0 }, s.provider.prober(s.cluster), {
      ipBlockMatchesPods: s.provider.capabilities({ name: s.cluster, ...(s.pool.cni ? { cni: s.pool.cni } : {}) }).ipBlockMatchesPods,
    });
  }

  async end(s: Session, reason: string): Promise<void> {
    if (s.state === 'ended') return;
    const wasProvisioning = s.state === 'provisioning';
    s.state = 'ended';
    this.sessions.delete(s.id);
    s.emit({ type: 'ended', reason });
    this.log({ event: 'session.ended', session: s.id, reason, minutes: Math.round((Date.now() - s.createdAt) / 6000) / 10 });
    await s.terminal?.kill();
    try {
      // A session still provisioning gives its cluster back when its provisioning returns.
      if (!wasProvisioning) await s.pool.giveBack(s.cluster);
    } finally {
      // The home goes after the cluster: destroying an owned cluster ends every process of its
      // user, and the learner's (a kubectl, a background tcpdump) may still be writing there. A
      // home that will not go must not keep the cluster alive (it did: ENOTEMPTY, and the
      // cluster was never given back).
      try {
        rmSync(s.home, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
      } catch (e) {
        this.log({ event: 'error', session: s.id, message: `removing the session's home: ${(e as Error).message}` });
      }
    }
  }

  private async reap(): Promise<void> {
    const now = Date.now();
    for (const s of this.all) {
      if (now - s.createdAt > this.opts.maxMs) await this.end(s, 'the session reached its time limit');
      else if (now - s.lastSeen > this.opts.idleMs && s.state !== 'provisioning') await this.end(s, 'the session was idle too long');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.reaper);
    await Promise.all(this.all.map((s) => this.end(s, 'the server stopped')));
    for (const pool of this.pools.values()) await pool.drain();
    // Each provisioning destroys its cluster, its session having ended; one that hangs must not
    // keep the server from stopping: after a while, everything the providers made goes.
    const finished = Promise.all(this.provisioning).then(() => true);
    const waited = new Promise<false>((resolve) => setTimeout(() => resolve(false), CLOSE_WAIT_MS).unref());
    if (!(await Promise.race([finished, waited]))) {
      this.log({ event: 'error', message: `provisioning still running ${CLOSE_WAIT_MS / 1000}s after stopping: destroying every cluster of this server` });
      for (const p of [this.opts.provider, ...(this.opts.providers ?? [])]) await p.destroyLeaked().catch(() => undefined);
      return;
    }
    for (const pool of this.pools.values()) await pool.drain(); // clusters that came ready meanwhile
  }
}
