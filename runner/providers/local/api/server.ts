/**
 * @module
 * The cluster's Kubernetes API, in front of its object store, for the real kubectl: HTTPS
 * with the cluster's own CA, bearer-token auth (anything else gets 401, as kube-apiserver),
 * discovery, and reads — get and list with selectors, JSON or server-side Tables. Writes,
 * watch, exec and logs come next (issue 6).
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FlatnetError } from '../../../../checkers/errors.ts';
import type { ObjectStore } from '../store/store.ts';
import { RESOURCES, type Resource } from '../store/types.ts';
import { aggregated, AGGREGATED, API_RESOURCES, legacyCore, legacyGroups, resourceList, versionInfo } from './discovery.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { table } from './tables.ts';
import type { Credentials } from './tls.ts';

export function startApiServer(store: ObjectStore, creds: Credentials, port = 0): Promise<{ server: Server; port: number }> {
  const server = createServer({ cert: creds.cert, key: creds.key }, (req, res) => {
    try {
      handle(store, creds, req, res);
    } catch (e) {
      const err = e instanceof FlatnetError ? e : new FlatnetError('InternalError', e instanceof Error ? e.message : String(e));
      sendStatus(res, statusCode(err.code), err.code, err.message);
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

function handle(store: ObjectStore, creds: Credentials, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'https://127.0.0.1');
  if (req.headers.authorization !== `Bearer ${creds.token}`) return sendStatus(res, 401, 'Unauthorized', 'Unauthorized');
  const accept = String(req.headers.accept ?? '');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (req.method !== 'GET') return sendStatus(res, 405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${req.method} ${path})`);
  if (path === '/version') return send(res, 200, versionInfo());
  if (path === '/api') return accept.includes('as=APIGroupDiscoveryList') ? send(res, 200, aggregated(true), AGGREGATED) : send(res, 200, legacyCore(String(req.headers.host)));
  if (path === '/apis') return accept.includes('as=APIGroupDiscoveryList') ? send(res, 200, aggregated(false), AGGREGATED) : send(res, 200, legacyGroups());
  if (path === '/api/v1') return send(res, 200, resourceList(''));
  const gv = /^\/apis\/([^/]+)\/v1$/.exec(path);
  if (gv) return send(res, 200, resourceList(gv[1]!));
  const route = parseResourcePath(path);
  if (!route) return sendStatus(res, 404, 'NotFound', 'the server could not find the requested resource');
  const { resource, namespace, name } = route;
  const asTable = accept.includes('as=Table');
  if (name) {
    const o = store.get(resource, namespace, name);
    if (!o) return sendStatus(res, 404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource });
    return send(res, 200, asTable ? table(resource, [o], store.resourceVersion, url.searchParams.get('includeObject')) : o);
  }
  const labels = url.searchParams.get('labelSelector');
  const fields = url.searchParams.get('fieldSelector');
  const labelTest = labels ? parseLabelSelector(labels) : () => true;
  const fieldTest = fields ? parseFieldSelector(fields) : () => true;
  const items = store.list(resource, namespace, (o) => labelTest(o.metadata.labels ?? {}) && fieldTest(o));
  if (asTable) return send(res, 200, table(resource, items, store.resourceVersion, url.searchParams.get('includeObject')));
  const { kind, apiVersion } = RESOURCES[resource];
  send(res, 200, { kind: `${kind}List`, apiVersion, metadata: { resourceVersion: store.resourceVersion }, items });
}

/** `/api/v1/namespaces/ns/pods/name`, `/apis/networking.k8s.io/v1/networkpolicies`, ... */
export function parseResourcePath(path: string): { resource: Resource; namespace?: string; name?: string } | undefined {
  const m = /^\/(?:api\/v1|apis\/([^/]+)\/v1)\/(.+)$/.exec(path);
  if (!m) return undefined;
  const group = m[1] ?? '';
  const parts = m[2]!.split('/');
  let namespace: string | undefined;
  if (parts[0] === 'namespaces' && parts.length >= 3) {
    namespace = parts[1];
    parts.splice(0, 2);
  }
  const [resource, name] = parts;
  const info = API_RESOURCES.find((r) => r.resource === resource && r.group === group);
  if (!info || parts.length > 2) return undefined;
  if (resource === 'namespaces' && namespace === undefined) return { resource: 'namespaces', name };
  return { resource: info.resource as Resource, namespace: info.namespaced ? namespace : undefined, name };
}

function statusCode(code: string): number {
  return ({ NotFound: 404, AlreadyExists: 409, Conflict: 409, Invalid: 422, BadRequest: 400, Forbidden: 403, Expired: 410 } as Record<string, number>)[code] ?? 500;
}

export function sendStatus(res: ServerResponse, code: number, reason: string, message: string, details?: object): void {
  send(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
