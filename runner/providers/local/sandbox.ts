/**
 * @module
 * The cluster's sandbox: one set of Linux namespaces (network, mount, PID, and user when
 * not root) that holds every node, pod, veth, route and rule the cluster makes. See
 * docs/0001-local-cluster.md and docs/0005-multi-node.md. Its network namespace plays the
 * `kind` docker network: a bridge every node's eth0 is plugged into, whose gateway address
 * forwards nothing, so traffic for an outside address dies here. Its PID 1 is a holder that
 * exits when its stdin closes, so when the daemon dies — even by SIGKILL — the kernel tears
 * the whole cluster down.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { FlatnetError } from '../../../checkers/errors.ts';
import { UNDERLAY_BRIDGE, UNDERLAY_GATEWAY } from './config.ts';

/** A private /run, and the underlay bridge; then waits for stdin to close. */
const HOLDER_SCRIPT = `set -e
mount -t tmpfs -o mode=755 flatnet /run
ip link set lo up
ip link add ${UNDERLAY_BRIDGE} type bridge
ip addr add ${UNDERLAY_GATEWAY}/16 dev ${UNDERLAY_BRIDGE}
ip link set ${UNDERLAY_BRIDGE} up
# The gateway answers for itself and routes nothing: ip_forward stays 0 in this namespace.
echo ready
# A background job's stdin is /dev/null unless redirected from a saved copy.
exec 3<&0
cat <&3 >/dev/null &
wait $!
`;

export class Sandbox {
  readonly rootless: boolean;
  /** Host PID of the holder (PID 1 inside). */
  readonly pid: number;
  private readonly holder: ChildProcess;

  private constructor(rootless: boolean, holder: ChildProcess, pid: number) {
    this.rootless = rootless;
    this.holder = holder;
    this.pid = pid;
  }

  static async start(opts: { rootless: boolean }): Promise<Sandbox> {
    const args = [
      ...(opts.rootless ? ['--user', '--map-root-user'] : []),
      '--net', '--mount', '--pid', '--fork', '--mount-proc', '--propagation', 'private', '--kill-child',
      '--', 'sh', '-c', HOLDER_SCRIPT,
    ];
    // FLATNET_SANDBOX marks the holder, so `cluster down --all` can find one a crashed daemon left.
    const holder = spawn('unshare', args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, FLATNET_SANDBOX: '1' } });
    await untilReady(holder, 'the cluster sandbox');
    return new Sandbox(opts.rootless, holder, firstChild(holder.pid!, 'the cluster sandbox'));
  }

  /** nsenter arguments that enter the sandbox (its underlay network, mounts and PIDs). */
  enterArgs(): string[] {
    return ['-t', String(this.pid), ...(this.rootless ? ['-U', '--preserve-credentials'] : []), '-n', '-m', '-p'];
  }

  get alive(): boolean {
    return alive(this.holder);
  }

  /** Closing stdin ends the holder; the kernel then ends everything inside. */
  stop(): Promise<void> {
    return stopHolder(this.holder);
  }
}

/** Resolves once a holder script prints `ready`; rejects with its stderr when it exits first. */
export function untilReady(holder: ChildProcess, what: string): Promise<void> {
  const stderr: string[] = [];
  holder.stderr!.on('data', (b: Buffer) => stderr.push(b.toString()));
  return new Promise<void>((resolve, reject) => {
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
      reject(new FlatnetError('SandboxFailed', `${what} exited (${code}) before it was ready: ${stderr.join('').trim()}`, {}, 'run `npx flatnet doctor` to see what this host is missing')),
    );
    holder.once('error', reject);
  });
}

export function alive(holder: ChildProcess): boolean {
  return holder.exitCode === null && holder.signalCode === null;
}

export async function stopHolder(holder: ChildProcess): Promise<void> {
  if (!alive(holder)) return;
  const exited = new Promise<void>((resolve) => holder.once('exit', () => resolve()));
  holder.stdin!.end();
  const timer = setTimeout(() => holder.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** A process's first child: `unshare --fork`'s is the new PID namespace's PID 1. */
export function firstChild(pid: number, what: string): number {
  let children: string[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    // gone: reported below
  }
  if (children.length === 0) throw new FlatnetError('SandboxFailed', `${what} (pid ${pid}) has no holder process`, {}, 'retry; if it persists, run `npx flatnet doctor`');
  return Number(children[0]);
}
