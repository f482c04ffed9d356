/**
 * @module
 * The pod runtime (the `local` cluster's kubelet + container runtime in one): a pod is a
 * network namespace wired by CNI and a persistent UTS namespace (hostname = pod name), both
 * on the node; each container is a process in its own mount and PID namespaces inside them,
 * chrooted into an overlay of its image's root filesystem.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { FlatnetError } from '../../../../checkers/errors.ts';
import * as cni from '../cni.ts';
import type { NetworkConfig } from '../cni.ts';
import { run, type RunResult } from '../exec.ts';
import { ensureRootfs } from '../images/rootfs.ts';
import { ensureNative } from '../native/build.ts';
import { containerArgv, profileFor, SUPPORTED_IMAGES, type Profile } from '../images/profiles.ts';
import type { Node } from '../node.ts';
import type { IPty } from 'node-pty';

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface PodSpec {
  uid: string;
  namespace: string;
  name: string;
  /** Addresses the pod must get (status.podIP given in the input). */
  ips?: string[];
  dns: { nameserver: string; searches: string[]; options: string[] };
  hostAliases?: string;
}

export interface ContainerSpec {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: Record<string, string>;
  workingDir?: string;
  /** Declared ports, e.g. ["80/TCP", "53/UDP"], for images that serve them. */
  ports: string[];
  /** Extra read-only binds "hostPath:containerPath". */
  binds?: string[];
  /** Keep stdin open for kubectl attach / run -i (spec.stdin); otherwise stdin is /dev/null. */
  stdin?: boolean;
  /** Run on a pseudo-terminal (spec.tty), as kubectl run -t asks. */
  tty?: boolean;
}

export interface PodNetwork {
  netns: string;
  ips: string[];
}

export type Stream = 'stdout' | 'stderr';

export type OutputListener = (stream: Stream, chunk: Buffer) => void;

export interface RunningContainer {
  /** Receives the container's output, starting with what it wrote before anyone listened. */
  onOutput(fn: OutputListener): void;
  /** Another reader of the output from now on (kubectl attach); returns how to stop reading. */
  watchOutput(fn: OutputListener): () => void;
  /** Settles when both output streams have closed. */
  outputDone: Promise<void>;
  /** Host PID of the container's PID 1 (for exec and signals). */
  pid: number;
  exited: Promise<{ code: number; signal: string | null }>;
  /** The container's stdin, when its spec keeps one open (stdin: true). */
  stdin?: { write(data: Buffer): void; end(): void };
  /** On a terminal (tty: true): its size can change. */
  resize?(cols: number, rows: number): void;
}

export class PodRuntime {
  private readonly node: Node;
  private readonly net: NetworkConfig;

  constructor(node: Node, net: NetworkConfig) {
    this.node = node;
    this.net = net;
  }

  podDir(uid: string): string {
    return `/run/flatnet/pods/${uid}`;
  }

  /** netns name: readable in `ip netns list` on the node, unique by uid. */
  netnsName(p: Pick<PodSpec, 'namespace' | 'name' | 'uid'>): string {
    return `${p.namespace}_${p.name}_${p.uid.slice(0, 8)}`;
  }

  /** Creates the pod's namespaces, its /etc files and its network (CNI ADD), entering the node once. */
  async createSandbox(pod: PodSpec): Promise<PodNetwork> {
    const dir = this.podDir(pod.uid);
    const netns = this.netnsName(pod);
    const cniAdd = cni.addScript(this.net, { containerId: pod.uid, netnsPath: `/run/netns/${netns}`, ips: pod.ips });
    // Files are made through the holder's root (no process); every process here costs ~10 ms.
    this.node.mkdir(`${dir}/etc`);
    this.node.writeFile(`${dir}/uts`, '');
    const v6 = (this.net.podSubnetsV6 ?? []).length > 0;
    const script = `set -e
ip netns add ${netns}
${
  v6
    ? // No duplicate address detection: a fresh IPv6 address would be unusable ("tentative") for a second or two.
      `nsenter --net=/run/netns/${netns} sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0 2>/dev/null || true\n`
    : ''
}unshare --uts=${dir}/uts hostname ${pod.name}
set +e
${cniAdd.script}`;
    const r = await this.node.run('sh', ['-c', script], { env: { ...process.env, ...cniAdd.env } });
    const result = cni.parseAdd(r.code, r.stdout, r.stderr, pod.uid);
    const resolv = [`search ${pod.dns.searches.join(' ')}`, `nameserver ${pod.dns.nameserver}`, `options ${pod.dns.options.join(' ')}`].join('\n');
    this.node.writeFile(`${dir}/etc/resolv.conf`, `${resolv}\n`);
    this.node.writeFile(`${dir}/etc/hostname`, `${pod.name}\n`);
    this.node.writeFile(`${dir}/etc/hosts`, hostsFile(pod, result.ips));
    return { netns, ips: result.ips };
  }

  /** Starts one container. Throws ImagePull errors for unknown images before any process starts. */
  async startContainer(pod: PodSpec & PodNetwork, c: ContainerSpec): Promise<RunningContainer> {
    const profile = requireProfile(c.image);
    const image = ensureRootfs(profile.rootfs);
    const cdir = `${this.podDir(pod.uid)}/containers/${c.name}`;
    const argv = containerArgv(profile, c.command, c.args);
    const env: NodeJS.ProcessEnv = {
      PATH,
      HOSTNAME: pod.name,
      HOME: '/root',
      ...c.env,
      FLATNET_PORTS: c.ports.join(' '),
      FLATNET_BINDS: (c.binds ?? []).join(' '),
      ...(c.workingDir ? { FLATNET_WORKDIR: c.workingDir } : {}),
    };
    const initArgs = [`/run/netns/${pod.netns}`, `${this.podDir(pod.uid)}/uts`, image, cdir, this.podDir(pod.uid), ...argv];
    // Output is held from the first byte until the kubelet attaches its log: a container that
    // exits at once would otherwise lose it (Node discards unread child output on exit).
    const held: [Stream, Buffer][] = [];
    let sink: OutputListener | undefined;
    const watchers = new Set<OutputListener>();
    const emit = (stream: Stream, b: Buffer) => {
      if (sink) sink(stream, b);
      else held.push([stream, b]);
      for (const w of watchers) w(stream, b);
    };
    let root: number;
    let exited: Promise<{ code: number; signal: string | null }>;
    let outputDone: Promise<void>;
    let stdin: RunningContainer['stdin'];
    let resize: RunningContainer['resize'];
    if (c.tty) {
      // A terminal's output is one stream; the container runtime logs it as stdout.
      const pty = await this.node.spawnTty(ensureNative('container-init'), initArgs, { env: { ...env, TERM: 'xterm' }, cols: 80, rows: 24 });
      root = pty.pid;
      pty.onData((d) => emit('stdout', Buffer.from(d)));
      exited = new Promise((resolve) => pty.onExit(({ exitCode, signal }) => resolve({ code: exitCode, signal: signal ? String(signal) : null })));
      outputDone = exited.then(() => undefined);
      let open = true; // ^D ends input once; a second one would reach whatever runs next
      if (c.stdin) {
        stdin = {
          write: (d) => {
            if (open) pty.write(d.toString());
          },
          end: () => {
            if (open) pty.write('\x04');
            open = false;
          },
        };
      }
      resize = (cols, rows) => pty.resize(cols, rows);
    } else {
      const child = this.node.spawn(ensureNative('container-init'), initArgs, { env, stdio: [c.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
      root = child.pid!;
      exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code: code ?? 137, signal })));
      for (const stream of ['stdout', 'stderr'] as const) child[stream]!.on('data', (b: Buffer) => emit(stream, b));
      outputDone = Promise.all([child.stdout!, child.stderr!].map((st) => new Promise<void>((r) => st.once('close', () => r())))).then(() => undefined);
      if (child.stdin) {
        child.stdin.on('error', () => {}); // the container may exit with input still unread
        stdin = { write: (d) => child.stdin!.write(d), end: () => child.stdin!.end() };
      }
    }
    const onOutput = (fn: OutputListener) => {
      for (const [st, b] of held.splice(0)) fn(st, b);
      sink = fn;
    };
    const watchOutput = (fn: OutputListener) => {
      watchers.add(fn);
      return () => void watchers.delete(fn);
    };
    // A container may finish before we see it start (`sh -c 'echo hi; exit 3'`): then pid is 0,
    // `exited` is already settled, and the caller handles it like any other exit.
    const pid = await containerPid(root, exited);
    return { pid, exited, onOutput, watchOutput, outputDone, ...(stdin ? { stdin } : {}), ...(resize ? { resize } : {}) };
  }

  /** Runs a command in a container (kubectl exec): enters its namespaces and root directory. */
  exec(c: RunningContainer, argv: string[], opts: { env?: Record<string, string>; tty?: boolean } = {}): ChildProcess {
    const args = enterContainer(c.pid, this.node.rootless, argv);
    return spawn('nsenter', args, { env: { PATH, HOME: '/root', TERM: opts.tty ? 'xterm' : 'dumb', ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  }

  /**
   * Runs a command in a container on a pseudo-terminal (kubectl exec -it): the returned pty
   * carries input, output, resize and the exit code.
   */
  async execTty(c: RunningContainer, argv: string[], opts: { cols: number; rows: number; env?: Record<string, string> }): Promise<IPty> {
    const pty = await import('node-pty'); // loaded on first use: most clusters never open a terminal
    return pty.spawn('nsenter', enterContainer(c.pid, this.node.rootless, argv), {
      cols: opts.cols,
      rows: opts.rows,
      name: 'xterm-256color',
      env: { PATH, HOME: '/root', TERM: 'xterm-256color', ...opts.env },
    });
  }

  /** Runs a command in a container and collects its output. */
  execCollect(c: RunningContainer, argv: string[], timeoutMs = 10_000, input?: string): Promise<RunResult> {
    const args = enterContainer(c.pid, this.node.rootless, argv);
    return run('nsenter', args, { env: { PATH, HOME: '/root' }, timeoutMs, input });
  }

  /** SIGTERM (delivered only if the process handles it, as for any PID 1), then SIGKILL after the grace period. */
  async stopContainer(c: RunningContainer, graceMs: number): Promise<void> {
    signal(c.pid, 'SIGTERM');
    const timer = setTimeout(() => signal(c.pid, 'SIGKILL'), graceMs);
    await c.exited;
    clearTimeout(timer);
  }

  /** CNI DEL, then the namespaces and files, entering the node once. Tolerates a half-made pod. */
  async deleteSandbox(pod: Pick<PodSpec, 'uid' | 'namespace' | 'name'>): Promise<void> {
    const netns = this.netnsName(pod);
    const cniDel = cni.delScript(this.net, { containerId: pod.uid, netnsPath: `/run/netns/${netns}` });
    const dir = this.podDir(pod.uid);
    await this.node.run('sh', ['-c', `${cniDel.script}\nip netns del ${netns} 2>/dev/null; umount ${dir}/uts 2>/dev/null; rm -rf ${dir}; true`], {
      env: { ...process.env, ...cniDel.env },
    });
  }
}

/** /etc/hosts as the kubelet writes it: localhost lines, then the pod's own address and name. */
function hostsFile(pod: PodSpec, ips: string[]): string {
  return [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
    ...ips.map((ip) => `${ip}\t${pod.name}`),
    ...(pod.hostAliases ? [pod.hostAliases] : []),
    '',
  ].join('\n');
}

/** nsenter arguments that run `argv` inside a container: its namespaces, root directory and working directory. */
export function enterContainer(pid: number, rootless: boolean, argv: string[]): string[] {
  return ['-t', String(pid), ...(rootless ? ['-U', '--preserve-credentials'] : []), '-n', '-u', '-m', '-p', '-r', '-w', '--', ...argv];
}

export function requireProfile(image: string): Profile {
  const p = profileFor(image);
  if (!p) {
    throw new FlatnetError(
      'ErrImagePull',
      `image "${image}" is not available: the local cluster has no registry and runs a built-in set of images`,
      {},
      `use one of: ${SUPPORTED_IMAGES.join(', ')}`,
    );
  }
  return p;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  if (pid <= 0) return; // an already-exited container; kill(0) would signal our own process group
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * The container's PID 1 is two levels below the process we spawned (nsenter forks into the
 * node's PID namespace, unshare forks into the container's): the descendant whose innermost
 * PID is 1 and that sits three PID namespaces deep. It counts as started once it has
 * chrooted into its root filesystem — before that, an exec would land in the node's files.
 */
async function containerPid(root: number, exited: Promise<unknown>): Promise<number> {
  let done = false;
  void exited.then(() => (done = true));
  for (let i = 0; i < 400; i++) {
    if (done) return 0;
    const found = findDescendant(root, (pid) => {
      const ns = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]?.trim().split(/\s+/) ?? [];
      return ns.length >= 3 && ns.at(-1) === '1' && readlinkSync(`/proc/${pid}/root`).endsWith('/root');
    });
    if (found) return found;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new FlatnetError('ContainerFailed', 'the container did not start within 2 s', {}, 'see the cluster log (daemon.log) and `npx flatnet doctor`');
}

function findDescendant(pid: number, ok: (pid: number) => boolean): number | undefined {
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift()!;
    try {
      if (p !== pid && ok(p)) return p;
      const kids = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      queue.push(...kids);
    } catch {
      // raced with an exit
    }
  }
  return undefined;
}
