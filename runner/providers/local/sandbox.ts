/**
 * @module
 * The cluster's node: one set of Linux namespaces (network, mount, UTS, PID, and user when
 * not root) that holds every pod, veth, route and rule the cluster makes. See
 * docs/0001-local-cluster.md. Its PID 1 is a holder that exits when its stdin closes, so
 * when the daemon dies — even by SIGKILL — the kernel tears the whole node down.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IPty } from 'node-pty';
import { FlatnetError } from '../../../checkers/errors.ts';
import { run, type RunOptions, type RunResult } from './exec.ts';

/** Prepares the node's private /run and /etc, then waits for stdin to close. */
const HOLDER_SCRIPT = `set -e
mount -t tmpfs -o mode=755 flatnet /run
mkdir -p /run/netns /run/flatnet/etc-upper /run/flatnet/etc-work /run/flatnet/pods
mount -t overlay overlay -o lowerdir=/etc,upperdir=/run/flatnet/etc-upper,workdir=/run/flatnet/etc-work /etc
mkdir -p /etc/cni/net.d
# tcpdump drops to a user of its own, which a user namespace does not map: there it stays root.
if [ -n "$FLATNET_ROOTLESS" ]; then sed -i 's/^tcpdump:x:[0-9]*:[0-9]*:/tcpdump:x:0:0:/' /etc/passwd; fi
hostname "$FLATNET_NODE"
ip link set lo up
# The node's own address on eth0, like a kind node on its docker network. The other end of the
# veth is a namespace playing the underlay: the node's default gateway, which forwards nothing,
# so traffic for any outside address dies inside the sandbox.
ip netns add underlay
ip link add eth0 type veth peer name gw0
ip link set gw0 netns underlay
ip addr add "$FLATNET_NODE_IP/16" dev eth0
ip link set eth0 up
ip -n underlay addr add 172.18.0.1/16 dev gw0
ip -n underlay link set gw0 up
ip -n underlay link set lo up
ip route add default via 172.18.0.1
echo 1 > /proc/sys/net/ipv4/ip_forward
echo 1 > /proc/sys/net/ipv6/conf/all/forwarding
echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad
echo ready
# A background job's stdin is /dev/null unless redirected from a saved copy.
exec 3<&0
cat <&3 >/dev/null &
wait $!
`;

/** On a rootless node, the library `cluster shell node` preloads so tcpdump can drop to its user (native/nosetgroups.c). */
export const NODE_SHELL_PRELOAD = '/run/flatnet/nosetgroups.so';

export interface SandboxOptions {
  /** Node name, also its hostname: `flatnet-<cluster>-control-plane`. */
  node: string;
  /** The node's InternalIP (inside the sandbox only). */
  nodeIP: string;
  rootless: boolean;
}

export class Sandbox {
  readonly node: string;
  readonly rootless: boolean;
  /** Host PID of the holder (PID 1 inside). */
  readonly pid: number;
  private readonly holder: ChildProcess;

  private constructor(opts: SandboxOptions, holder: ChildProcess, pid: number) {
    this.node = opts.node;
    this.rootless = opts.rootless;
    this.holder = holder;
    this.pid = pid;
  }

  static async start(opts: SandboxOptions): Promise<Sandbox> {
    const args = [
      ...(opts.rootless ? ['--user', '--map-root-user'] : []),
      '--net', '--mount', '--uts', '--pid', '--fork', '--mount-proc', '--propagation', 'private', '--kill-child',
      '--', 'sh', '-c', HOLDER_SCRIPT,
    ];
    const holder = spawn('unshare', args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, FLATNET_NODE: opts.node, FLATNET_NODE_IP: opts.nodeIP, ...(opts.rootless ? { FLATNET_ROOTLESS: '1' } : {}) } });
    const stderr: string[] = [];
    holder.stderr!.on('data', (b: Buffer) => stderr.push(b.toString()));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const onData = (b: Buffer) => {
        out += b.toString();
        if (out.includes('ready\n')) {
          holder.stdout!.off('data', onData);
          resolve();
        }
      };
      holder.stdout!.on('data', onData);
      holder.once('exit', (code) =>
        reject(new FlatnetError('SandboxFailed', `the node sandbox exited (${code}) before it was ready: ${stderr.join('').trim()}`, {}, 'run `npx flatnet doctor` to see what this host is missing')),
      );
      holder.once('error', reject);
    });
    const pid = firstChild(holder.pid!);
    return new Sandbox(opts, holder, pid);
  }

  /** nsenter arguments that enter every namespace of the node. */
  enterArgs(): string[] {
    return ['-t', String(this.pid), ...(this.rootless ? ['-U', '--preserve-credentials'] : []), '-n', '-m', '-u', '-p'];
  }

  /** Runs a command on the node and waits for it. */
  run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    return run('nsenter', [...this.enterArgs(), '--', cmd, ...args], opts);
  }

  /** Starts a long-running process on the node. */
  spawn(cmd: string, args: readonly string[], opts: SpawnOptions = {}): ChildProcess {
    return spawn('nsenter', [...this.enterArgs(), '--', cmd, ...args], opts);
  }

  /** Starts a process on the node on a pseudo-terminal (node-pty, loaded on first use). */
  async spawnTty(cmd: string, args: readonly string[], opts: { env: NodeJS.ProcessEnv; cols: number; rows: number }): Promise<IPty> {
    const pty = await import('node-pty');
    return pty.spawn('nsenter', [...this.enterArgs(), '--', cmd, ...args], { name: 'xterm', cols: opts.cols, rows: opts.rows, env: opts.env as Record<string, string> });
  }

  /** A path inside the node's mount namespace, seen from the host (the holder's root). */
  path(p: string): string {
    return `/proc/${this.pid}/root${p}`;
  }

  /** Makes a directory (and its parents) on the node without entering it. */
  mkdir(p: string): void {
    mkdirSync(this.path(p), { recursive: true });
  }

  /** Writes a file on the node without entering it: the node's files are visible through its holder. */
  writeFile(p: string, text: string): void {
    writeFileSync(this.path(p), text);
  }

  get alive(): boolean {
    return this.holder.exitCode === null && this.holder.signalCode === null;
  }

  /** Closing stdin ends the holder; the kernel then ends everything inside. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise<void>((resolve) => this.holder.once('exit', () => resolve()));
    this.holder.stdin!.end();
    const timer = setTimeout(() => this.holder.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** unshare --fork's child is the namespace's PID 1. */
function firstChild(pid: number): number {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  if (children.length === 0) throw new FlatnetError('SandboxFailed', `the node sandbox (pid ${pid}) has no holder process`, {}, 'retry; if it persists, run `npx flatnet doctor`');
  return Number(children[0]);
}
