/**
 * @module
 * `kubectl exec` and `kubectl attach` (also `run -it`) over WebSocket, as kubectl >= 1.30 speaks it: the
 * v5.channel.k8s.io subprotocol (v4 accepted too), binary frames whose first byte is the
 * channel — 0 stdin, 1 stdout, 2 stderr, 3 the final Status, 4 resize — pings answered, and
 * the exit code always sent on channel 3, or kubectl would exit 0.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ChildProcess } from 'node:child_process';
import type { IPty } from 'node-pty';
import { WebSocketServer, type WebSocket } from 'ws';

export const EXEC_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach)$/;
const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

/** What the cluster offers: start a process in a pod's container, or join its main process. */
export interface ExecTarget {
  exec(namespace: string, pod: string, container: string | undefined, argv: string[], tty: { cols: number; rows: number } | undefined): Promise<ChildProcess | IPty>;
  attach(namespace: string, pod: string, container: string | undefined): Promise<Attachable>;
}

/** A running container's main process, as attach sees it. */
export interface Attachable {
  tty: boolean;
  /** Output from now on (attach does not replay what was written before). */
  watchOutput(fn: (stream: 'stdout' | 'stderr', chunk: Buffer) => void): () => void;
  stdin?: { write(data: Buffer): void; end(): void };
  resize?(cols: number, rows: number): void;
  exited: Promise<unknown>;
  /** The client let go of stdin: with stdinOnce the container's stdin closes. */
  releaseStdin(): void;
}

const wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => PROTOCOLS.find((p) => offered.has(p)) ?? false });

export function handleExecUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, target: ExecTarget, reject: (code: number, reason: string, message: string) => void): void {
  const m = EXEC_PATH.exec(url.pathname);
  if (!m) return reject(404, 'NotFound', 'the server could not find the requested resource');
  const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
  if (!PROTOCOLS.some((p) => offered.includes(p))) return reject(400, 'BadRequest', `exec needs one of the subprotocols ${PROTOCOLS.join(', ')} (kubectl >= 1.30)`);
  const [namespace, pod] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)];
  const argv = url.searchParams.getAll('command');
  const tty = url.searchParams.get('tty') === 'true';
  const container = url.searchParams.get('container') ?? undefined;
  const withStdin = url.searchParams.get('stdin') === 'true';
  if (m[3] === 'attach') return void wss.handleUpgrade(req, socket, head, (ws) => void attach(ws, inbox(ws), target, namespace, pod, container, withStdin));
  wss.handleUpgrade(req, socket, head, (ws) => void run(ws, inbox(ws), target, namespace, pod, container, argv, tty, withStdin));
}

type Frame = { channel: number; data: Buffer };
const parseSize = (data: Buffer): { cols: number; rows: number } | undefined => {
  try {
    const { Width, Height } = JSON.parse(data.toString()) as { Width: number; Height: number };
    return Width > 0 && Height > 0 ? { cols: Width, rows: Height } : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The client's frames from the moment the socket opens. kubectl sends its terminal size and
 * may send stdin while the process is still starting; without a listener those frames would be
 * dropped, and a terminal would start at 80x24 with no resize to follow.
 */
function inbox(ws: WebSocket) {
  const queued: Frame[] = [];
  let handler: ((f: Frame) => void) | undefined;
  let sized: ((size: { cols: number; rows: number } | undefined) => void) | undefined;
  ws.on('message', (raw: Buffer) => {
    const frame = { channel: raw[0]!, data: raw.subarray(1) };
    if (frame.channel === 4 && sized) {
      const size = parseSize(frame.data);
      if (size) sized(size);
    }
    if (handler) handler(frame);
    else queued.push(frame);
  });
  return {
    /** The terminal size kubectl sends first, or undefined if none comes within `ms`. */
    firstSize(ms: number): Promise<{ cols: number; rows: number } | undefined> {
      const early = queued.filter((f) => f.channel === 4).map((f) => parseSize(f.data)).find(Boolean);
      if (early) return Promise.resolve(early);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(undefined), ms);
        sized = (size) => {
          clearTimeout(timer);
          resolve(size);
        };
      });
    },
    /** Hands every frame, queued ones first, to `fn`. */
    drain(fn: (f: Frame) => void): void {
      handler = fn;
      for (const f of queued.splice(0)) fn(f);
    },
  };
}

/** Channel frames to the client, and the final Status on channel 3 (then the socket closes). */
function channels(ws: WebSocket) {
  const send = (channel: number, data: Buffer | string) => {
    if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), Buffer.isBuffer(data) ? data : Buffer.from(data)]));
  };
  const finish = (code: number | null, error?: string) => {
    const status = error
      ? { metadata: {}, status: 'Failure', message: `Internal error occurred: ${error}`, reason: 'InternalError', code: 500 }
      : code === 0
        ? { metadata: {}, status: 'Success' }
        : { metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: exit status ${code}`, reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(code) }] } };
    send(3, JSON.stringify(status));
    ws.close(1000);
  };
  return { send, finish };
}

/**
 * Joins the container's main process: its output from now on, its stdin if the spec keeps one,
 * terminal resizes. Ends with Success when the container exits, as the kubelet's attach does.
 */
async function attach(ws: WebSocket, frames: ReturnType<typeof inbox>, target: ExecTarget, namespace: string, pod: string, container: string | undefined, withStdin: boolean): Promise<void> {
  const { send, finish } = channels(ws);
  let a: Attachable;
  try {
    a = await target.attach(namespace, pod, container);
  } catch (e) {
    return finish(null, (e as Error).message);
  }
  const stop = a.watchOutput((stream, chunk) => send(stream === 'stderr' && !a.tty ? 2 : 1, chunk));
  void a.exited.then(() => finish(0));
  frames.drain(({ channel, data }) => {
    if (channel === 0 && withStdin) a.stdin?.write(data);
    else if (channel === 4) {
      const size = parseSize(data);
      if (size) a.resize?.(size.cols, size.rows);
    } else if (channel === 255 && withStdin) a.releaseStdin(); // v5: the client's stdin reached EOF
  });
  ws.on('close', () => {
    stop();
    if (withStdin) a.releaseStdin();
  });
}

async function run(ws: WebSocket, frames: ReturnType<typeof inbox>, target: ExecTarget, namespace: string, pod: string, container: string | undefined, argv: string[], tty: boolean, withStdin: boolean): Promise<void> {
  const { send, finish } = channels(ws);
  let proc: ChildProcess | IPty;
  try {
    // kubectl sends the size right after the socket opens; a short wait lets the terminal start at it.
    const size = tty ? ((await frames.firstSize(300)) ?? { cols: 80, rows: 24 }) : undefined;
    proc = await target.exec(namespace, pod, container, argv, size);
  } catch (e) {
    return finish(null, (e as Error).message);
  }
  if ('onData' in proc) {
    const pty = proc;
    pty.onData((d) => send(1, d));
    pty.onExit(({ exitCode }) => finish(exitCode));
    frames.drain(({ channel, data }) => {
      if (channel === 0) pty.write(data.toString());
      else if (channel === 4) {
        const size = parseSize(data);
        if (size) pty.resize(size.cols, size.rows);
      } else if (channel === 255) pty.write('\x04');
    });
    ws.on('close', () => pty.kill());
    return;
  }
  const child = proc;
  child.stdout?.on('data', (d: Buffer) => send(1, d));
  child.stderr?.on('data', (d: Buffer) => send(2, d));
  // 'close' comes after the process exited and both outputs drained: then the status goes last.
  let exitCode: number | null = null;
  child.on('close', (code, signal) => {
    exitCode = code ?? (signal ? 137 : 1);
    finish(exitCode);
  });
  child.stdin?.on('error', () => {});
  if (!withStdin) child.stdin?.end();
  frames.drain(({ channel, data }) => {
    if (channel === 0) child.stdin?.write(data);
    else if (channel === 255) child.stdin?.end(); // v5: the client's stdin reached EOF
  });
  ws.on('close', () => {
    if (exitCode === null) child.kill('SIGKILL');
  });
}
