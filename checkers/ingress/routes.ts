/**
 * @module
 * What the ingress controller serves, as plain data: the Ingresses of its class merged into one
 * table of servers (one per host, as ingress-nginx makes one server block per host), each with
 * its paths and their backends resolved to ready endpoints (pod IP and port: the controller
 * proxies to pods, so NetworkPolicy on the backends sees the controller's pods), and the TLS
 * certificates by host. `route` answers a request the way the Ingress API defines matching
 * (docs/research/ingress.md): the most specific host (exact, then `*.` one label, then any),
 * then the longest matching path, Exact before Prefix at equal length; else the default backend.
 * No Node imports: the daemon builds the table, the controller pods read it as JSON.
 */

export const INGRESS_CLASS = 'flatnet';
export const CONTROLLER_NAME = 'flatnet.dev/ingress-controller';

export interface Backend {
  /** `namespace/service:port`, for logs and the 503 page. */
  name: string;
  /** Ready endpoints as `ip:port`; empty: the Service has none (503). */
  endpoints: string[];
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
}

/** The objects the table is made from, as the API serves them. */
export interface IngressWorld {
  ingresses: Obj[];
  services: Obj[];
  endpoints: Obj[];
  secrets: Obj[];
}

interface Obj {
  metadata: { name: string; namespace?: string; creationTimestamp?: string; annotations?: Record<string, string> };
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
function decode(b64: string): string {
  return new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
}

/** A Service port by number or name, then its ready endpoints for that port. */
function backend(world: IngressWorld, ns: string, b: IngressBackend): Backend {
  const svcName = b.service?.name ?? '';
  const want = b.service?.port ?? {};
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

/** The backend for a request, or undefined for 404. `host` without its port. */
export function route(table: IngressTable, host: string, path: string): Routed | undefined {
  const h = host.toLowerCase().replace(/\.$/, '');
  const pathOnly = path.split('?')[0] || '/';
  const rank = (s: Server) => (s.host === '' ? 2 : s.host.startsWith('*.') ? 1 : 0);
  const server = table.servers.filter((s) => hostMatches(s.host, h)).sort((a, b) => rank(a) - rank(b))[0];
  const length = (p: PathRule) => p.path.split('/').filter(Boolean).join('/').length;
  const best = (server?.paths ?? [])
    .filter((p) => pathMatches(p, pathOnly))
    .sort((a, b) => length(b) - length(a) || (a.pathType === 'Exact' ? -1 : b.pathType === 'Exact' ? 1 : 0))[0];
  if (best) return { backend: best.backend, by: `${best.ingress}: host ${server!.host || '*'}, ${best.pathType} ${best.path}` };
  return table.defaultBackend ? { backend: table.defaultBackend, by: 'defaultBackend' } : undefined;
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
