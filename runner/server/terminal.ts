/**
 * @module
 * A session's terminal: one shell on a pseudo-terminal that outlives its browser tab. Clients
 * attach over WebSocket and get the scrollback first, so a reconnect (a reload, a dropped
 * network) finds the shell and its screen as they were. Messages are JSON:
 * `{"type":"input","data":"ls\r"}`, `{"type":"resize","cols":120,"rows":40}`; output goes back
 * as binary frames, as xterm.js writes them.
 */
import type { IPty } from 'node-pty';
import type { WebSocket } from 'ws';
import { TERMINAL_RATE, TokenBucket } from './limits.ts';

/** Enough screens to scroll back through; older output is dropped first. */
const SCROLLBACK_BYTES = 256 * 1024;

export interface ShellSpec {
  cwd: string;
  env: Record<string, string>;
  argv: string[];
}

export class Terminal {
  private readonly pty: IPty;
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private readonly clients = new Set<WebSocket>();
  exited = false;
  private readonly done: Promise<void>;

  private constructor(pty: IPty) {
    this.pty = pty;
    pty.onData((d) => {
      const b = Buffer.from(d);
      this.chunks.push(b);
      this.size += b.length;
      while (this.size > SCROLLBACK_BYTES && this.chunks.length > 1) this.size -= this.chunks.shift()!.length;
      for (const ws of this.clients) if (ws.readyState === ws.OPEN) ws.send(b);
    });
    this.done = new Promise((resolve) =>
      pty.onExit(() => {
        this.exited = true;
        for (const ws of this.clients) ws.close(1000, 'the shell exited');
        resolve();
      }),
    );
  }

  static async start(spec: ShellSpec): Promise<Terminal> {
    const pty = await import('node-pty'); // loaded when a first terminal opens
    const [cmd, ...args] = spec.argv;
    return new Terminal(pty.spawn(cmd!, args, { name: 'xterm-256color', cols: 100, rows: 30, cwd: spec.cwd, env: spec.env }));
  }

  /**
   * Joins a client: it sees the scrollback, then everything new; its keys go to the shell.
   * A client sending faster than anyone types (TERMINAL_RATE) is cut off; `onFlood` hears of it.
   */
  attach(ws: WebSocket, onFlood: () => void = () => {}): void {
    this.clients.add(ws);
    if (this.size > 0) ws.send(Buffer.concat(this.chunks));
    const bucket = new TokenBucket(TERMINAL_RATE.rate, TERMINAL_RATE.burst);
    ws.on('message', (raw: Buffer) => {
      if (!bucket.take()) {
        onFlood();
        return void ws.close(1008, 'too many messages: a terminal is for typing');
      }
      let msg: { type?: string; data?: unknown; cols?: unknown; rows?: unknown };
      try {
        msg = JSON.parse(raw.toString());
      } catch {
        return; // not ours to answer: a client that sends garbage gets nothing
      }
      if (msg.type === 'input' && typeof msg.data === 'string') this.pty.write(msg.data);
      else if (msg.type === 'resize' && Number.isInteger(msg.cols) && Number.isInteger(msg.rows)) {
        const cols = Math.min(500, Math.max(10, msg.cols as number));
        const rows = Math.min(200, Math.max(5, msg.rows as number));
        this.pty.resize(cols, rows);
      }
    });
    ws.on('close', () => this.clients.delete(ws));
  }

  /** Ends the shell and resolves once it has exited (it may still write its history as it goes). */
  async kill(): Promise<void> {
    for (const ws of this.clients) ws.close(1001, 'session ended');
    if (!this.exited) this.pty.kill('SIGHUP');
    const timer = setTimeout(() => !this.exited && this.pty.kill('SIGKILL'), 2000);
    await this.done;
    clearTimeout(timer);
  }
}
