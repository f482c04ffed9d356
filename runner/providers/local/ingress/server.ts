/**
 * @module
 * The ingress controller's proxy: HTTP and HTTPS listeners that pick a backend per request
 * with `route()` (routes.ts) and forward to one of its endpoints — a pod address — through
 * http-proxy-3 (a maintained successor of node-http-proxy, so the proxying itself is not ours
 * to get wrong: headers, X-Forwarded-*, websockets, errors). TLS terminates here, the
 * certificate chosen by the client's SNI name. The table can be swapped at any time; requests
 * already in flight finish with the one they started with.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { createSecureContext, type SecureContext } from 'node:tls';
import { createProxyServer } from 'http-proxy-3';
import { certificateFor, pickBackend, route, type IngressTable } from '../../../../checkers/ingress/routes.ts';
import { accessLine, DEFAULT_UPSTREAM, requestId, upstreamName } from './access-log.ts';

export interface IngressProxy {
  /** Replaces what is served, from the next request (and TLS handshake) on. */
  update(table: IngressTable): void;
  http: Server;
  https: Server;
  close(): Promise<void>;
}

export interface ProxyOptions {
  /** Where to listen; ports 0 pick free ones (tests). */
  host: string;
  httpPort: number;
  httpsPort: number;
  /** One line per request, in ingress-nginx's `upstreaminfo` format (access-log.ts): the pod's log. */
  access?: (line: string) => void;
  /** What went wrong on the way to an upstream. */
  log?: (line: string) => void;
}

export async function startIngressProxy(initial: IngressTable, opts: ProxyOptions): Promise<IngressProxy> {
  let table = initial;
  let contexts = new Map<string, SecureContext>();
  const log = opts.log ?? (() => {});
  const access = opts.access ?? (() => {});
  // ingress-nginx's defaults: proxy-connect-timeout 5 s (then 504), proxy-read-timeout 60 s.
  const proxy = createProxyServer({ xfwd: true, connectTimeout: 5_000, proxyTimeout: 60_000 });
  const upstreamStatus = new WeakMap<IncomingMessage, number>();
  proxy.on('proxyRes', (p, req) => void (p.statusCode !== undefined && upstreamStatus.set(req, p.statusCode)));

  const context = (servername: string | undefined): SecureContext | undefined => {
    const cert = certificateFor(table, servername);
    if (!cert) return undefined;
    let ctx = contexts.get(cert.secret);
    if (!ctx) {
      ctx = createSecureContext({ cert: cert.cert, key: cert.key });
      contexts.set(cert.secret, ctx);
    }
    return ctx;
  };

  /** The upstream for a request, or the status to answer with (404: no rule; 503: no endpoint; 500: a backendRef that cannot be resolved). */
  const target = (req: IncomingMessage): { upstream: string; addr: string } | { upstream: string; status: number } => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
    const scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
    const routed = route(table, host, req.url ?? '/', { scheme, method: req.method, headers: req.headers });
    if (!routed) return { upstream: DEFAULT_UPSTREAM, status: 404 };
    const backend = pickBackend(routed.backend);
    if (backend.invalid) return { upstream: upstreamName(backend.name), status: 500 };
    const eps = backend.endpoints;
    if (eps.length === 0) return { upstream: upstreamName(backend.name), status: 503 };
    // Each request to one endpoint picked at random, as a Service spreads connections.
    return { upstream: upstreamName(backend.name), addr: eps[Math.floor(Math.random() * eps.length)]! };
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    // As ingress-nginx: the client's X-Request-ID is kept (else one is made), sent upstream, logged.
    const id = requestId(req);
    req.headers['x-request-id'] = id;
    const t = target(req);
    res.once('finish', () => access(accessLine({ req, res, id, upstream: t.upstream, addr: 'addr' in t ? t.addr : undefined, upstreamStatus: upstreamStatus.get(req), seconds: (performance.now() - started) / 1000 })));
    if ('status' in t) {
      const text = t.status === 404 ? 'default backend - 404' : t.status === 500 ? '500 Internal Server Error' : '503 Service Temporarily Unavailable';
      res.writeHead(t.status, { 'content-type': 'text/plain' }).end(`${text}\n`);
      return;
    }
    proxy.web(req, res, { target: `http://${t.addr}` }, (err) => {
      log(`${req.method} ${req.headers.host ?? ''}${req.url ?? ''} -> ${t.addr} failed: ${err.message}`);
      // As nginx: a pod that does not accept in time is 504, any other failure 502; both are logged as the upstream's status.
      const status = (err as NodeJS.ErrnoException).code === 'ECONNECT_TIMEOUT' ? 504 : 502;
      upstreamStatus.set(req, status);
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status === 504 ? '504 Gateway Time-out\n' : '502 Bad Gateway\n');
    });
  };
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const t = target(req);
    if ('status' in t) return void socket.end(`HTTP/1.1 ${t.status} ${t.status === 404 ? 'Not Found' : t.status === 500 ? 'Internal Server Error' : 'Service Unavailable'}\r\n\r\n`);
    proxy.ws(req, socket, head, { target: `http://${t.addr}` }, () => socket.destroy());
  };

  const http = createHttpServer(onRequest).on('upgrade', onUpgrade);
  const https = createHttpsServer({ SNICallback: (name, cb) => cb(null, context(name)) }, onRequest).on('upgrade', onUpgrade);
  await Promise.all([listen(http, opts.host, opts.httpPort), listen(https, opts.host, opts.httpsPort)]);
  return {
    http,
    https,
    update(next) {
      table = next;
      contexts = new Map();
    },
    async close() {
      proxy.close();
      await Promise.all([http, https].map((s) => new Promise<void>((resolve) => s.close(() => resolve()).closeAllConnections())));
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}
