/**
 * @module
 * The cluster's Kubernetes API, in front of its object store, for the real kubectl: HTTPS
 * with the cluster's own CA, bearer-token auth (anything else gets 401, as kube-apiserver),
 * discovery, OpenAPI as far as kubectl needs it, and the resource verbs (handlers.ts).
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FlatnetError } from '../../../../checkers/errors.ts';
import type { ObjectStore } from '../store/store.ts';
import type { Resource } from '../store/types.ts';
import { aggregated, AGGREGATED, API_RESOURCES, legacyCore, legacyGroups, resourceList, versionInfo } from './discovery.ts';
import { ApiError, create, get, list, patch, remove, update, watch, type Target } from './handlers.ts';
import { openapiGroupVersion, openapiRoot } from './openapi.ts';
import { warningHeaders } from './warnings.ts';
import { decodeProtobuf } from './protobuf.ts';
import { parse as parseYaml } from 'yaml';
import { handleExecUpgrade, type ExecTarget } from './exec.ts';
import { handlePortForwardUpgrade, PORTFORWARD_PATH, type PortForwardTarget } from './portforward.ts';
import { LOG_PATH, serveLogs } from './logs.ts';
import type { Duplex } from 'node:stream';
import type { Credentials } from './tls.ts';

const MAX_BODY = 3 * 1024 * 1024;

export function startApiServer(store: ObjectStore, creds: Credentials, exec: ExecTarget & PortForwardTarget, logDir: string, port = 0): Promise<{ server: Server; port: number }> {
  const server = createServer({ cert: creds.cert, key: creds.key }, (req, res) => {
    handle(store, creds, logDir, req, res).catch((e: unknown) => fail(res, e));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const reject = (code: number, reason: string, message: string) => {
      const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
      socket.end(`HTTP/1.1 ${code} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    };
    if (req.headers.authorization !== `Bearer ${creds.token}`) return reject(401, 'Unauthorized', 'Unauthorized');
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    if (PORTFORWARD_PATH.test(url.pathname)) return handlePortForwardUpgrade(req, socket, head, url, exec, reject);
    handleExecUpgrade(req, socket, head, url, exec, reject);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

async function handle(store: ObjectStore, creds: Credentials, logDir: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://127.0.0.1');
  if (req.headers.authorization !== `Bearer ${creds.token}`) return sendStatus(res, 401, 'Unauthorized', 'Unauthorized');
  const accept = String(req.headers.accept ?? '');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';
  if (method === 'GET') {
    if (path === '/version') return send(res, 200, versionInfo());
    if (path === '/api') return accept.includes('as=APIGroupDiscoveryList') ? send(res, 200, aggregated(true), AGGREGATED) : send(res, 200, legacyCore(String(req.headers.host)));
    if (path === '/apis') return accept.includes('as=APIGroupDiscoveryList') ? send(res, 200, aggregated(false), AGGREGATED) : send(res, 200, legacyGroups());
    if (path === '/api/v1') return send(res, 200, resourceList(''));
    const gv = /^\/apis\/([^/]+)\/v1$/.exec(path);
    if (gv) return send(res, 200, resourceList(gv[1]!));
    const log = LOG_PATH.exec(path);
    if (log) return serveLogs(store, logDir, decodeURIComponent(log[1]!), decodeURIComponent(log[2]!), url, res);
    if (path === '/openapi/v3') return send(res, 200, openapiRoot());
    // OpenAPI v2 is only kubectl's fallback for kinds v3 does not describe: an empty document
    // (no types) makes it skip client-side validation for them, as for any unknown type.
    if (path === '/openapi/v2') {
      if (accept.includes('protobuf')) {
        res.writeHead(200, { 'content-type': 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf', 'content-length': 0 });
        return void res.end();
      }
      return send(res, 200, { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths: {}, definitions: {} });
    }
    // kubectl's validator looks for a CRD before it gives up on a kind it does not know; this
    // cluster has none, and saying so lets kubectl report "no matches for kind" as a real one does.
    if (path === '/apis/apiextensions.k8s.io/v1/customresourcedefinitions') {
      return send(res, 200, { kind: 'CustomResourceDefinitionList', apiVersion: 'apiextensions.k8s.io/v1', metadata: { resourceVersion: store.resourceVersion }, items: [] });
    }
    if (path.startsWith('/openapi/v3/')) {
      const doc = openapiGroupVersion(path.slice('/openapi/v3/'.length));
      return doc ? send(res, 200, doc) : sendStatus(res, 404, 'NotFound', 'the server could not find the requested resource');
    }
  }
  const t = parseResourcePath(path);
  if (!t) return sendStatus(res, 404, 'NotFound', 'the server could not find the requested resource');
  const watching = ['true', '1'].includes(url.searchParams.get('watch') ?? '');
  switch (method) {
    case 'GET':
      if (watching) return watch(store, t, url, accept, res);
      return send(res, 200, t.name ? get(store, t, url, accept) : list(store, t, url, accept));
    case 'POST': {
      if (t.name) break;
      const r = create(store, t, url, (await body(req)) as never, String(req.headers['user-agent'] ?? ''));
      return sendWritten(res, url, r.status, r.body);
    }
    case 'PUT':
      if (!t.name) break;
      return sendWritten(res, url, 200, update(store, t, url, (await body(req)) as never, String(req.headers['user-agent'] ?? '')));
    case 'PATCH': {
      if (!t.name) break;
      const r = patch(store, t, url, String(req.headers['content-type'] ?? ''), await body(req), String(req.headers['user-agent'] ?? ''));
      return sendWritten(res, url, r.status, r.body);
    }
    case 'DELETE':
      if (!t.name || t.subresource) break;
      return send(res, 200, remove(store, t, url, (await body(req, true)) as never));
  }
  return sendStatus(res, 405, 'MethodNotAllowed', `${method.toLowerCase()} is not supported on resources of kind "${t.resource}"`, { kind: t.resource });
}

/** `/api/v1/namespaces/ns/pods/name`, `/apis/networking.k8s.io/v1/networkpolicies`, ... */
export function parseResourcePath(path: string): Target | undefined {
  const m = /^\/(?:api\/v1|apis\/([^/]+)\/v1)\/(.+)$/.exec(path);
  if (!m) return undefined;
  const group = m[1] ?? '';
  const parts = m[2]!.split('/');
  let namespace: string | undefined;
  if (parts[0] === 'namespaces' && parts.length >= 3) {
    namespace = parts[1];
    parts.splice(0, 2);
  }
  const [resource, name, sub] = parts;
  const info = API_RESOURCES.find((r) => r.resource === resource && r.group === group);
  if (!info || parts.length > 3) return undefined;
  // The status subresource, where discovery lists it: GET, PUT and PATCH write status only.
  if (sub !== undefined && (sub !== 'status' || !name || !info.subresources.some((s) => s.name === 'status'))) return undefined;
  const subresource = sub ? { subresource: 'status' as const } : {};
  if (resource === 'namespaces' && namespace === undefined) return { resource: 'namespaces', group, name, ...subresource };
  return { resource: info.resource as Resource, group, namespace: info.namespaced ? namespace : undefined, name, ...subresource };
}

async function body(req: IncomingMessage, optional = false): Promise<unknown> {
  const type = String(req.headers['content-type'] ?? '');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new ApiError(413, 'RequestEntityTooLarge', 'the request body is too large');
    chunks.push(c as Buffer);
  }
  const raw = Buffer.concat(chunks);
  if (raw.length === 0) {
    if (optional) return undefined;
    throw new ApiError(400, 'BadRequest', 'the request body is empty');
  }
  if (type.includes('protobuf')) return decodeProtobuf(raw);
  // Server-side apply bodies are YAML (kubectl sends JSON, which is YAML too).
  if (type.startsWith('application/apply-patch+yaml')) {
    try {
      return parseYaml(raw.toString());
    } catch (e) {
      throw new ApiError(400, 'BadRequest', `error decoding YAML: ${(e as Error).message}`);
    }
  }
  try {
    return JSON.parse(raw.toString());
  } catch (e) {
    throw new ApiError(400, 'BadRequest', `the request body is not valid JSON: ${(e as Error).message}`);
  }
}

function fail(res: ServerResponse, e: unknown): void {
  if (res.headersSent) return void res.end();
  if (e instanceof ApiError) return sendStatus(res, e.status, e.code, e.message, e.statusDetails);
  if (e instanceof FlatnetError) {
    const status = ({ NotFound: 404, AlreadyExists: 409, Conflict: 409, Invalid: 422, BadRequest: 400, Forbidden: 403 } as Record<string, number>)[e.code] ?? 500;
    return sendStatus(res, status, status === 500 ? 'InternalError' : e.code, e.message);
  }
  sendStatus(res, 500, 'InternalError', e instanceof Error ? e.message : String(e));
}

export function sendStatus(res: ServerResponse, code: number, reason: string, message: string, details?: object): void {
  send(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
}

/** A write's answer, with the warnings it raised (e.g. dropped unknown fields). */
function sendWritten(res: ServerResponse, url: URL, status: number, body: unknown): void {
  const warnings = warningHeaders(url);
  if (warnings.length > 0) res.setHeader('warning', warnings);
  send(res, status, body);
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
