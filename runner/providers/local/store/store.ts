/**
 * @module
 * The cluster's object store: what etcd + the API server's storage layer are to a real
 * cluster. One global resourceVersion counter, optimistic concurrency on update, and a
 * bounded event history so a watch can resume from a resourceVersion (or learn it is too
 * old, as a 410 Gone tells kubectl). Persistence is a snapshot file (persist.ts).
 */
import { randomUUID } from 'node:crypto';
import { FlatnetError } from '../../../../checkers/errors.ts';
import { RESOURCES, type KObject, type Resource, type WatchEvent } from './types.ts';

const HISTORY = 2000;

export type Listener = (e: WatchEvent & { rv: number }) => void;

export interface Snapshot {
  rv: number;
  objects: Record<string, KObject[]>;
}

export class ObjectStore {
  private rv = 0;
  private readonly data = new Map<Resource, Map<string, KObject>>();
  private readonly history: (WatchEvent & { rv: number })[] = [];
  private readonly listeners = new Set<Listener>();
  /** Called after every change (the persister debounces it). */
  onChange: () => void = () => {};

  constructor(snapshot?: Snapshot) {
    for (const r of Object.keys(RESOURCES) as Resource[]) this.data.set(r, new Map());
    if (snapshot) {
      this.rv = snapshot.rv;
      for (const [r, list] of Object.entries(snapshot.objects)) {
        const m = this.data.get(r as Resource);
        if (m) for (const o of list) m.set(key(o.metadata.namespace, o.metadata.name), o);
      }
    }
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  /** The oldest resourceVersion a watch can resume from. */
  get oldestWatchable(): number {
    return this.history[0]?.rv ?? this.rv;
  }

  get(resource: Resource, namespace: string | undefined, name: string): KObject | undefined {
    const o = this.map(resource).get(key(namespace, name));
    return o ? clone(o) : undefined;
  }

  list(resource: Resource, namespace?: string, filter?: (o: KObject) => boolean): KObject[] {
    const out: KObject[] = [];
    for (const o of this.map(resource).values()) {
      if (namespace !== undefined && RESOURCES[resource].namespaced && o.metadata.namespace !== namespace) continue;
      if (filter && !filter(o)) continue;
      out.push(clone(o));
    }
    return out.sort((a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name));
  }

  /**
   * The stored objects themselves, unsorted and uncopied: for controllers that only read.
   * Never mutate what this returns (use mutate()).
   */
  scan(resource: Resource, namespace?: string): readonly KObject[] {
    const all = [...this.map(resource).values()];
    return namespace === undefined || !RESOURCES[resource].namespaced ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  create(resource: Resource, obj: KObject): KObject {
    const m = this.map(resource);
    const ns = RESOURCES[resource].namespaced ? (obj.metadata.namespace ?? 'default') : undefined;
    const k = key(ns, obj.metadata.name);
    if (m.has(k)) throw conflict('AlreadyExists', resource, obj.metadata.name);
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const stored: KObject = clone({
      ...obj,
      apiVersion: RESOURCES[resource].apiVersion,
      kind: RESOURCES[resource].kind,
      metadata: { ...obj.metadata, ...(ns ? { namespace: ns } : {}), uid: randomUUID(), creationTimestamp: now, generation: 1, resourceVersion: '' },
    });
    if (!ns) delete stored.metadata.namespace;
    return this.commit(resource, k, stored, 'ADDED');
  }

  /** Replaces an object. With a resourceVersion in `obj`, it must match (optimistic concurrency). */
  update(resource: Resource, obj: KObject): KObject {
    const m = this.map(resource);
    const ns = RESOURCES[resource].namespaced ? (obj.metadata.namespace ?? 'default') : undefined;
    const k = key(ns, obj.metadata.name);
    const old = m.get(k);
    if (!old) throw notFound(resource, obj.metadata.name);
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== old.metadata.resourceVersion) {
      throw new FlatnetError(
        'Conflict',
        `Operation cannot be fulfilled on ${resource} "${obj.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    const specChanged = JSON.stringify(old.spec) !== JSON.stringify(obj.spec);
    const stored = clone({
      ...obj,
      apiVersion: old.apiVersion,
      kind: old.kind,
      metadata: {
        ...obj.metadata,
        ...(ns ? { namespace: ns } : {}),
        uid: old.metadata.uid,
        creationTimestamp: old.metadata.creationTimestamp,
        generation: (old.metadata.generation ?? 1) + (specChanged ? 1 : 0),
      },
    });
    // An object marked for deletion whose finalizers are all gone is deleted for real.
    if (stored.metadata.deletionTimestamp && finalizersOf(stored).length === 0) return this.remove(resource, k, stored);
    return this.commit(resource, k, stored, 'MODIFIED');
  }

  /** Reads, changes and writes one object (retrying is unnecessary: the store is single-threaded). */
  mutate(resource: Resource, namespace: string | undefined, name: string, fn: (o: KObject) => void): KObject | undefined {
    const o = this.get(resource, namespace, name);
    if (!o) return undefined;
    fn(o);
    delete o.metadata.resourceVersion;
    return this.update(resource, o);
  }

  /** Deletes now, or — with finalizers — marks for deletion and lets controllers finish it. */
  delete(resource: Resource, namespace: string | undefined, name: string, graceSeconds?: number): KObject {
    const m = this.map(resource);
    const k = key(RESOURCES[resource].namespaced ? (namespace ?? 'default') : undefined, name);
    const old = m.get(k);
    if (!old) throw notFound(resource, name);
    if (finalizersOf(old).length > 0 || (graceSeconds ?? 0) > 0) {
      if (old.metadata.deletionTimestamp) return clone(old);
      const marked = clone(old);
      marked.metadata.deletionTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      if (graceSeconds !== undefined) marked.metadata.deletionGracePeriodSeconds = graceSeconds;
      return this.commit(resource, k, marked, 'MODIFIED');
    }
    return this.remove(resource, k, clone(old));
  }

  /** Calls `fn` for every change after `sinceRV` (replaying history first). Returns an unsubscribe function. */
  watch(fn: Listener, sinceRV?: number): () => void {
    if (sinceRV !== undefined) {
      if (sinceRV < this.oldestWatchable - 1) {
        throw new FlatnetError('Expired', `too old resource version: ${sinceRV} (${this.oldestWatchable})`);
      }
      for (const e of this.history) if (e.rv > sinceRV) fn(e);
    }
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  snapshot(): Snapshot {
    const objects: Record<string, KObject[]> = {};
    for (const [r, m] of this.data) objects[r] = [...m.values()];
    return { rv: this.rv, objects };
  }

  private remove(resource: Resource, k: string, obj: KObject): KObject {
    this.map(resource).delete(k);
    obj.metadata.resourceVersion = String(++this.rv);
    this.emit({ type: 'DELETED', resource, object: obj, rv: this.rv });
    return clone(obj);
  }

  private commit(resource: Resource, k: string, obj: KObject, type: 'ADDED' | 'MODIFIED'): KObject {
    obj.metadata.resourceVersion = String(++this.rv);
    this.map(resource).set(k, obj);
    this.emit({ type, resource, object: obj, rv: this.rv });
    return clone(obj);
  }

  private emit(e: WatchEvent & { rv: number }): void {
    this.history.push(e);
    if (this.history.length > HISTORY) this.history.shift();
    // One copy for all listeners: they read events, they do not change them.
    const shared = { ...e, object: clone(e.object) };
    for (const l of this.listeners) l(shared);
    this.onChange();
  }

  private map(resource: Resource): Map<string, KObject> {
    return this.data.get(resource)!;
  }
}

/** Namespaces keep their finalizers in spec.finalizers (the `kubernetes` one), other objects in metadata. */
function finalizersOf(o: KObject): unknown[] {
  const spec = o.kind === 'Namespace' ? ((o.spec?.finalizers as unknown[] | undefined) ?? []) : [];
  return [...(o.metadata.finalizers ?? []), ...spec];
}

const key = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

function clone<T>(o: T): T {
  return structuredClone(o);
}

function notFound(resource: string, name: string): FlatnetError {
  return new FlatnetError('NotFound', `${resource} "${name}" not found`);
}

function conflict(code: string, resource: string, name: string): FlatnetError {
  return new FlatnetError(code, `${resource} "${name}" already exists`);
}
