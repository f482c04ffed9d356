/**
 * @module
 * Field sets as server-side apply sees objects (sigs.k8s.io/structured-merge-diff): every
 * field, map entry and list item an object sets is a path, and a manager owns a set of paths.
 * Paths are written as in metadata.managedFields — `f:spec`, `k:{"name":"web"}` for an item of
 * a list keyed by name, `v:"x"` for an item of a set — and kept as JSON arrays of those, so
 * sets are plain Set<string>. The schema is what apply needs of the Kubernetes types: which
 * lists merge by key (listType=map), which are sets, and which lists and selectors are atomic
 * (replaced whole); everything else a map merges by key and a list is atomic, as in the API.
 */

export type Json = unknown;
export type Obj = Record<string, Json>;
export type FieldSet = Set<string>;

export const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

type ListType = { type: 'atomic' } | { type: 'set' } | { type: 'map'; keys: string[]; defaults?: Record<string, Json> };

const byName: ListType = { type: 'map', keys: ['name'] };
const ATOMIC: ListType = { type: 'atomic' };
/** listType=map lists by schema path (`[]` stands for "an item of the list above"). */
const MAP_LISTS: Record<string, Record<string, ListType>> = {
  Pod: {
    'spec.containers': byName,
    'spec.initContainers': byName,
    'spec.ephemeralContainers': byName,
    'spec.volumes': byName,
    'spec.imagePullSecrets': byName,
    'spec.resourceClaims': byName,
    'spec.schedulingGates': byName,
    'spec.hostAliases': { type: 'map', keys: ['ip'] },
    'spec.topologySpreadConstraints': { type: 'map', keys: ['topologyKey', 'whenUnsatisfiable'] },
  },
  Service: { 'spec.ports': { type: 'map', keys: ['port', 'protocol'], defaults: { protocol: 'TCP' } } },
};
/** Lists inside any container (containers, initContainers, ephemeralContainers). */
const CONTAINER_LISTS: Record<string, ListType> = {
  ports: { type: 'map', keys: ['containerPort', 'protocol'], defaults: { protocol: 'TCP' } },
  env: byName,
  volumeMounts: { type: 'map', keys: ['mountPath'] },
  volumeDevices: { type: 'map', keys: ['devicePath'] },
};

/** How the list at schema path `fields` (field names, `[]` for list items) merges. */
export function listType(kind: string, fields: readonly string[]): ListType {
  const path = fields.join('.');
  if (path === 'metadata.finalizers') return { type: 'set' };
  if (path === 'metadata.ownerReferences') return { type: 'map', keys: ['uid'] };
  const direct = MAP_LISTS[kind]?.[path];
  if (direct) return direct;
  if (kind === 'Pod' && /^spec\.(containers|initContainers|ephemeralContainers)\.\[\]\.\w+$/.test(path)) return CONTAINER_LISTS[fields.at(-1)!] ?? ATOMIC;
  return ATOMIC;
}

/** Label selectors (podSelector, namespaceSelector, a Service's selector, nodeSelector) are atomic: replaced whole. */
export const atomicMap = (fields: readonly string[]) => /selector$/i.test(fields.at(-1) ?? '');

/** Go's `json` ordering of map keys, which `k:` keys use. */
const sortKeys = (o: Obj): Obj => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));

/** The path element of a list item: `k:{…}` by the list's keys, `v:…` for a set, else `i:N`. */
export function itemElement(lt: ListType, item: Json, index: number): string {
  if (lt.type === 'set') return `v:${JSON.stringify(item)}`;
  if (lt.type === 'map' && isObj(item)) {
    const key: Obj = {};
    for (const k of lt.keys) {
      const v = item[k] ?? lt.defaults?.[k];
      if (v !== undefined) key[k] = v;
    }
    return `k:${JSON.stringify(sortKeys(key))}`;
  }
  return `i:${index}`;
}

export const pathKey = (path: readonly string[]) => JSON.stringify(path);
export const parsePath = (key: string) => JSON.parse(key) as string[];

/** The paths a value sets (typed.ToFieldSet): leaves, list items, atomic lists and maps, empty maps. */
export function toFieldSet(kind: string, value: Json): FieldSet {
  const out: FieldSet = new Set();
  const walk = (v: Json, path: string[], fields: string[]) => {
    if (Array.isArray(v)) {
      const lt = listType(kind, fields);
      if (lt.type === 'atomic') return void out.add(pathKey(path));
      v.forEach((item, i) => {
        const child = [...path, itemElement(lt, item, i)];
        walk(item, child, [...fields, '[]']);
        out.add(pathKey(child));
      });
    } else if (isObj(v)) {
      if (atomicMap(fields) || (Object.keys(v).length === 0 && path.length > 0)) return void out.add(pathKey(path));
      for (const [k, child] of Object.entries(v)) walk(child, [...path, `f:${k}`], [...fields, k]);
    } else if (path.length > 0) out.add(pathKey(path));
  };
  walk(value, [], []);
  return out;
}

export interface Comparison {
  added: FieldSet;
  removed: FieldSet;
  modified: FieldSet;
}

/** What changed from `lhs` to `rhs` (typed.Compare): every node added or removed, every leaf modified. */
export function compare(kind: string, lhs: Json, rhs: Json): Comparison {
  const c: Comparison = { added: new Set(), removed: new Set(), modified: new Set() };
  const walk = (l: Json, r: Json, path: string[], fields: string[]) => {
    const key = pathKey(path);
    const shape = r !== undefined && r !== null ? r : l;
    // A null beside a list or map is an empty one (a Go nil slice/map), not a changed leaf.
    const asList = Array.isArray(shape) && (l == null || Array.isArray(l)) && (r == null || Array.isArray(r));
    const asMap = isObj(shape) && (l == null || isObj(l)) && (r == null || isObj(r));
    let leaf = !asList && !asMap;
    if (asList) {
      const lt = listType(kind, fields);
      const [ls, rs] = [(l ?? []) as Json[], (r ?? []) as Json[]];
      if (lt.type === 'atomic' || (ls.length === 0 && rs.length === 0)) leaf = true;
      else {
        const index = (xs: Json[]) => new Map(xs.map((x, i) => [itemElement(lt, x, i), x] as const).reverse());
        const [li, ri] = [index(ls), index(rs)];
        for (const pe of new Set([...li.keys(), ...ri.keys()])) walk(li.get(pe), ri.get(pe), [...path, pe], [...fields, '[]']);
      }
    } else if (asMap) {
      const [lo, ro] = [(l ?? {}) as Obj, (r ?? {}) as Obj];
      if (atomicMap(fields) || (Object.keys(lo).length === 0 && Object.keys(ro).length === 0)) leaf = true;
      else for (const k of new Set([...Object.keys(lo), ...Object.keys(ro)])) walk(lo[k], ro[k], [...path, `f:${k}`], [...fields, k]);
    }
    if (path.length === 0) return;
    if (l === undefined) c.added.add(key);
    else if (r === undefined) c.removed.add(key);
    else if (leaf && !equal(l, r)) c.modified.add(key);
  };
  walk(lhs, rhs, [], []);
  return c;
}

/** Deep equality of JSON values, whatever the order of object keys. */
export function equal(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && equal(a[k], b[k]));
  }
  return false;
}

/** PathElement.Compare: field names, then keys, then values, then indexes. */
const RANK: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };
export function compareElements(a: string, b: string): number {
  const [ra, rb] = [RANK[a[0]!] ?? 4, RANK[b[0]!] ?? 4];
  if (ra !== rb) return ra - rb;
  if (a[0] === 'i') return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Node {
  member: boolean;
  children: Map<string, Node>;
}

function tree(set: FieldSet): Node {
  const root: Node = { member: false, children: new Map() };
  for (const key of set) {
    let n = root;
    for (const pe of parsePath(key)) {
      let next = n.children.get(pe);
      if (!next) n.children.set(pe, (next = { member: false, children: new Map() }));
      n = next;
    }
    n.member = true;
  }
  return root;
}

const sorted = (n: Node) => [...n.children].sort(([a], [b]) => compareElements(a, b));

/** The set as metadata.managedFields[].fieldsV1: `{"f:spec":{"f:podSelector":{}}}`, `"."` marking a member with children. */
export function toFieldsV1(set: FieldSet): Obj {
  const encode = (n: Node): Obj => {
    const out: Obj = n.member && n.children.size > 0 ? { '.': {} } : {};
    for (const [pe, child] of sorted(n)) out[pe] = encode(child);
    return out;
  };
  return encode(tree(set));
}

export function fromFieldsV1(fields: Json): FieldSet {
  const out: FieldSet = new Set();
  const walk = (o: Json, path: string[]) => {
    if (!isObj(o)) return;
    const entries = Object.entries(o);
    if (path.length > 0 && (entries.length === 0 || '.' in o)) out.add(pathKey(path));
    for (const [pe, child] of entries) if (pe !== '.') walk(child, [...path, pe]);
  };
  walk(fields, []);
  return out;
}

/** Members in set.Iterate order: at each level members first, then the children's, each sorted. */
export function iterate(set: FieldSet): string[][] {
  const out: string[][] = [];
  const walk = (n: Node, path: string[]) => {
    const kids = sorted(n);
    for (const [pe, child] of kids) if (child.member) out.push([...path, pe]);
    for (const [pe, child] of kids) walk(child, [...path, pe]);
  };
  walk(tree(set), []);
  return out;
}

/** fieldpath.Path.String(): `.spec.containers[name="web"].image`, `[=value]` for set items, `[3]`. */
export function formatPath(path: readonly string[]): string {
  return path
    .map((pe) => {
      const body = pe.slice(2);
      switch (pe[0]) {
        case 'f':
          return `.${body}`;
        case 'k':
          return `[${Object.entries(JSON.parse(body) as Obj).map(([k, v]) => `${k}=${goString(v)}`).join(',')}]`;
        case 'v':
          return `[=${goString(JSON.parse(body))}]`;
        default:
          return `[${body}]`;
      }
    })
    .join('');
}

/** value.ToString: strings quoted, numbers and booleans bare. */
const goString = (v: Json) => (typeof v === 'string' ? JSON.stringify(v) : isObj(v) || Array.isArray(v) ? JSON.stringify(v) : String(v));

export const union = (...sets: FieldSet[]): FieldSet => new Set(sets.flatMap((s) => [...s]));
export const difference = (a: FieldSet, b: FieldSet): FieldSet => new Set([...a].filter((k) => !b.has(k)));
export const intersection = (a: FieldSet, b: FieldSet): FieldSet => new Set([...a].filter((k) => b.has(k)));
/** Drops every path under (or equal to) one of `prefixes` (RecursiveDifference). */
export const without = (a: FieldSet, prefixes: readonly (readonly string[])[]): FieldSet =>
  new Set([...a].filter((k) => !prefixes.some((p) => startsWith(parsePath(k), p))));
export const startsWith = (path: readonly string[], prefix: readonly string[]) => prefix.length <= path.length && prefix.every((pe, i) => path[i] === pe);
