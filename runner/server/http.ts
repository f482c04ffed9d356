/**
 * @module
 * `flatnet serve`: the runner's HTTP + WebSocket face.
 *
 *   POST   /api/sessions                {lab, task?, provider?, cni?} → 201 {id, token}
 *   GET    /api/sessions/:id/events     Server-Sent Events: progress, ready | failed, ended
 *   POST   /api/sessions/:id/grade      {answer, task?} → the live GradeResult
 *   POST   /api/sessions/:id/apply      {yaml} → {ok, output}: kubectl apply in the session's cluster
 *   POST   /api/sessions/:id/reset      {task?} → 202; the task's start state is set up again
 *                                        (progress, then ready, on the events stream)
 *   DELETE /api/sessions/:id
 *   GET    /api/labs/:id                the lab as JSON (lab.yaml parsed, and the files it names)
 *   WS     /api/sessions/:id/terminal   the session's shell (terminal.ts)
 *   GET    /healthz, /metrics           JSON health; Prometheus text, names prefixed flatnet_
 *   GET    /*                           the built course site, when one is given (static.ts)
 *
 * Every session call carries the session's token (`Authorization: Bearer`, or `?token=` where a
 * browser cannot set headers: EventSource, WebSocket). Writes need a JSON body, which a
 * cross-site form cannot send, and any Origin must be this server's own (or one allowed).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { FlatnetError } from '../../checkers/errors.ts';
import type { Session, SessionManager } from './sessions.ts';
import { serveStatic } from './static.ts';

const MAX_BODY = 256 * 1024;
const STATUS: Record<string, number> = { SessionLost: 410, BadLabId: 400, NoSuchLab: 404, NoSuchTask: 404, TaskRequired: 400, TooManySessions: 429, NotReady: 409, BadRequest: 400, UnknownProvider: 400, UnsupportedCni: 400, CniMismatch: 400, ProviderNotServed: 400 };

export interface ServeOptions {
  sessions: SessionManager;
  /** Origins besides the server's own that may use the API (e.g. the site's dev server). */
  allowedOrigins?: string[];
  /** The built site (Astro's dist/) to serve at `/`. */
  site?: string;
}

export function startServer(opts: ServeOptions, port: number, host = '127.0.0.1'): Promise<{ server: Server; url: string }> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const server = createServer((req, res) =>
    void handle(opts, req, res).catch((e: unknown) => {
      if (!(e instanceof FlatnetError)) opts.sessions.log({ event: 'error', method: req.method, path: req.url?.split('?')[0], message: e instanceof Error ? e.message : String(e) });
      fail(res, e);
    }),
  );
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refuse = (code: number, text: string) => {
      socket.end(`HTTP/1.1 ${code} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const url = new URL(req.url ?? '/', 'http://flatnet');
    const m = /^\/api\/sessions\/([0-9a-f]{16})\/terminal$/.exec(url.pathname);
    if (!m) return refuse(404, 'Not Found');
    if (!originAllowed(req, opts)) {
      opts.sessions.log({ event: 'refused', why: 'origin', origin: req.headers.origin, client: req.socket.remoteAddress });
      return refuse(403, 'Forbidden');
    }
    let s;
    try {
      s = opts.sessions.get(m[1]!, url.searchParams.get('token') ?? bearer(req));
    } catch {
      return refuse(410, 'Gone');
    }
    if (!s) {
      opts.sessions.log({ event: 'refused', why: 'token', session: m[1], client: req.socket.remoteAddress });
      return refuse(401, 'Unauthorized');
    }
    void opts.sessions.terminal(s).then(
      (t) =>
        wss.handleUpgrade(req, socket, head, (ws) => {
          ws.on('message', () => (s.lastSeen = Date.now()));
          t.attach(ws, () => opts.sessions.log({ event: 'refused', why: 'terminal flood', session: s.id, client: req.socket.remoteAddress }));
        }),
      () => refuse(409, 'Conflict'),
    );
  });
  return new Promise((resolve) => {
    server.listen(port, host, () => {
      const a = server.address() as { port: number };
      resolve({ server, url: `http://${host}:${a.port}` });
    });
  });
}

async function handle(opts: ServeOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://flatnet');
  const path = url.pathname;
  const { sessions } = opts;
  if (req.method === 'GET' && path === '/healthz') return json(res, 200, { ok: true, sessions: sessions.all.length });
  if (req.method === 'GET' && path === '/metrics') return text(res, 200, metrics(sessions));
  if (!path.startsWith('/api/')) {
    if (opts.site && serveStatic(opts.site, req, res, path)) return;
    return json(res, 404, { error: 'not found' });
  }
  if (!originAllowed(req, opts)) {
    sessions.log({ event: 'refused', why: 'origin', origin: req.headers.origin, client: req.socket.remoteAddress });
    return json(res, 403, { error: 'this origin may not use the flatnet API' });
  }
  const lab = /^\/api\/labs\/([^/]+)$/.exec(path);
  if (req.method === 'GET' && lab) return json(res, 200, sessions.labJson(decodeURIComponent(lab[1]!)));
  if (req.method === 'POST' && path === '/api/sessions') {
    const body = await readJson(req);
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const s = sessions.create(String(body.lab ?? ''), str(body.task), { provider: str(body.provider), cni: str(body.cni) }, req.socket.remoteAddress ?? 'unknown');
    return json(res, 201, { id: s.id, token: s.token });
  }
  const m = /^\/api\/sessions\/([0-9a-f]{16})(\/events|\/grade|\/apply|\/reset)?$/.exec(path);
  if (!m) return json(res, 404, { error: 'not found' });
  const s = sessions.get(m[1]!, bearer(req) ?? url.searchParams.get('token') ?? undefined);
  if (!s) {
    sessions.log({ event: 'refused', why: 'token', session: m[1], client: req.socket.remoteAddress });
    return json(res, 401, { error: 'no such session, or not your token' });
  }
  if (req.method === 'GET' && m[2] === '/events') return events(s, req, res);
  if (req.method === 'POST' && m[2] === '/grade') {
    const body = await readJson(req);
    if (typeof body.answer !== 'string') throw new FlatnetError('BadRequest', 'the body needs an "answer" string');
    return json(res, 200, await sessions.grade(s, body.answer, typeof body.task === 'string' ? body.task : undefined));
  }
  if (req.method === 'POST' && m[2] === '/apply') {
    const body = await readJson(req);
    if (typeof body.yaml !== 'string') throw new FlatnetError('BadRequest', 'the body needs a "yaml" string');
    return json(res, 200, await sessions.apply(s, body.yaml));
  }
  if (req.method === 'POST' && m[2] === '/reset') {
    const body = await readJson(req);
    sessions.reset(s, typeof body.task === 'string' ? body.task : undefined);
    return json(res, 202, { resetting: true });
  }
  if (req.method === 'DELETE' && m[2] === undefined) {
    await sessions.end(s, 'ended by the learner');
    return json(res, 200, { ended: true });
  }
  json(res, 405, { error: 'method not allowed' });
}

function events(s: Session, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
  const stop = s.follow((e) => {
    res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    if (e.type === 'ended') res.end();
  });
  req.on('close', stop);
}

function metrics(sessions: SessionManager): string {
  const byState = new Map<string, number>();
  for (const s of sessions.all) byState.set(s.state, (byState.get(s.state) ?? 0) + 1);
  const buckets = [1, 2, 5, 10, 30, 60, 120];
  const times = sessions.readyTimes.map((ms) => ms / 1000);
  return [
    '# HELP flatnet_sessions Sessions by state.',
    '# TYPE flatnet_sessions gauge',
    ...['provisioning', 'ready', 'failed'].map((st) => `flatnet_sessions{state="${st}"} ${byState.get(st) ?? 0}`),
    '# HELP flatnet_session_ready_seconds Time from create to ready.',
    '# TYPE flatnet_session_ready_seconds histogram',
    ...buckets.map((b) => `flatnet_session_ready_seconds_bucket{le="${b}"} ${times.filter((t) => t <= b).length}`),
    `flatnet_session_ready_seconds_bucket{le="+Inf"} ${times.length}`,
    `flatnet_session_ready_seconds_sum ${times.reduce((a, b) => a + b, 0)}`,
    `flatnet_session_ready_seconds_count ${times.length}`,
    '# HELP flatnet_session_failures_total Sessions whose provisioning failed.',
    '# TYPE flatnet_session_failures_total counter',
    `flatnet_session_failures_total ${sessions.failures}`,
    '',
  ].join('\n');
}

function originAllowed(req: IncomingMessage, opts: ServeOptions): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true; // not a browser (curl, tests, the CLI)
  const own = [`http://${req.headers.host}`, `https://${req.headers.host}`];
  return own.includes(origin) || (opts.allowedOrigins ?? []).includes(origin);
}

function bearer(req: IncomingMessage): string | undefined {
  const m = /^Bearer (\S+)$/.exec(String(req.headers.authorization ?? ''));
  return m?.[1];
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) throw new FlatnetError('BadRequest', 'send JSON (Content-Type: application/json)');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new FlatnetError('BadRequest', 'the request body is too large');
    chunks.push(c as Buffer);
  }
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString()) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new FlatnetError('BadRequest', 'the body is not a JSON object');
}

function fail(res: ServerResponse, e: unknown): void {
  if (res.headersSent) return void res.end();
  if (e instanceof FlatnetError) return json(res, STATUS[e.code] ?? 500, { error: e.message, code: e.code, fix: e.fix });
  json(res, 500, { error: e instanceof Error ? e.message : String(e) });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const t = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(t), 'cache-control': 'no-store' });
  res.end(t);
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; version=0.0.4', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
