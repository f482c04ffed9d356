/**
 * @module
 * The table file the daemon writes for the ingress controller's pods (JSON of an IngressTable),
 * read back with a check of its shape: a torn or foreign file must not replace a good table.
 */
import { createHash } from 'node:crypto';
import type { Backend, IngressTable } from '../../../../checkers/ingress/routes.ts';

/**
 * What names one version of the file: the controller logs it when it loads one, so the daemon
 * can tell when the pod serves what it last wrote (live grading waits for that).
 */
export function tableDigest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** The digest in a controller log line saying it loaded a table. */
export const LOADED = /^flatnet-ingress: loaded table ([0-9a-f]{16}) /;

export const emptyTable = (): IngressTable => ({ servers: [], certificates: [] });

export function parseTable(text: string): IngressTable {
  const t = JSON.parse(text) as IngressTable;
  const fail = (what: string) => {
    throw new Error(`not an ingress table: ${what}`);
  };
  const backend = (b: Backend | undefined, where: string): void => {
    if (!b || typeof b.name !== 'string' || !Array.isArray(b.endpoints) || !b.endpoints.every((e) => typeof e === 'string' && /^[0-9a-f.:[\]]+:\d+$/i.test(e))) fail(`${where}: a backend needs a name and ip:port endpoints`);
    if (b!.split !== undefined) {
      if (!Array.isArray(b!.split) || b!.split.length === 0) fail(`${where}.split: a list of weighted backends`);
      b!.split!.forEach((s, i) => {
        if (typeof s.weight !== 'number' || s.weight <= 0) fail(`${where}.split[${i}]: a positive weight`);
        backend(s.backend, `${where}.split[${i}]`);
      });
    }
  };
  if (!t || !Array.isArray(t.servers) || !Array.isArray(t.certificates)) fail('servers and certificates must be lists');
  t.servers.forEach((s, i) => {
    if (typeof s.host !== 'string' || !Array.isArray(s.paths)) fail(`servers[${i}]: host and paths`);
    s.paths.forEach((p, j) => {
      if (typeof p.path !== 'string' || (p.pathType !== 'Exact' && p.pathType !== 'Prefix')) fail(`servers[${i}].paths[${j}]: path and pathType`);
      backend(p.backend, `servers[${i}].paths[${j}]`);
    });
  });
  if (t.defaultBackend) backend(t.defaultBackend, 'defaultBackend');
  if (t.httpRoutes !== undefined && !Array.isArray(t.httpRoutes)) fail('httpRoutes must be a list');
  (t.httpRoutes ?? []).forEach((r, i) => {
    if (!Array.isArray(r.hostnames) || (r.scheme !== 'http' && r.scheme !== 'https') || typeof r.path !== 'string' || (r.pathType !== 'Exact' && r.pathType !== 'Prefix') || typeof r.order !== 'number') fail(`httpRoutes[${i}]: hostnames, scheme, path, pathType and order`);
    backend(r.backend, `httpRoutes[${i}]`);
  });
  t.certificates.forEach((c, i) => {
    if (!Array.isArray(c.hosts) || typeof c.cert !== 'string' || typeof c.key !== 'string') fail(`certificates[${i}]: hosts, cert and key`);
  });
  return t;
}
