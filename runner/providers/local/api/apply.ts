/**
 * @module
 * Server-side apply and field ownership (metadata.managedFields), as kube-apiserver does them
 * with sigs.k8s.io/structured-merge-diff and k8s.io/apimachinery/pkg/util/managedfields:
 *
 * - apply merges the applied configuration into the live object (maps by key, listType=map
 *   lists by their keys, everything else replaced), removes what this manager applied before
 *   and no longer applies (unless another manager owns it too), and refuses to change a field
 *   another manager owns (409, the apiserver's wording) unless forced, when ownership moves;
 * - create/update/patch record an "Update" entry for their manager: what they added or changed;
 * - an object nobody owns yet is first given to "before-first-apply" when someone applies;
 * - kubectl's own manager ("kubectl") may take over fields client-side apply set, when those
 *   still hold what the last-applied annotation says (the documented upgrade path).
 */
import { FlatnetError } from '../../../../checkers/errors.ts';
import type { KObject } from '../store/types.ts';
import {
  compare,
  difference,
  equal,
  fromFieldsV1,
  intersection,
  isObj,
  itemElement,
  iterate,
  formatPath,
  listType,
  atomicMap,
  parsePath,
  pathKey,
  startsWith,
  toFieldSet,
  toFieldsV1,
  union,
  without,
  type FieldSet,
  type Json,
  type Obj,
} from './fieldset.ts';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

interface Entry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
}
/** Managers by identity: name, operation, subresource, and (for Update) the apiVersion. */
type Managers = Map<string, Entry>;

const identity = (e: Pick<Entry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>) =>
  JSON.stringify({ manager: e.manager, operation: e.operation, ...(e.operation === 'Update' ? { apiVersion: e.apiVersion } : {}), ...(e.subresource ? { subresource: e.subresource } : {}) });

/** Paths no manager owns (stripMetaManager), and status, which the main resource resets. */
const STRIPPED = ['apiVersion', 'kind', 'metadata', ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map((f) => `metadata.${f}`)].map((p) =>
  pathKey(p.split('.').map((f) => `f:${f}`)),
);
const owned = (set: FieldSet) => without(difference(set, new Set(STRIPPED)), [['f:status']]);

/** Fields the registry fills in after the field manager has run, so no request owns them. */
const ALLOCATED: Record<string, string[][]> = {
  Service: [['f:spec', 'f:clusterIP'], ['f:spec', 'f:clusterIPs'], ['f:spec', 'f:ipFamilies'], ['f:spec', 'f:ipFamilyPolicy']],
  Namespace: [['f:spec', 'f:finalizers']],
};

/**
 * The Go zero value of each kind as JSON: what a create is compared against. Fields that are
 * always present there (a Pod's spec, a NetworkPolicy's podSelector) are not "added" by it.
 */
export function zero(kind: string): KObject {
  const meta = { creationTimestamp: null } as unknown as KObject['metadata'];
  const body: Record<string, Obj> = {
    Namespace: { spec: {}, status: {} },
    Pod: { spec: { containers: null }, status: {} },
    Service: { spec: {}, status: { loadBalancer: {} } },
    NetworkPolicy: { spec: { podSelector: {} } },
  };
  return { apiVersion: '', kind, metadata: meta, ...body[kind] } as KObject;
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** The conflict error kube-apiserver answers: a 409 whose causes name each field and its manager. */
export class ApplyConflict extends FlatnetError {
  readonly conflicts: { manager: Entry; path: string[] }[];
  readonly causes: { reason: string; message: string; field: string }[];
  constructor(conflicts: { manager: Entry; path: string[] }[]) {
    const who = (e: Entry) => `${JSON.stringify(e.manager)}${e.subresource ? ` with subresource ${JSON.stringify(e.subresource)}` : ''}${e.operation === 'Update' ? ` using ${e.apiVersion}` : ''}`;
    let message: string;
    if (conflicts.length === 1) message = `Apply failed with 1 conflict: conflict with ${who(conflicts[0]!.manager)}: ${formatPath(conflicts[0]!.path)}`;
    else {
      // Grouped by manager, managers in the order of their identities (apiserver getConflictMessage).
      const groups = new Map<string, { e: Entry; paths: string[][] }>();
      for (const c of conflicts) {
        const id = identity(c.manager);
        if (!groups.has(id)) groups.set(id, { e: c.manager, paths: [] });
        groups.get(id)!.paths.push(c.path);
      }
      const lines = [...groups].sort(([a], [b]) => (a < b ? -1 : 1)).flatMap(([, g]) => [`conflicts with ${who(g.e)}:`, ...g.paths.map((p) => `- ${formatPath(p)}`)]);
      message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
    }
    super('Conflict', message);
    this.conflicts = conflicts;
    this.causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${who(c.manager)}`, field: formatPath(c.path) }));
  }
}

/** metadata.managedFields as managers, or undefined when they cannot be decoded (the apiserver then ignores them). */
function decode(list: unknown): Managers | undefined {
  if (list == null) return new Map();
  if (!Array.isArray(list)) return undefined;
  const out: Managers = new Map();
  for (const f of list as Obj[]) {
    if (!isObj(f) || (f.operation !== 'Apply' && f.operation !== 'Update') || typeof f.apiVersion !== 'string' || !f.apiVersion || f.fieldsType !== 'FieldsV1') return undefined;
    const e: Entry = { manager: String(f.manager ?? ''), operation: f.operation, apiVersion: f.apiVersion, set: fromFieldsV1(f.fieldsV1 ?? {}) };
    if (typeof f.time === 'string') e.time = f.time;
    if (typeof f.subresource === 'string' && f.subresource) e.subresource = f.subresource;
    out.set(identity(e), e);
  }
  return out;
}

/** Back to metadata.managedFields, in the apiserver's order: operation, time, manager, apiVersion. */
function encode(managers: Managers): Obj[] | undefined {
  const entries = [...managers.values()].filter((e) => e.set.size > 0);
  if (entries.length === 0) return undefined;
  const secs = (e: Entry) => (e.time ? Date.parse(e.time) : 0);
  entries.sort((p, q) => (p.operation !== q.operation ? (p.operation < q.operation ? -1 : 1) : secs(p) - secs(q) || cmp(p.manager, q.manager) || cmp(p.apiVersion, q.apiVersion)));
  return entries.map((e) => ({
    manager: e.manager,
    operation: e.operation,
    apiVersion: e.apiVersion,
    ...(e.time ? { time: e.time } : {}),
    fieldsType: 'FieldsV1',
    fieldsV1: toFieldsV1(e.set),
    ...(e.subresource ? { subresource: e.subresource } : {}),
  }));
}
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The object without what no manager can own, for comparisons. */
function comparable(o: KObject): Obj {
  const { status: _s, ...rest } = o;
  const { managedFields: _m, ...metadata } = o.metadata ?? {};
  return { ...rest, metadata };
}

/**
 * Merger.update: compares `live` and `next`, takes from every other manager what changed
 * (a conflict unless `force`) and what was removed. Returns the comparison.
 */
function takeOwnership(kind: string, managers: Managers, self: string, live: KObject, next: KObject, force: boolean) {
  const c = compare(kind, comparable(live), comparable(next));
  const changed = union(c.modified, c.added);
  const conflicts: { manager: Entry; path: string[] }[] = [];
  for (const [id, e] of managers) {
    if (id === self) continue;
    for (const path of iterate(intersection(e.set, changed))) conflicts.push({ manager: e, path });
  }
  if (conflicts.length > 0 && !force) throw new ApplyConflict(conflicts);
  for (const [id, e] of managers) {
    if (id === self) continue;
    e.set = difference(difference(e.set, changed), c.removed);
    if (e.set.size === 0) managers.delete(id);
  }
  return c;
}

export interface Request {
  kind: string;
  /** The group-version the request was made in: managers remember it. */
  apiVersion: string;
  /** The fieldManager query parameter (or the user agent's product name). */
  manager: string;
}

/**
 * Records an Update by `req.manager` in `next.metadata.managedFields` (create: `live` undefined;
 * update and every patch but apply). `next` is changed in place.
 */
export function recordUpdate(req: Request, live: KObject | undefined, next: KObject): void {
  const requested = next.metadata.managedFields;
  delete next.metadata.managedFields;
  // The client may set managedFields itself ([{}] clears them); otherwise the live ones count.
  const reset = Array.isArray(requested) && (requested.length === 0 || (requested.length === 1 && isObj(requested[0]) && Object.keys(requested[0]).length === 0));
  const managers = reset ? new Map<string, Entry>() : ((Array.isArray(requested) && requested.length > 0 ? decode(requested) : undefined) ?? decode(live?.metadata.managedFields) ?? new Map<string, Entry>());
  // An existing object nobody tracks stays untracked until someone applies to it (skipNonAppliedManager).
  if (managers.size === 0 && live?.metadata.uid) return;
  track(req, managers, live ?? zero(req.kind), next, !live);
  const encoded = encode(managers);
  if (encoded) next.metadata.managedFields = encoded;
  // A write that changes nothing but a timestamp keeps the old entries (IgnoreManagedFieldsTimestampsTransformer).
  if (live?.metadata.managedFields && equal(comparable(live), comparable(next)) && equal(untimed(encoded), untimed(live.metadata.managedFields))) {
    next.metadata.managedFields = live.metadata.managedFields;
  }
}
const untimed = (list: unknown) => (Array.isArray(list) ? list.map((e: Obj) => ({ ...e, time: undefined })) : list);

/** Updater.Update: `req.manager` owns what it added or changed, and no one owns what it removed. */
function track(req: Request, managers: Managers, before: KObject, next: KObject, creating: boolean): void {
  const me: Entry = { manager: req.manager, operation: 'Update', apiVersion: req.apiVersion, set: new Set() };
  const id = identity(me);
  const c = takeOwnership(req.kind, managers, '', before, next, true);
  let set = owned(union(c.modified, c.added));
  if (creating) set = without(set, ALLOCATED[req.kind] ?? []);
  const previous = managers.get(id);
  if (previous) set = union(set, previous.set);
  if (set.size > 0) managers.set(id, { ...me, set, time: now() });
  else managers.delete(id);
}

/**
 * Server-side apply of `config` onto `live` (undefined: create). Returns the object to admit
 * and store, its managedFields set; throws ApplyConflict.
 */
export function serverSideApply(req: Request, live: KObject | undefined, config: KObject, force: boolean): KObject {
  // A JSON copy: keys holding undefined are not fields.
  const base: KObject = live ? (JSON.parse(JSON.stringify(live)) as KObject) : { ...zero(req.kind), apiVersion: config.apiVersion, metadata: { name: config.metadata.name, namespace: config.metadata.namespace } };
  if (live && live.metadata.managedFields === undefined) {
    // What was there before anyone applied belongs to "before-first-apply" (skipNonAppliedManager).
    const managers: Managers = new Map();
    track({ ...req, manager: 'before-first-apply' }, managers, zero(req.kind), live, false);
    base.metadata.managedFields = encode(managers);
  }
  try {
    return applyOnce(req, base, config, force);
  } catch (e) {
    if (!(e instanceof ApplyConflict) || req.manager !== 'kubectl') throw e;
    // kubectl may take fields client-side apply set, as long as they still hold the last-applied value.
    const allowed = lastAppliedFields(req.kind, base);
    const left = e.conflicts.filter((c) => !allowed.has(pathKey(c.path)));
    if (left.length > 0) throw new ApplyConflict(left);
    return applyOnce(req, base, config, true);
  }
}

function applyOnce(req: Request, live: KObject, config: KObject, force: boolean): KObject {
  const managers = decode(live.metadata.managedFields) ?? new Map<string, Entry>();
  const me: Entry = { manager: req.manager, operation: 'Apply', apiVersion: req.apiVersion, set: new Set() };
  const id = identity(me);
  const last = managers.get(id);
  const { status: _ignored, ...applied } = config;
  me.set = owned(toFieldSet(req.kind, applied));
  if (last?.time) me.time = last.time;
  managers.set(id, me);
  let next = stripNulls(merge(req.kind, live, applied, [])) as KObject;
  if (last) next = prune(req.kind, next, last.set, managers);
  takeOwnership(req.kind, managers, id, live, next, force);
  // The entry's time moves only when the object changes.
  if (!equal(stripNulls(comparable(live)), comparable(next))) me.time = now();
  if (me.set.size === 0) managers.delete(id);
  const encoded = encode(managers);
  next.metadata = { ...next.metadata };
  if (encoded) next.metadata.managedFields = encoded;
  else delete next.metadata.managedFields;
  if (req.manager === 'kubectl' && next.metadata.annotations?.[LAST_APPLIED]) {
    // lastAppliedUpdater: kubectl's annotation follows what is applied server-side too.
    const { [LAST_APPLIED]: _a, ...annotations } = (config.metadata?.annotations ?? {}) as Record<string, string>;
    const lastApplied = structuredClone(config) as Obj;
    const meta = lastApplied.metadata as Obj;
    if (Object.keys(annotations).length > 0) meta.annotations = annotations;
    else delete meta.annotations;
    next.metadata.annotations = { ...next.metadata.annotations, [LAST_APPLIED]: `${JSON.stringify(sortDeep(lastApplied))}\n` };
  }
  return next;
}

/** Fields the last-applied annotation set that still hold its value (lastAppliedManager). */
function lastAppliedFields(kind: string, live: KObject): Set<string> {
  const raw = live.metadata.annotations?.[LAST_APPLIED];
  if (!raw) return new Set();
  let last: Json;
  try {
    last = JSON.parse(raw);
  } catch {
    return new Set();
  }
  if (!isObj(last) || last.apiVersion !== live.apiVersion) return new Set();
  const c = compare(kind, last, comparable(live));
  const fields = difference(difference(difference(toFieldSet(kind, last), c.modified), c.added), c.removed);
  return fields;
}

/** Go's encoding/json of a map: keys sorted, at every level. */
function sortDeep(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (!isObj(v)) return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortDeep(v[k])]));
}

/** typed.Merge: the configuration wins; maps merge by key, listType=map lists by their keys. */
export function merge(kind: string, live: Json, config: Json, fields: string[]): Json {
  if (config === undefined) return live;
  if (live === undefined || live === null) return stripNulls(config);
  if (isObj(config) && isObj(live) && !atomicMap(fields)) {
    const out: Obj = { ...live };
    for (const [k, v] of Object.entries(config)) {
      if (v === null) delete out[k];
      else out[k] = merge(kind, live[k], v, [...fields, k]);
    }
    return out;
  }
  if (Array.isArray(config) && Array.isArray(live)) {
    const lt = listType(kind, fields);
    if (lt.type !== 'atomic') return mergeList(kind, lt, live, config, [...fields, '[]']);
  }
  return stripNulls(config);
}

function stripNulls(v: Json): Json {
  if (Array.isArray(v)) return v.map(stripNulls);
  if (!isObj(v)) return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, stripNulls(x)]));
}

/**
 * Items of both lists merged in structured-merge-diff's order: the configuration's order for
 * the items it names, live items it does not name kept where they were.
 */
function mergeList(kind: string, lt: ReturnType<typeof listType>, live: Json[], config: Json[], fields: string[]): Json[] {
  const lpe = live.map((x, i) => itemElement(lt, x, i));
  const rpe = config.map((x, i) => itemElement(lt, x, i));
  const lmap = new Map(lpe.map((pe, i) => [pe, live[i]] as const));
  const rmap = new Map(rpe.map((pe, i) => [pe, config[i]] as const));
  const shared = rpe.filter((pe) => lmap.has(pe));
  let nextShared = shared.shift();
  const done = new Set<string>();
  const out: Json[] = [];
  const emit = (pe: string) => {
    done.add(pe);
    out.push(merge(kind, lmap.get(pe), rmap.get(pe), fields));
  };
  let [l, r] = [0, 0];
  while (l < lpe.length || r < rpe.length) {
    if (l < lpe.length && r < rpe.length) {
      const pe = lpe[l]!;
      if (pe === rpe[r]) {
        emit(pe);
        l++;
        r++;
        nextShared = shared.shift();
        continue;
      }
      if (rmap.has(pe) && nextShared !== undefined && nextShared !== pe) {
        l++;
        continue;
      }
    }
    if (l < lpe.length) {
      const pe = lpe[l]!;
      if (!rmap.has(pe)) {
        done.add(pe);
        out.push(live[l]);
        l++;
        continue;
      } else if (done.has(pe)) l++;
    }
    if (r < rpe.length) {
      const pe = rpe[r]!;
      emit(pe);
      r++;
      if (nextShared === pe) nextShared = shared.shift();
    }
  }
  return out;
}

/**
 * Removes what this manager applied last time and applies no more — unless a manager (this one
 * included) still owns it or something under it. Maps and lists emptied that way go too.
 */
function prune(kind: string, obj: KObject, last: FieldSet, managers: Managers): KObject {
  const all = union(...[...managers.values()].map((e) => e.set));
  const ownedPaths = [...all].map(parsePath);
  const drop = [...difference(last, all)].map(parsePath).filter((p) => !ownedPaths.some((o) => startsWith(o, p)));
  let out = obj as Json;
  for (const p of drop.sort((a, b) => b.length - a.length)) out = removePath(kind, out, p, []);
  return out as KObject;
}

function removePath(kind: string, v: Json, path: string[], fields: string[]): Json {
  const [pe, ...rest] = path;
  if (pe === undefined) return undefined;
  if (pe.startsWith('f:') && isObj(v)) {
    const k = pe.slice(2);
    if (!(k in v)) return v;
    const child = rest.length === 0 ? undefined : removePath(kind, v[k], rest, [...fields, k]);
    const out = { ...v };
    if (child === undefined || (rest.length > 0 && isEmpty(child) && !isEmpty(v[k]))) delete out[k];
    else out[k] = child;
    return out;
  }
  if (Array.isArray(v)) {
    const lt = listType(kind, fields);
    const i = v.findIndex((x, idx) => itemElement(lt, x, idx) === pe);
    if (i < 0) return v;
    const out = [...v];
    const child = rest.length === 0 ? undefined : removePath(kind, v[i], rest, [...fields, '[]']);
    if (child === undefined) out.splice(i, 1);
    else out[i] = child;
    return out;
  }
  return v;
}
const isEmpty = (v: Json) => (Array.isArray(v) ? v.length === 0 : isObj(v) && Object.keys(v).length === 0);
