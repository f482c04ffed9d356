/**
 * @module
 * The controller's access log, one line per request in ingress-nginx's default `upstreaminfo`
 * format, so `kubectl logs -n ingress-flatnet ...` reads like a real controller's — and says
 * which Service (`[namespace-service-port]`) and which pod (`ip:port`) answered:
 *
 *     $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer"
 *     "$http_user_agent" $request_length $request_time [$proxy_upstream_name]
 *     [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length
 *     $upstream_response_time $upstream_status $req_id
 *
 * Live grading finds its own request in it by the X-Request-ID it sent (parseAccessLine).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What ingress-nginx names the upstream of a request no rule matched. */
export const DEFAULT_UPSTREAM = 'upstream-default-backend';

/** `shop/api-service:80` → `shop-api-service-80`, as ingress-nginx names upstreams. */
export function upstreamName(backend: string): string {
  return backend.replace('/', '-').replace(/:([^:]*)$/, '-$1');
}

export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\x21-\x7e]{1,200}$/.test(given) ? given : randomBytes(16).toString('hex');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** nginx's $time_local, in UTC: `26/Nov/2026:21:30:05 +0000`. */
export function timeLocal(d: Date): string {
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

export interface Served {
  req: IncomingMessage;
  res: ServerResponse;
  id: string;
  upstream: string;
  addr: string | undefined;
  upstreamStatus: number | undefined;
  seconds: number;
  now?: Date;
}

export function accessLine(s: Served): string {
  const { req, res } = s;
  const q = (v: string | string[] | undefined) => `"${(Array.isArray(v) ? v.join(', ') : v || '-').replace(/"/g, '\\x22')}"`;
  const bytes = Number(res.getHeader('content-length') ?? 0) || 0;
  const requestLength = Number(req.headers['content-length'] ?? 0) || 0;
  const up = (v: string | number | undefined) => (v === undefined ? '-' : String(v));
  return [
    `${req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '-'} - - [${timeLocal(s.now ?? new Date())}]`,
    `"${req.method} ${req.url} HTTP/${req.httpVersion}" ${res.statusCode} ${bytes} ${q(req.headers.referer)} ${q(req.headers['user-agent'])}`,
    `${requestLength} ${s.seconds.toFixed(3)} [${s.upstream}] [] ${up(s.addr)} ${s.addr ? bytes : '-'} ${s.addr ? s.seconds.toFixed(3) : '-'} ${up(s.upstreamStatus)} ${s.id}`,
  ].join(' ');
}

export interface AccessRecord {
  status: number;
  upstream: string;
  /** The pod the request was sent to (`ip:port`); undefined when none was picked (404, 503). */
  addr: string | undefined;
  /** What the pod answered; 502 or 504 (as nginx logs them) when the controller got no answer from it. */
  upstreamStatus: number | undefined;
  id: string;
}

const LINE = /"[^"]*" (\d{3}) \d+ "[^"]*" "[^"]*" \d+ [\d.]+ \[([^\]]*)\] \[[^\]]*\] (\S+) \S+ \S+ (\S+) (\S+)$/;

/** The fields live grading needs from one access-log line; undefined for any other line. */
export function parseAccessLine(line: string): AccessRecord | undefined {
  const m = LINE.exec(line.trim());
  if (!m) return undefined;
  return { status: Number(m[1]), upstream: m[2]!, addr: m[3] === '-' ? undefined : m[3], upstreamStatus: m[4] === '-' ? undefined : Number(m[4]), id: m[5]! };
}
