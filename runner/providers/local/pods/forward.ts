/**
 * @module
 * Connections to a port on a pod's own localhost, for `kubectl port-forward`, made the way
 * containerd makes them: inside the pod's network namespace, IPv4 (127.0.0.1) first, then
 * IPv6 ([::1]), with containerd's error text when both fail. Each connection is one socat in
 * the pod's netns (opened through the node's root, entering the node's user namespace when
 * rootless; no PID namespace, so nsenter execs socat and the process we hold is socat itself);
 * its stdin and stdout are the two directions, and `-t 1` gives the other direction a second
 * after one ends, as containerd does. That socat, for any namespace, is dialThrough: `flatnet
 * cluster port-forward` (lb-forward.ts) dials a load-balancer address with it too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { FlatnetError } from '../../../../checkers/errors.ts';
import type { PortForwardTarget } from '../api/portforward.ts';
import type { Node } from '../node.ts';
import type { ObjectStore } from '../store/store.ts';
import type { PodRuntime } from './runtime.ts';

/** What the API server needs to forward to pods, on whichever node runs them. */
export function portForwardTarget(store: ObjectStore, nodeOf: (namespace: string, pod: string) => { node: Node; runtime: PodRuntime }): PortForwardTarget {
  return {
    portForwardPod(namespace, name) {
      const pod = store.get('pods', namespace, name);
      if (!pod) throw new FlatnetError('NotFound', `pods "${name}" not found`);
      const { node, runtime } = nodeOf(namespace, name);
      const uid = pod.metadata.uid!;
      const netns = `/run/netns/${runtime.netnsName({ namespace, name, uid })}`;
      // containerd names the pod by its sandbox id (64 hex digits) in its errors; ours is derived from the uid.
      const id = createHash('sha256').update(uid).digest('hex');
      return { id, connect: (port) => connectInPod(node, netns, id, port) };
    },
  };
}

/** A connected socat: write to stdin, read from stdout. */
export interface PodConnection {
  process: ChildProcess;
  /** After it exits: what went wrong midway, in containerd's words, if anything. */
  failure(): string | undefined;
}

export async function connectInPod(node: Node, netns: string, id: string, port: number): Promise<PodConnection> {
  const v4 = await attempt(node, netns, `TCP4:127.0.0.1:${port}`);
  if ('process' in v4) return v4;
  const v6 = await attempt(node, netns, `TCP6:[::1]:${port}`);
  if ('process' in v6) return v6;
  const why = (e: string, net: string, addr: string) => (e.startsWith('socat:') ? e : `dial ${net} ${addr}: connect: ${e}`);
  throw new FlatnetError(
    'PortForwardFailed',
    `failed to execute portforward in network namespace "${netns}": failed to connect to localhost:${port} inside namespace "${id}", ` +
      `IPv4: ${why(v4.error, 'tcp4', `127.0.0.1:${port}`)} IPv6 ${why(v6.error, 'tcp6', `[::1]:${port}`)} `,
  );

  async function attempt(node: Node, netns: string, address: string): Promise<PodConnection | { error: string }> {
    const enter = ['-t', String(node.pid), ...(node.rootless ? ['-U', '--preserve-credentials'] : []), `--net=${node.path(netns)}`];
    const r = await dialThrough(enter, address);
    if (!('process' in r)) return r;
    return { process: r.process, failure: () => failure(r.lastError(), netns) };
  }
}

/** An error socat reported after it connected (e.g. a reset), as containerd would return it. */
function failure(e: string | undefined, netns: string): string | undefined {
  return e ? `failed to execute portforward in network namespace "${netns}": ${e}` : undefined;
}

/** A socat that connected: write to stdin, read from stdout. */
export interface Dialed {
  process: ChildProcess;
  /** The last error socat logged (e.g. a reset midway), errno in Go's words; none for a clean end. */
  lastError(): string | undefined;
}

/**
 * One socat, entered with nsenter's `enter` arguments (which process's namespaces, and which
 * of them), connected to socat's `address` (`TCP4:10.0.0.1:80`): resolves once socat starts
 * moving data, or with why it did not connect — the connect(2) errno as Go writes it
 * ("connection refused"), or `socat: ...` for anything else. `spawned` sees the process at
 * once, for a caller that must be able to stop it while it is still connecting.
 */
export function dialThrough(enter: string[], address: string, spawned?: (child: ChildProcess) => void): Promise<Dialed | { error: string }> {
  const child = spawn('nsenter', [...enter, '--', 'socat', '-d', '-d', '-t', '1', '-', address], { stdio: ['pipe', 'pipe', 'pipe'] });
  spawned?.(child);
  let log = '';
  return new Promise((resolve) => {
    let connected = false;
    child.stderr!.on('data', (b: Buffer) => {
      log += b.toString();
      if (!connected && log.includes('starting data transfer loop')) {
        connected = true;
        resolve({ process: child, lastError: () => lastError(log) });
      }
      if (log.length > 64 * 1024) log = log.slice(-16 * 1024); // -d -d logs a few lines per connection; keep the tail
    });
    child.stdin!.on('error', () => {}); // the process may be gone before the last write lands
    child.once('error', (e) => resolve({ error: `socat: ${e.message}` }));
    child.once('close', () => {
      if (connected) return;
      const refused = /E connect\([^)]*\): (.+)$/m.exec(log)?.[1];
      resolve({ error: refused ? goErrno(refused) : `socat: ${lastError(log) ?? `exited ${child.exitCode}`}` });
    });
  });
}

function lastError(log: string): string | undefined {
  const lines = log.split('\n').filter((l) => / [EF] /.test(l) || /^nsenter: /.test(l));
  const last = lines.at(-1);
  if (!last) return undefined;
  const m = / [EF] (.*?)(?:: (.+))?$/.exec(last);
  return m ? (m[2] ? `${m[1]}: ${goErrno(m[2])}` : m[1]) : last.trim();
}

/** Go prints errno strings in lower case ("connection refused"); strerror capitalises them. */
function goErrno(s: string): string {
  return s.trim().replace(/^[A-Z](?![A-Z])/, (c) => c.toLowerCase());
}
