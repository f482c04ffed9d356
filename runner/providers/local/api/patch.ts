/**
 * @module
 * The three PATCH flavours kubectl sends: JSON merge patch (RFC 7396), JSON patch (RFC 6902),
 * and strategic merge patch — merge keys per list as in the Kubernetes API types (NetworkPolicy
 * has none, so its lists are replaced whole), with the $patch and $setElementOrder directives.
 */
import { FlatnetError } from '../../../../checkers/errors.ts';

type Json = unknown;
type Obj = Record<string, Json>;
const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Merge keys of lists, by the list's field name (k8s.io/api core/v1 patchMergeKey tags). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  volumes: 'name',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  conditions: 'type',
  ports: '', // decided by context below: containerPort for containers, port for Services
};

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return patch;
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export function strategicMergePatch(target: Json, patch: Json, kind: string): Json {
  return smp(target, patch, kind, []);
}

function smp(target: Json, patch: Json, kind: string, path: string[]): Json {
  if (!isObj(patch)) return patch;
  if (patch.$patch === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return rest;
  }
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$setElementOrder/') || k === '$retainKeys' || k === '$patch') continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const list = k.slice('$deleteFromPrimitiveList/'.length);
      const drop = new Set((v as Json[]).map((x) => JSON.stringify(x)));
      out[list] = ((out[list] as Json[] | undefined) ?? []).filter((x) => !drop.has(JSON.stringify(x)));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const key = mergeKey(k, kind, path);
    if (Array.isArray(v) && key) {
      out[k] = mergeList((out[k] as Json[] | undefined) ?? [], v, key, kind, [...path, k]);
    } else {
      out[k] = isObj(v) ? smp(out[k], v, kind, [...path, k]) : v;
    }
  }
  return out;
}

function mergeKey(field: string, kind: string, path: string[]): string | undefined {
  if (kind === 'NetworkPolicy') return undefined;
  if (field === 'ports') return path.at(-1) === 'spec' && kind === 'Service' ? 'port' : path.includes('containers') || path.at(-1) === undefined ? 'containerPort' : undefined;
  return MERGE_KEYS[field] || undefined;
}

function mergeList(target: Json[], patch: Json[], key: string, kind: string, path: string[]): Json[] {
  const out = [...target];
  for (const item of patch) {
    if (!isObj(item)) continue;
    const idx = out.findIndex((t) => isObj(t) && t[key] === item[key]);
    if (item.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = smp(out[idx], item, kind, path);
    else out.push(smp({}, item, kind, path));
  }
  return out;
}

/** RFC 6902: add, remove, replace, move, copy, test. */
export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw new FlatnetError('BadRequest', 'json patch must be a list of operations');
  let doc = structuredClone(target);
  for (const op of ops as { op: string; path: string; value?: Json; from?: string }[]) {
    const get = (p: string) => pointer(p).reduce<Json>((v, k) => (Array.isArray(v) ? v[Number(k)] : isObj(v) ? v[k] : undefined), doc);
    switch (op.op) {
      case 'add':
      case 'replace':
        doc = setAt(doc, pointer(op.path), op.value, op.op === 'add');
        break;
      case 'remove':
        doc = removeAt(doc, pointer(op.path));
        break;
      case 'move': {
        const v = get(op.from ?? '');
        doc = setAt(removeAt(doc, pointer(op.from ?? '')), pointer(op.path), v, true);
        break;
      }
      case 'copy':
        doc = setAt(doc, pointer(op.path), structuredClone(get(op.from ?? '')), true);
        break;
      case 'test':
        if (JSON.stringify(get(op.path)) !== JSON.stringify(op.value)) throw new FlatnetError('Invalid', `the test operation at ${op.path} failed`);
        break;
      default:
        throw new FlatnetError('BadRequest', `unknown json patch operation "${op.op}"`);
    }
  }
  return doc;
}

function pointer(p: string): string[] {
  return p === '' ? [] : p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function setAt(doc: Json, path: string[], value: Json, insert: boolean): Json {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  if (Array.isArray(doc)) {
    const copy = [...doc];
    const i = head === '-' ? copy.length : Number(head);
    if (rest.length === 0) {
      if (insert) copy.splice(i, 0, value);
      else copy[i] = value;
    } else copy[i] = setAt(copy[i], rest, value, insert);
    return copy;
  }
  const obj: Obj = isObj(doc) ? { ...doc } : {};
  obj[head] = rest.length === 0 ? value : setAt(obj[head], rest, value, insert);
  return obj;
}

function removeAt(doc: Json, path: string[]): Json {
  const [head, ...rest] = path as [string, ...string[]];
  if (Array.isArray(doc)) {
    const copy = [...doc];
    if (rest.length === 0) copy.splice(Number(head), 1);
    else copy[Number(head)] = removeAt(copy[Number(head)], rest);
    return copy;
  }
  if (!isObj(doc)) return doc;
  const obj = { ...doc };
  if (rest.length === 0) delete obj[head];
  else obj[head] = removeAt(obj[head], rest);
  return obj;
}
