/**
 * @module
 * `kubectl port-forward` as the kubelet serves it (pkg/kubelet/cri/streaming/portforward):
 * kubectl opens a pair of SPDY streams per local connection — `streamtype: error` and
 * `streamtype: data`, tied by `requestid`, with the pod `port` — and the server connects to
 * that port inside the pod, copies bytes both ways on the data stream, and on failure writes
 * the runtime's error on the error stream, which kubectl prints. Both streams end with FIN.
 *
 * kubectl >= 1.31 tunnels the SPDY byte stream through a WebSocket (subprotocol
 * `SPDY/3.1+portforward.k8s.io`, binary messages, as kube-apiserver's tunneling handler);
 * older ones (and 1.32 with KUBECTL_PORT_FORWARD_WEBSOCKETS=false) upgrade to raw SPDY/3.1.
 *
 * Flow control: kubectl's SPDY library (moby/spdystream) neither sends WINDOW_UPDATE nor reads
 * it, so a sender that waited for the peer's 64 KiB window to reopen would stall every transfer
 * past 64 KiB. We send WINDOW_UPDATEs as we consume, and enforce the peer's windows once the
 * peer shows it does flow control (a WINDOW_UPDATE or an initial-window SETTINGS); the real
 * brake is the transport: pod output pauses while more than HIGH_WATER bytes are unsent.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  encodeData, encodeRstStream, encodeSynReply, encodePing, encodeWindowUpdate, FLAG_FIN, FrameReader, header, HeaderDeflater,
  INITIAL_WINDOW, RST, SETTINGS_INITIAL_WINDOW_SIZE, type Frame,
} from './spdy.ts';
import type { PodConnection } from '../pods/forward.ts';

export const PORTFORWARD_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/;
export const TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
const PROTOCOL = 'portforward.k8s.io';
/** The kubelet's default stream creation timeout: a pair must be complete within it. */
const STREAM_CREATION_TIMEOUT_MS = 30_000;
/** Bytes handed to the transport and not yet written, above which pod output pauses. */
const HIGH_WATER = 1 << 20;
/** Acknowledge received data in WINDOW_UPDATEs of at least this much. */
const ACK_EVERY = INITIAL_WINDOW / 2;

/** What the cluster offers: the pods it can forward to. */
export interface PortForwardTarget {
  /** Throws (NotFound) for a pod that does not exist. */
  portForwardPod(namespace: string, pod: string): ForwardablePod;
}

export interface ForwardablePod {
  /** How the runtime names the pod in its errors (containerd: the sandbox id). */
  id: string;
  /** Connects to localhost:port inside the pod; rejects with the runtime's error text. */
  connect(port: number): Promise<PodConnection>;
}

/** A byte pipe to kubectl: WebSocket binary messages, or the raw upgraded socket. */
export interface Transport {
  send(b: Buffer, done: () => void): void;
  onData(fn: (b: Buffer) => void): void;
  onClose(fn: () => void): void;
  pause(): void;
  resume(): void;
  close(): void;
}

/**
 * `SPDY/3.1+portforward.k8s.io` is not an RFC 7230 token ('/' is a separator), so ws refuses it
 * as a subprotocol; the upgrade goes through ws under a stand-in token, and the 101 says the
 * real name, which is what kube-apiserver (gorilla/websocket) answers and kubectl checks.
 */
const STAND_IN = 'spdy-3.1-portforward';
const wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => (offered.has(STAND_IN) ? STAND_IN : false) });
wss.on('headers', (headers: string[]) => {
  const i = headers.findIndex((h) => h.toLowerCase() === `sec-websocket-protocol: ${STAND_IN}`);
  if (i >= 0) headers[i] = `Sec-WebSocket-Protocol: ${TUNNEL_PROTOCOL}`;
});

export function handlePortForwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, target: PortForwardTarget, reject: (code: number, reason: string, message: string) => void): void {
  const m = PORTFORWARD_PATH.exec(url.pathname);
  if (!m) return reject(404, 'NotFound', 'the server could not find the requested resource');
  let pod: ForwardablePod;
  try {
    pod = target.portForwardPod(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!));
  } catch (e) {
    return reject(404, 'NotFound', (e as Error).message);
  }
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
  if (upgrade === 'websocket') {
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    if (!offered.includes(TUNNEL_PROTOCOL)) return reject(400, 'BadRequest', `port-forward over WebSocket needs the subprotocol ${TUNNEL_PROTOCOL}`);
    req.headers['sec-websocket-protocol'] = STAND_IN;
    wss.handleUpgrade(req, socket, head, (ws) => void new PortForwardSession(wsTransport(ws), pod));
    return;
  }
  if (upgrade === 'spdy/3.1') {
    const versions = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((s) => s.trim());
    if (!versions.includes(PROTOCOL)) return reject(403, 'Forbidden', `unable to upgrade: unable to negotiate protocol: client supports ${JSON.stringify(versions)}, server supports ["${PROTOCOL}"]`);
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PROTOCOL}\r\n\r\n`);
    const session = new PortForwardSession(socketTransport(socket), pod);
    if (head.length > 0) session.receive(head);
    return;
  }
  reject(400, 'BadRequest', 'Upgrade request required');
}

function wsTransport(ws: WebSocket): Transport {
  return {
    send: (b, done) => (ws.readyState === ws.OPEN ? ws.send(b, { binary: true }, () => done()) : done()),
    onData: (fn) => ws.on('message', (raw: Buffer, isBinary: boolean) => isBinary && fn(raw)),
    onClose: (fn) => ws.on('close', fn),
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    close: () => ws.close(1000),
  };
}

function socketTransport(socket: Duplex): Transport {
  socket.on('error', () => socket.destroy());
  return {
    send: (b, done) => (socket.writable ? socket.write(b, () => done()) : done()),
    onData: (fn) => socket.on('data', fn),
    onClose: (fn) => socket.on('close', fn),
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    close: () => socket.end(),
  };
}

interface Stream {
  id: number;
  kind: 'data' | 'error';
  /** We sent FIN, or the peer reset it: nothing more goes out on it. */
  closed: boolean;
  /** The peer's receive window for this stream (enforced only once the peer does flow control). */
  window: number;
}

/** One forwarded connection: its two streams, and the process connected to the pod's port. */
interface Pair {
  requestId: string;
  port: number;
  data?: Stream;
  error?: Stream;
  timer?: NodeJS.Timeout;
  conn?: PodConnection;
  /** Client bytes that arrived before the pod connection was made. */
  pending: Buffer[];
  clientFin: boolean;
  /** Pod output waiting for the peer's window. */
  queued: Buffer[];
  podFin: boolean;
  /** Client bytes written to the pod and not yet acknowledged in a WINDOW_UPDATE. */
  unacked: number;
  finished: boolean;
  /** We ended the pod connection (kubectl reset the stream, or left): not an error. */
  killed: boolean;
}

export class PortForwardSession {
  private readonly t: Transport;
  private readonly pod: ForwardablePod;
  private readonly reader: FrameReader;
  private readonly deflater = new HeaderDeflater();
  private readonly streams = new Map<number, { stream: Stream; pair: Pair }>();
  private readonly pairs = new Map<string, Pair>();
  private closed = false;
  private goneAway = false;
  private inflight = 0;
  private congested = false;
  private peerFlowControl = false;
  private initialWindow = INITIAL_WINDOW;
  private connWindow = INITIAL_WINDOW;
  private connUnacked = 0;
  private uploadsBlocked = 0;

  constructor(t: Transport, pod: ForwardablePod) {
    this.t = t;
    this.pod = pod;
    this.reader = new FrameReader(
      (f) => this.onFrame(f),
      () => this.close(),
    );
    t.onData((b) => this.receive(b));
    t.onClose(() => this.close());
  }

  receive(b: Buffer): void {
    this.reader.push(b);
  }

  private send(b: Buffer): void {
    if (this.closed) return;
    this.inflight += b.length;
    if (this.inflight > HIGH_WATER && !this.congested) {
      this.congested = true;
      for (const p of this.pairs.values()) this.updateFlow(p);
    }
    this.t.send(b, () => {
      this.inflight -= b.length;
      if (this.congested && this.inflight < HIGH_WATER / 2) {
        this.congested = false;
        for (const p of this.pairs.values()) this.updateFlow(p);
      }
    });
  }

  private onFrame(f: Frame): void {
    switch (f.type) {
      case 'syn_stream':
        return this.onSynStream(f.streamId, f.flags, f.headers);
      case 'data':
        return this.onData(f.streamId, f.flags, f.data);
      case 'rst_stream':
        return this.onReset(f.streamId);
      case 'ping':
        // Client pings have odd ids; we echo them (we never ping, so even ids are not ours to answer).
        if (f.id % 2 === 1) this.send(encodePing(f.id));
        return;
      case 'settings':
        for (const e of f.entries) {
          if (e.id !== SETTINGS_INITIAL_WINDOW_SIZE) continue;
          const delta = e.value - this.initialWindow;
          this.initialWindow = e.value;
          this.peerFlowControl = true;
          for (const { stream } of this.streams.values()) stream.window += delta;
        }
        return;
      case 'window_update': {
        this.peerFlowControl = true;
        if (f.streamId === 0) {
          this.connWindow += f.delta;
          for (const p of this.pairs.values()) this.flushQueued(p);
        } else {
          const s = this.streams.get(f.streamId);
          if (!s) return;
          s.stream.window += f.delta;
          this.flushQueued(s.pair);
        }
        return;
      }
      case 'goaway':
        // kubectl is leaving: no new streams; it closes the connection once its streams are done.
        this.goneAway = true;
        return;
      default:
        return; // SYN_REPLY and HEADERS (we open no streams), unknown control frames: ignored, as spdystream does
    }
  }

  private onSynStream(id: number, flags: number, headers: Record<string, string[]>): void {
    if (this.closed || this.goneAway) return;
    // The kubelet's checks (httpStreamReceived); a rejected stream is reset.
    const portString = header(headers, 'port') ?? '';
    const port = /^\d+$/.test(portString) ? Number(portString) : NaN;
    const kind = header(headers, 'streamtype');
    if (!(port >= 1 && port <= 65535) || (kind !== 'data' && kind !== 'error')) return this.send(encodeRstStream(id, RST.Cancel));
    this.send(encodeSynReply(this.deflater, id, {}));
    // Older clients send no requestid: the kubelet pairs by stream id (error N, data N+2).
    const requestId = header(headers, 'requestid') ?? String(kind === 'error' ? id : id - 2);
    let pair = this.pairs.get(requestId);
    if (!pair) {
      pair = { requestId, port, pending: [], clientFin: false, queued: [], podFin: false, unacked: 0, finished: false, killed: false };
      this.pairs.set(requestId, pair);
      const p = pair;
      p.timer = setTimeout(() => {
        if (p.data && p.error) return;
        this.finish(p, `(conn=${this.pod.id}, request=${requestId}) timed out waiting for streams`);
      }, STREAM_CREATION_TIMEOUT_MS);
    }
    const stream: Stream = { id, kind, closed: false, window: this.initialWindow };
    this.streams.set(id, { stream, pair });
    if (pair[kind]) {
      const msg = `error processing stream for request ${requestId}: ${kind} stream already assigned`;
      if (pair.error && !pair.error.closed) this.send(encodeData(pair.error.id, Buffer.from(msg)));
      return;
    }
    pair[kind] = stream;
    if (kind === 'data' && flags & FLAG_FIN) pair.clientFin = true;
    if (pair.data && pair.error) {
      clearTimeout(pair.timer);
      void this.forward(pair);
    }
  }

  private onData(id: number, flags: number, data: Buffer): void {
    const s = this.streams.get(id);
    if (!s) return;
    const { stream, pair } = s;
    if (stream.kind === 'error') return; // kubectl only ever closes its side of the error stream
    if (data.length > 0) {
      if (pair.conn) this.writeToPod(pair, data);
      else pair.pending.push(data);
    }
    if (flags & FLAG_FIN) {
      pair.clientFin = true;
      if (pair.conn) pair.conn.process.stdin!.end();
    }
  }

  private writeToPod(pair: Pair, data: Buffer): void {
    const stdin = pair.conn!.process.stdin!;
    if (!stdin.writable) return;
    const ok = stdin.write(data, () => this.ack(pair, data.length));
    if (!ok) {
      // The pod reads slower than kubectl sends: stop reading from kubectl until it catches up.
      if (this.uploadsBlocked++ === 0) this.t.pause();
      stdin.once('drain', () => {
        if (--this.uploadsBlocked === 0) this.t.resume();
      });
    }
  }

  private ack(pair: Pair, n: number): void {
    pair.unacked += n;
    this.connUnacked += n;
    if (pair.unacked >= ACK_EVERY && pair.data && !pair.data.closed) {
      this.send(encodeWindowUpdate(pair.data.id, pair.unacked));
      pair.unacked = 0;
    }
    if (this.connUnacked >= ACK_EVERY) {
      this.send(encodeWindowUpdate(0, this.connUnacked));
      this.connUnacked = 0;
    }
  }

  private onReset(id: number): void {
    const s = this.streams.get(id);
    if (!s) return;
    s.stream.closed = true;
    this.streams.delete(id);
    // kubectl resets the data stream once it has read the pod's side to the end (or gave up on it).
    if (s.stream.kind === 'data') {
      s.pair.killed = true;
      if (s.pair.conn) s.pair.conn.process.kill();
      else if (!s.pair.error) this.finish(s.pair);
    }
  }

  private async forward(pair: Pair): Promise<void> {
    let conn: PodConnection;
    try {
      conn = await this.pod.connect(pair.port);
    } catch (e) {
      return this.finish(pair, `error forwarding port ${pair.port} to pod ${this.pod.id}, uid : ${(e as Error).message}`);
    }
    if (this.closed || pair.data!.closed) {
      conn.process.kill();
      return this.finish(pair);
    }
    pair.conn = conn;
    const child = conn.process;
    for (const b of pair.pending.splice(0)) this.writeToPod(pair, b);
    if (pair.clientFin) child.stdin!.end();
    child.stdout!.on('data', (b: Buffer) => this.fromPod(pair, b));
    child.stdout!.on('end', () => {
      pair.podFin = true;
      this.flushQueued(pair);
    });
    child.once('close', (code, signal) => {
      const failed = code !== 0 && !signal && !pair.killed ? conn.failure() : undefined;
      this.finish(pair, failed ? `error forwarding port ${pair.port} to pod ${this.pod.id}, uid : ${failed}` : undefined);
    });
  }

  private fromPod(pair: Pair, b: Buffer): void {
    pair.queued.push(b);
    this.flushQueued(pair);
  }

  /** Sends what the windows allow of the pod's output (everything, unless the peer does flow control), then FIN once the pod is done. */
  private flushQueued(pair: Pair): void {
    const s = pair.data;
    if (!s || s.closed) {
      pair.queued = [];
      return;
    }
    while (pair.queued.length > 0) {
      let b = pair.queued[0]!;
      if (this.peerFlowControl) {
        const room = Math.min(s.window, this.connWindow);
        if (room <= 0) break;
        if (b.length > room) {
          pair.queued[0] = b.subarray(room);
          b = b.subarray(0, room);
        } else pair.queued.shift();
        s.window -= b.length;
        this.connWindow -= b.length;
      } else pair.queued.shift();
      this.send(encodeData(s.id, b));
    }
    if (pair.podFin && pair.queued.length === 0) {
      this.send(encodeData(s.id, Buffer.alloc(0), FLAG_FIN));
      s.closed = true;
    }
    this.updateFlow(pair);
  }

  private updateFlow(pair: Pair): void {
    const out = pair.conn?.process.stdout;
    if (!out || out.readableEnded) return;
    if (this.congested || pair.queued.length > 0) out.pause();
    else out.resume();
  }

  /** Ends a forwarded connection as the kubelet does: data stream FIN, the error (if any) on the error stream, its FIN. */
  private finish(pair: Pair, error?: string): void {
    if (pair.finished) return;
    pair.finished = true;
    clearTimeout(pair.timer);
    this.pairs.delete(pair.requestId);
    const { data, error: errStream } = pair;
    if (data && !data.closed && pair.queued.length === 0) {
      this.send(encodeData(data.id, Buffer.alloc(0), FLAG_FIN));
      data.closed = true;
    }
    if (errStream && !errStream.closed) {
      if (error) this.send(encodeData(errStream.id, Buffer.from(error)));
      this.send(encodeData(errStream.id, Buffer.alloc(0), FLAG_FIN));
      errStream.closed = true;
    }
    if (pair.unacked > 0 && data && !data.closed) this.send(encodeWindowUpdate(data.id, pair.unacked));
    for (const s of [data, errStream]) if (s) this.streams.delete(s.id);
    if (this.goneAway && this.pairs.size === 0) this.t.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.reader.close();
    for (const p of this.pairs.values()) {
      clearTimeout(p.timer);
      p.conn?.process.kill();
    }
    this.pairs.clear();
    this.streams.clear();
    this.t.close();
  }
}
