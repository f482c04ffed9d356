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
  const backend = (b: Backend | undefined, where: string) => {
    if (!b || typeof b.name !== 'string' || !Array.isArray(b.endpoints) || !b.endpoints.every((e) => typeof e === 'string' && /^[0-9a-f.:[\]]+:\d+$/i.test(e))) fail(`${where}: a backend needs a name and ip:port endpoints`);
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
  t.certificates.forEach((c, i) => {
    if (!Array.isArray(c.hosts) || typeof c.cert !== 'string' || typeof c.key !== 'string') fail(`certificates[${i}]: hosts, cert and key`);
  });
  return t;
}
