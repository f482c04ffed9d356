/**
 * @module
 * What the ingress controller serves, as plain data: the Ingresses of its class merged into one
 * table of servers (one per host, as ingress-nginx makes one server block per host), each with
 * its paths and their backends resolved to ready endpoints (pod IP and port: the controller
 * proxies to pods, so NetworkPolicy on the backends sees the controller's pods), and the TLS
 * certificates by host. `route` answers a request the way the Ingress API defines matching
 * (docs/research/ingress.md): the most specific host (exact, then `*.` one label, then any),
 * then the longest matching path, Exact before Prefix at equal length; else the default backend.
 * HTTPRoutes of the Gateway API (gateway.ts) come into the same table as `httpRoutes`, matched
 * first and by that API's own precedence (docs/research/gateway-api.md); a request none of them
 * matches falls through to the Ingress rules.
 * No Node imports: the daemon builds the table, the controller pods read it as JSON.
 */

export const INGRESS_CLASS = 'flatnet';
export const CONTROLLER_NAME = 'flatnet.dev/ingress-controller';

export interface Backend {
  /** `namespace/service:port`, for logs and the 503 page. */
  name: string;
  /** Ready endpoints as `ip:port`; empty: the Service has none (503). */
  endpoints: string[];
  /**
   * An HTTPRoute rule's weighted backendRefs: each request goes to one of these, picked in
   * proportion to its weight, then to one of that backend's endpoints. `endpoints` is then empty.
   */
  split?: { backend: Backend; weight: number }[];
  /** Why requests for it cannot be served at all (a backendRef to a missing Service): the Gateway API answers 500. */
  invalid?: string;
}

/** One match of an HTTPRoute rule, as attached to one listener of a Gateway. */
export interface GatewayRule {
  /** Exact names or `*.` wildcards (any number of labels, as the Gateway API reads them); empty: any host. */
  hostnames: string[];
  /** The listener's protocol: a route attached to an HTTPS listener only is not served over plain HTTP. */
  scheme: 'http' | 'https';
  path: string;
  pathType: 'Exact' | 'Prefix';
  method?: string;
  /** Exact header matches (names compared case-insensitively). */
  headers?: { name: string; value: string }[];
  backend: Backend;
  /** `namespace/name` of the HTTPRoute. */
  route: string;
  /** The last tie-breaker: oldest route, then namespace/name, then rule and match order. */
  order: number;
}

export interface PathRule {
  path: string;
  pathType: 'Exact' | 'Prefix';
  backend: Backend;
  /** The Ingress it came from, `namespace/name`. */
  ingress: string;
}

export interface Server {
  /** A DNS name, `*.example.com`, or '' for rules without a host. */
  host: string;
  paths: PathRule[];
}

export interface Certificate {
  /** The hosts it serves (exact or `*.` wildcard). */
  hosts: string[];
  /** PEM, as in the Secret's tls.crt and tls.key. */
  cert: string;
  key: string;
  /** `namespace/name` of the Secret. */
  secret: string;
}

export interface IngressTable {
  servers: Server[];
  defaultBackend?: Backend;
  certificates: Certificate[];
  /** HTTPRoute rules attached to Gateways of class flatnet (gateway.ts); absent when there are none. */
  httpRoutes?: GatewayRule[];
}

/** The objects the table is made from, as the API serves them. */
export interface IngressWorld {
  ingresses: Obj[];
  services: Obj[];
  endpoints: Obj[];
  secrets: Obj[];
}

export interface Obj {
  metadata: { name: string; namespace?: string; creationTimestamp?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

interface IngressBackend {
  service?: { name: string; port: { number?: number; name?: string } };
}
interface IngressSpec {
  ingressClassName?: string;
  defaultBackend?: IngressBackend;
  tls?: { hosts?: string[]; secretName?: string }[];
  rules?: { host?: string; http?: { paths: { path?: string; pathType: string; backend: IngressBackend }[] } }[];
}

/** Ingresses of this controller's class (the API server has already filled in the default class). */
export function ours(ing: Obj): boolean {
  const spec = (ing.spec ?? {}) as IngressSpec;
  return (spec.ingressClassName ?? ing.metadata.annotations?.['kubernetes.io/ingress.class']) === INGRESS_CLASS;
}

export function buildTable(world: IngressWorld): IngressTable {
  // Oldest first: where two Ingresses claim the same host and path, the older one keeps it.
  const ingresses = world.ingresses.filter(ours).sort((a, b) => key(a).localeCompare(key(b)));
  const servers = new Map<string, Server>();
  const certificates: Certificate[] = [];
  let defaultBackend: Backend | undefined;
  for (const ing of ingresses) {
    const ns = ing.metadata.namespace ?? 'default';
    const spec = (ing.spec ?? {}) as IngressSpec;
    const from = `${ns}/${ing.metadata.name}`;
    if (spec.defaultBackend && !defaultBackend) defaultBackend = backend(world, ns, spec.defaultBackend);
    for (const rule of spec.rules ?? []) {
      const host = (rule.host ?? '').toLowerCase();
      const server = servers.get(host) ?? { host, paths: [] };
      servers.set(host, server);
      for (const p of rule.http?.paths ?? []) {
        const path = p.path ?? '/';
        const pathType = p.pathType === 'Exact' ? 'Exact' : 'Prefix'; // ImplementationSpecific: as Prefix
        if (server.paths.some((q) => q.path === path && q.pathType === pathType)) continue;
        server.paths.push({ path, pathType, backend: backend(world, ns, p.backend), ingress: from });
      }
    }
    for (const tls of spec.tls ?? []) {
      if (!tls.secretName) continue;
      const secret = world.secrets.find((s) => s.metadata.namespace === ns && s.metadata.name === tls.secretName);
      const data = (secret?.data ?? {}) as Record<string, string>;
      if (!data['tls.crt'] || !data['tls.key']) continue; // a missing Secret: that host falls back to the default certificate
      const hosts = (tls.hosts ?? []).map((h) => h.toLowerCase());
      certificates.push({ hosts, cert: decode(data['tls.crt']), key: decode(data['tls.key']), secret: `${ns}/${tls.secretName}` });
    }
  }
  return { servers: [...servers.values()], ...(defaultBackend ? { defaultBackend } : {}), certificates };
}

const key = (o: Obj) => `${o.metadata.creationTimestamp ?? ''} ${o.metadata.namespace}/${o.metadata.name}`;

/** base64 in the browser and in Node alike. */
export function decode(b64: string): string {
  return new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
}

function backend(world: IngressWorld, ns: string, b: IngressBackend): Backend {
  return serviceBackend(world, ns, b.service?.name ?? '', b.service?.port ?? {});
}

/** A Service port by number or name, then its ready endpoints for that port. */
export function serviceBackend(world: Pick<IngressWorld, 'services' | 'endpoints'>, ns: string, svcName: string, want: { number?: number; name?: string }): Backend {
  const name = `${ns}/${svcName}:${want.number ?? want.name ?? ''}`;
  const svc = world.services.find((s) => s.metadata.namespace === ns && s.metadata.name === svcName);
  const ports = ((svc?.spec?.ports ?? []) as { name?: string; port: number; protocol?: string }[]).filter((p) => (p.protocol ?? 'TCP') === 'TCP');
  const port = ports.find((p) => (want.number !== undefined ? p.port === want.number : p.name === want.name));
  if (!port) return { name, endpoints: [] };
  const ep = world.endpoints.find((e) => e.metadata.namespace === ns && e.metadata.name === svcName);
  const endpoints: string[] = [];
  for (const subset of (ep?.subsets ?? []) as { addresses?: { ip: string }[]; ports?: { name?: string; port: number }[] }[]) {
    const target = subset.ports?.find((p) => (p.name ?? '') === (port.name ?? ''));
    if (!target) continue;
    for (const a of subset.addresses ?? []) endpoints.push(`${a.ip}:${target.port}`);
  }
  return { name, endpoints: endpoints.sort() };
}

/** Whether a host pattern (exact, `*.` one label, or '' for any) covers a request's host. */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '') return true;
  if (!pattern.startsWith('*.')) return pattern === host;
  const dot = host.indexOf('.');
  return dot > 0 && host.slice(dot + 1) === pattern.slice(2);
}

/** Prefix matching is by path element: `/foo` matches `/foo`, `/foo/` and `/foo/bar`, not `/foobar`. */
export function pathMatches(rule: Pick<PathRule, 'path' | 'pathType'>, path: string): boolean {
  if (rule.pathType === 'Exact') return rule.path === path;
  const want = rule.path.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  return want.length <= got.length && want.every((seg, i) => seg === got[i]);
}

export interface Routed {
  backend: Backend;
  /** What decided it: the rule, or the default backend. */
  by: string;
}

/** What else of a request the Gateway API can match on; without it only host and path count. */
export interface RequestInfo {
  scheme?: 'http' | 'https';
  method?: string;
  headers?: Record<string, string | string[] | undefined>;
}

/** The backend for a request, or undefined for 404. `host` without its port. */
export function route(table: IngressTable, host: string, path: string, req: RequestInfo = {}): Routed | undefined {
  const h = host.toLowerCase().replace(/\.$/, '');
  const pathOnly = path.split('?')[0] || '/';
  const viaGateway = routeGateway(table.httpRoutes ?? [], h, pathOnly, req);
  if (viaGateway) return viaGateway;
  const rank = (s: Server) => (s.host === '' ? 2 : s.host.startsWith('*.') ? 1 : 0);
  const server = table.servers.filter((s) => hostMatches(s.host, h)).sort((a, b) => rank(a) - rank(b))[0];
  const length = (p: PathRule) => p.path.split('/').filter(Boolean).join('/').length;
  const best = (server?.paths ?? [])
    .filter((p) => pathMatches(p, pathOnly))
    .sort((a, b) => length(b) - length(a) || (a.pathType === 'Exact' ? -1 : b.pathType === 'Exact' ? 1 : 0))[0];
  if (best) return { backend: best.backend, by: `${best.ingress}: host ${server!.host || '*'}, ${best.pathType} ${best.path}` };
  return table.defaultBackend ? { backend: table.defaultBackend, by: 'defaultBackend' } : undefined;
}

/** A Gateway API hostname (exact, or `*.` matching one or more labels) against a request's host. */
export function gatewayHostMatches(pattern: string, host: string): boolean {
  if (!pattern.startsWith('*.')) return pattern === host;
  return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
}

/**
 * HTTPRoute precedence (apis/v1/httproute_types.go): the route with the longest matching
 * non-wildcard hostname, then the longest matching hostname; then an Exact path, the longest
 * PathPrefix, a method match, the most header matches; then the oldest route, its
 * namespace/name, and rule order.
 */
function routeGateway(rules: GatewayRule[], host: string, path: string, req: RequestInfo): Routed | undefined {
  const header = (name: string) => {
    const v = req.headers?.[name.toLowerCase()];
    return Array.isArray(v) ? v.join(',') : v;
  };
  const scored = rules.flatMap((r) => {
    if (req.scheme && r.scheme !== req.scheme) return [];
    if (r.method && req.method && r.method !== req.method.toUpperCase()) return [];
    if (!pathMatches(r, path)) return [];
    if ((r.headers ?? []).some((m) => header(m.name) !== m.value)) return [];
    if (r.hostnames.length === 0) return [{ r, exact: 0, chars: 0, host: '*' }];
    const hit = r.hostnames.filter((n) => gatewayHostMatches(n, host)).sort((a, b) => Number(a.startsWith('*.')) - Number(b.startsWith('*.')) || b.length - a.length)[0];
    return hit === undefined ? [] : [{ r, exact: hit.startsWith('*.') ? 0 : hit.length, chars: hit.length, host: hit }];
  });
  const best = scored.sort(
    (a, b) =>
      b.exact - a.exact ||
      b.chars - a.chars ||
      Number(b.r.pathType === 'Exact') - Number(a.r.pathType === 'Exact') ||
      b.r.path.length - a.r.path.length ||
      Number(!!b.r.method) - Number(!!a.r.method) ||
      (b.r.headers?.length ?? 0) - (a.r.headers?.length ?? 0) ||
      a.r.order - b.r.order,
  )[0];
  if (!best) return undefined;
  const type = best.r.pathType === 'Exact' ? 'Exact' : 'PathPrefix';
  return { backend: best.r.backend, by: `httproute ${best.r.route}: host ${best.host}, ${type} ${best.r.path}` };
}

/** The backend a request goes to: for a weighted split, one of its parts, in proportion to the weights. */
export function pickBackend(b: Backend, random: () => number = Math.random): Backend {
  if (!b.split?.length) return b;
  const total = b.split.reduce((n, s) => n + s.weight, 0);
  let x = random() * total;
  for (const s of b.split) {
    if (x < s.weight) return s.backend;
    x -= s.weight;
  }
  return b.split.at(-1)!.backend;
}

/** The certificate for a TLS client's SNI name: exact before wildcard; else the first (the default). */
export function certificateFor(table: IngressTable, servername: string | undefined): Certificate | undefined {
  const name = (servername ?? '').toLowerCase();
  return (
    table.certificates.find((c) => c.hosts.includes(name)) ??
    table.certificates.find((c) => c.hosts.some((h) => h.startsWith('*.') && hostMatches(h, name))) ??
    table.certificates[0]
  );
}
