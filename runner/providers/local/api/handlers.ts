/**
 * @module
 * The resource verbs: get, list, watch, create, update, patch, delete — with the API server's
 * conventions: Status errors whose reason kubectl prints, graceful deletion (pods and namespaces
 * answer with the object marked for deletion; DELETED follows), dry runs that store nothing,
 * and watches that flush their headers at once and replay from a resourceVersion.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { FlatnetError } from '../../../../checkers/errors.ts';
import type { ObjectStore } from '../store/store.ts';
import { RESOURCES, type KObject, type Resource, type WatchEvent } from '../store/types.ts';
import { admit, type FieldValidation } from './admit.ts';
import { fail, validateIngress } from './networking.ts';
import { ApplyConflict, recordUpdate, serverSideApply, type Request } from './apply.ts';
import { equal, isObj } from './fieldset.ts';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { table } from './tables.ts';
import { warn } from './warnings.ts';

export interface Target {
  resource: Resource;
  group: string;
  namespace?: string;
  name?: string;
  /** `status`: a write changes the status only, and keeps everything else as stored. */
  subresource?: 'status';
}

export class ApiError extends FlatnetError {
  readonly status: number;
  readonly statusDetails: object | undefined;
  constructor(status: number, reason: string, message: string, details?: object) {
    super(reason, message);
    this.status = status;
    this.statusDetails = details;
  }
}

const display = (t: Target) => (t.group ? `${t.resource}.${t.group}` : t.resource);
const notFound = (t: Target, name: string) => new ApiError(404, 'NotFound', `${display(t)} "${name}" not found`, { name, kind: t.resource, ...(t.group ? { group: t.group } : {}) });

export function get(store: ObjectStore, t: Target, url: URL, accept: string): unknown {
  const o = store.get(t.resource, t.namespace, t.name!);
  if (!o) throw notFound(t, t.name!);
  return accept.includes('as=Table') ? table(t.resource, [o], store.resourceVersion, url.searchParams.get('includeObject')) : o;
}

function filter(url: URL): (o: KObject) => boolean {
  const labels = url.searchParams.get('labelSelector');
  const fields = url.searchParams.get('fieldSelector');
  const l = labels ? parseLabelSelector(labels) : () => true;
  const f = fields ? parseFieldSelector(fields) : () => true;
  return (o) => l(o.metadata.labels ?? {}) && f(o);
}

export function list(store: ObjectStore, t: Target, url: URL, accept: string): unknown {
  const items = store.list(t.resource, t.namespace, filter(url));
  if (accept.includes('as=Table')) return table(t.resource, items, store.resourceVersion, url.searchParams.get('includeObject'));
  const { kind, apiVersion } = RESOURCES[t.resource];
  return { kind: `${kind}List`, apiVersion, metadata: { resourceVersion: store.resourceVersion }, items };
}

export function watch(store: ObjectStore, t: Target, url: URL, accept: string, res: ServerResponse): void {
  const matches = filter(url);
  const inScope = (o: KObject) => (t.namespace === undefined || o.metadata.namespace === t.namespace) && (!t.name || o.metadata.name === t.name) && matches(o);
  const asTable = accept.includes('as=Table');
  const includeObject = url.searchParams.get('includeObject');
  const render = (o: KObject) => (asTable ? table(t.resource, [o], o.metadata.resourceVersion ?? store.resourceVersion, includeObject) : o);
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
  // kubectl wait hangs on an already-true condition unless the headers arrive before any event.
  res.flushHeaders();
  const write = (type: string, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);
  const rvParam = url.searchParams.get('resourceVersion');
  const since = rvParam && rvParam !== '0' ? Number(rvParam) : undefined;
  if (since === undefined) for (const o of store.list(t.resource, t.namespace)) if (inScope(o)) write('ADDED', render(o));
  let stop: () => void = () => {};
  try {
    stop = store.watch((e: WatchEvent) => {
      if (e.resource === t.resource && inScope(e.object)) write(e.type, render(e.object));
    }, since);
  } catch (e) {
    write('ERROR', { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: (e as Error).message, reason: 'Expired', code: 410 });
    res.end();
    return;
  }
  const timeout = Number(url.searchParams.get('timeoutSeconds') ?? 1800);
  const timer = setTimeout(() => res.end(), timeout * 1000);
  res.on('close', () => {
    clearTimeout(timer);
    stop();
  });
}

const dryRun = (url: URL, body?: { dryRun?: unknown }) => url.searchParams.getAll('dryRun').includes('All') || (Array.isArray(body?.dryRun) && body.dryRun.includes('All'));

/** Who is writing: the fieldManager parameter, else the product in the User-Agent (managerOrUserAgent). */
function request(t: Target, url: URL, userAgent: string): Request {
  const manager = url.searchParams.get('fieldManager') || userAgent.split('/')[0] || 'unknown';
  return { kind: RESOURCES[t.resource].kind, apiVersion: RESOURCES[t.resource].apiVersion, manager };
}

/** What a dry-run create returns: the object as it would be stored, with the system fields BeforeCreate sets. */
function asIfCreated(o: KObject): KObject {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return { ...o, metadata: { ...o.metadata, uid: randomUUID(), creationTimestamp: now, generation: 1 } };
}

/** What a dry-run update returns: the live resourceVersion, and the generation the store would give it. */
function asIfUpdated(old: KObject, next: KObject): KObject {
  const generation = (old.metadata.generation ?? 1) + (equal(old.spec, next.spec) ? 0 : 1);
  return { ...next, metadata: { ...next.metadata, uid: old.metadata.uid, creationTimestamp: old.metadata.creationTimestamp, generation, resourceVersion: old.metadata.resourceVersion } };
}

export function create(store: ObjectStore, t: Target, url: URL, body: KObject, userAgent = ''): { status: number; body: unknown } {
  checkKind(t, body);
  if (RESOURCES[t.resource].namespaced) {
    const ns = t.namespace ?? body.metadata?.namespace ?? 'default';
    if (body.metadata?.namespace && t.namespace && body.metadata.namespace !== t.namespace) {
      throw new ApiError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    }
    body.metadata = { ...body.metadata, namespace: ns };
    checkNamespace(store, t, ns, body.metadata.name);
  }
  if (!body.metadata.name && typeof body.metadata.generateName === 'string') body.metadata.name = `${body.metadata.generateName}${Math.random().toString(36).slice(2, 7)}`;
  if (typeof body.metadata.name !== 'string' || body.metadata.name === '') {
    throw new ApiError(422, 'Invalid', `${RESOURCES[t.resource].kind} "" is invalid: metadata.name: Required value: name or generateName is required`, { kind: RESOURCES[t.resource].kind, causes: [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }] });
  }
  if (store.get(t.resource, body.metadata.namespace, body.metadata.name)) throw new ApiError(409, 'AlreadyExists', `${display(t)} "${body.metadata.name}" already exists`, { name: body.metadata.name, kind: t.resource });
  const admitted = admitOrInvalid(store, t, body, url);
  recordUpdate(request(t, url, userAgent), undefined, admitted);
  if (dryRun(url)) return { status: 201, body: asIfCreated(admitted) };
  return { status: 201, body: store.create(t.resource, admitted) };
}

/** New content needs its namespace, and one that is not being deleted. */
function checkNamespace(store: ObjectStore, t: Target, ns: string, name: string): void {
  const nsObj = store.get('namespaces', undefined, ns);
  if (!nsObj) throw new ApiError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
  if (nsObj.metadata.deletionTimestamp) throw new ApiError(403, 'Forbidden', `${display(t)} "${name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`);
}

export function update(store: ObjectStore, t: Target, url: URL, body: KObject, userAgent = ''): unknown {
  checkKind(t, body);
  const old = store.get(t.resource, t.namespace, t.name!);
  if (!old) throw notFound(t, t.name!);
  if (t.subresource === 'status') return writeStatus(store, t, url, old, body.status, body.metadata?.resourceVersion, userAgent);
  const next = admitOrInvalid(store, t, { ...body, metadata: { ...body.metadata, namespace: old.metadata.namespace } }, url);
  // Pods and Services keep what the system owns (status; a Service's ClusterIP).
  keepStatus(old, next);
  recordUpdate(request(t, url, userAgent), old, next);
  if (dryRun(url)) return asIfUpdated(old, next);
  try {
    return store.update(t.resource, next);
  } catch (e) {
    if (e instanceof FlatnetError && e.code === 'Conflict') throw new ApiError(409, 'Conflict', e.message, { name: t.name, kind: t.resource });
    throw e;
  }
}

export function patch(store: ObjectStore, t: Target, url: URL, contentType: string, body: unknown, userAgent = ''): { status: number; body: unknown } {
  const isApply = contentType.startsWith('application/apply-patch+yaml');
  const invalid = isApply ? (url.searchParams.get('fieldManager') ? undefined : 'fieldManager: Required value: is required for apply patch') : url.searchParams.has('force') ? 'force: Forbidden: may not be specified for non-apply patch' : undefined;
  if (invalid) throw new ApiError(422, 'Invalid', `PatchOptions.meta.k8s.io "" is invalid: ${invalid}`, { group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ reason: invalid.includes('Required') ? 'FieldValueRequired' : 'FieldValueForbidden', message: invalid.replace(/^\w+: /, ''), field: invalid.split(':')[0] }] });
  if (isApply && t.subresource) throw new ApiError(405, 'MethodNotAllowed', `server-side apply to the ${t.subresource} subresource is not supported by this cluster`);
  if (isApply) return apply(store, t, url, body, request(t, url, userAgent));
  const old = store.get(t.resource, t.namespace, t.name!);
  if (!old) throw notFound(t, t.name!);
  let next: unknown;
  if (contentType.startsWith('application/json-patch+json')) next = jsonPatch(old, body);
  else if (contentType.startsWith('application/merge-patch+json')) next = mergePatch(old, body);
  else if (contentType.startsWith('application/strategic-merge-patch+json')) next = strategicMergePatch(old, body, RESOURCES[t.resource].kind);
  else throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - ${contentType}`);
  const obj = next as KObject;
  // A resourceVersion in the patch is a precondition (kubectl diff and apply send the one they read).
  if (obj.metadata?.resourceVersion && obj.metadata.resourceVersion !== old.metadata.resourceVersion) throw modified(t);
  if (t.subresource === 'status') return { status: 200, body: writeStatus(store, t, url, old, obj.status, undefined, userAgent) };
  obj.metadata = { ...obj.metadata, name: old.metadata.name, namespace: old.metadata.namespace, uid: old.metadata.uid, resourceVersion: undefined };
  const admitted = admitOrInvalid(store, t, obj, url);
  if (t.resource === 'pods' || t.resource === 'namespaces') keepStatus(old, admitted);
  delete admitted.metadata.resourceVersion;
  recordUpdate(request(t, url, userAgent), old, admitted);
  if (dryRun(url)) return { status: 200, body: asIfUpdated(old, admitted) };
  return { status: 200, body: store.update(t.resource, admitted) };
}

/** A write to the status subresource: the stored object with this status (validated where the kind has rules for it). */
function writeStatus(store: ObjectStore, t: Target, url: URL, old: KObject, status: unknown, resourceVersion: string | undefined, userAgent: string): unknown {
  if (resourceVersion && resourceVersion !== old.metadata.resourceVersion) throw modified(t);
  const next: KObject = { ...structuredClone(old), status: isObj(status) ? (status as Record<string, unknown>) : {} };
  delete next.metadata.resourceVersion;
  if (t.resource === 'ingresses') {
    fail('Ingress.networking.k8s.io', old.metadata.name, validateIngress(next).filter((e) => e.startsWith('status.')));
  }
  recordUpdate(request(t, url, userAgent), old, next);
  if (dryRun(url)) return { ...next, metadata: old.metadata };
  return store.update(t.resource, next);
}

/** The live status, and no `status: undefined` key where there is none (strict validation would see one). */
export function keepStatus(old: KObject, next: KObject): void {
  if (old.status === undefined) delete next.status;
  else next.status = old.status;
}

const modified = (t: Target) =>
  new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${display(t)} "${t.name}": the object has been modified; please apply your changes to the latest version and try again`, { name: t.name, kind: t.resource, ...(t.group ? { group: t.group } : {}) });

/**
 * Server-side apply (PATCH application/apply-patch+yaml): creates the object when it is missing
 * (201), else merges the configuration into it with field ownership (apply.ts); 409 on conflicts
 * unless force=true. An apply that changes nothing stores nothing.
 */
function apply(store: ObjectStore, t: Target, url: URL, body: unknown, req: Request): { status: number; body: unknown } {
  const want = RESOURCES[t.resource];
  if (!isObj(body)) throw new ApiError(400, 'BadRequest', 'error decoding YAML: the applied configuration is not an object');
  const config = body as KObject;
  if (config.apiVersion !== want.apiVersion) {
    throw new ApiError(400, 'BadRequest', `Incorrect version specified in apply patch. Specified patch version: ${String(config.apiVersion ?? '')}, expected: ${want.apiVersion}`);
  }
  checkKind(t, config);
  if (config.metadata.managedFields !== undefined) throw new ApiError(400, 'BadRequest', 'metadata.managedFields must be nil');
  if (config.metadata.name && config.metadata.name !== t.name) throw new ApiError(400, 'BadRequest', `the name of the object (${config.metadata.name}) does not match the name on the URL (${t.name})`);
  if (want.namespaced && config.metadata.namespace && config.metadata.namespace !== t.namespace) {
    throw new ApiError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
  }
  config.metadata = { ...config.metadata, name: t.name!, ...(want.namespaced ? { namespace: t.namespace ?? 'default' } : {}) };
  const live = store.get(t.resource, t.namespace, t.name!);
  if (config.metadata.resourceVersion && config.metadata.resourceVersion !== live?.metadata.resourceVersion) throw modified(t);
  if (!live && want.namespaced) checkNamespace(store, t, t.namespace ?? 'default', t.name!);
  let next: KObject;
  try {
    next = serverSideApply(req, live, config, url.searchParams.get('force') === 'true');
  } catch (e) {
    if (e instanceof ApplyConflict) throw new ApiError(409, 'Conflict', e.message, { causes: e.causes });
    throw e;
  }
  const admitted = admitOrInvalid(store, t, next, url);
  if (!live) {
    delete admitted.metadata.resourceVersion;
    if (dryRun(url)) return { status: 201, body: asIfCreated(admitted) };
    return { status: 201, body: store.create(t.resource, admitted) };
  }
  if (t.resource === 'pods' || t.resource === 'namespaces') keepStatus(live, admitted);
  admitted.metadata.resourceVersion = live.metadata.resourceVersion;
  if (equal(admitted, live)) return { status: 200, body: live };
  if (dryRun(url)) return { status: 200, body: asIfUpdated(live, admitted) };
  delete admitted.metadata.resourceVersion;
  return { status: 200, body: store.update(t.resource, admitted) };
}

export function remove(store: ObjectStore, t: Target, url: URL, body: { gracePeriodSeconds?: number; dryRun?: unknown } | undefined): unknown {
  const old = store.get(t.resource, t.namespace, t.name!);
  if (!old) throw notFound(t, t.name!);
  // kubectl delete --dry-run=server says so in the DeleteOptions body, not in the query.
  if (dryRun(url, body)) return old;
  const grace = url.searchParams.has('gracePeriodSeconds') ? Number(url.searchParams.get('gracePeriodSeconds')) : body?.gracePeriodSeconds;
  if (t.resource === 'pods') {
    // With a grace period the pod is marked (Terminating) and the kubelet deletes it once its
    // containers have stopped; with 0 it goes at once and the kubelet cleans up after it.
    return store.delete('pods', t.namespace, t.name!, grace ?? Number(old.spec?.terminationGracePeriodSeconds ?? 30));
  }
  const gone = store.delete(t.resource, t.namespace, t.name!);
  if (gone.metadata.deletionTimestamp && store.get(t.resource, t.namespace, t.name!)) return gone;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: t.name, kind: t.resource, uid: old.metadata.uid } };
}

function checkKind(t: Target, body: KObject): void {
  const want = RESOURCES[t.resource];
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'BadRequest', `the request body is not a ${want.kind} object`);
  if (typeof body.metadata !== 'object' || body.metadata === null || Array.isArray(body.metadata)) body.metadata = {} as KObject['metadata'];
  if (body.kind && body.kind !== want.kind) throw new ApiError(400, 'BadRequest', `${body.kind} in version "${body.apiVersion}" cannot be handled as a ${want.kind}: the kind does not match`);
  body.kind = want.kind;
  body.apiVersion = want.apiVersion;
}

/** Empty metadata maps and lists are not stored: Go's omitempty drops them (a patch's `annotations: {}` leaves none). */
function dropEmptyMetadata(o: KObject): void {
  for (const k of ['labels', 'annotations', 'finalizers', 'ownerReferences'] as const) {
    const v = o.metadata?.[k] as unknown;
    if (v !== undefined && (v === null || (Array.isArray(v) ? v.length === 0 : isObj(v) && Object.keys(v).length === 0))) delete o.metadata[k];
  }
}

function admitOrInvalid(store: ObjectStore, t: Target, o: KObject, url: URL): KObject {
  dropEmptyMetadata(o);
  const mode = url.searchParams.get('fieldValidation');
  if (mode !== null && !['Ignore', 'Warn', 'Strict'].includes(mode)) {
    throw new ApiError(400, 'BadRequest', `fieldValidation parameter unsupported: ${mode}. Valid values are: Ignore, Warn, Strict`);
  }
  try {
    return admit(t.resource, o, store, (mode ?? 'Warn') as FieldValidation, (m) => warn(url, m));
  } catch (e) {
    if (e instanceof ApiError) throw e;
    if (e instanceof FlatnetError && e.code === 'Invalid') {
      const m = /^([\w.]+) "([^"]*)" is invalid: (?:([\w.[\]-]+): )?(.*)$/.exec(e.message);
      if (m && /^strict decoding error/.test(m[4] ?? '')) {
        throw new ApiError(400, 'BadRequest', `${m[1]} in version "${RESOURCES[t.resource].apiVersion.split('/').at(-1)}" cannot be handled as a ${m[1]}: ${m[4]}`);
      }
      throw new ApiError(422, 'Invalid', e.message, { name: o.metadata?.name, kind: RESOURCES[t.resource].kind, ...(m ? { causes: [{ reason: 'FieldValueInvalid', message: m[4], field: m[3] }] } : {}) });
    }
    throw e;
  }
}
