/**
 * @module
 * Turns parsed manifests into validated, typed objects: the edge where zod checks
 * user input. Kinds the engine does not use are skipped without complaint (as the
 * issue asks: a Deployment in the same file is not an error); a `List` is unpacked.
 */
import type { z } from 'zod';
import { FlatnetError, errors, type Where } from '../errors.ts';
import type { FieldPath, Manifest } from './manifests.ts';
import { describeIssue, fieldPath } from './issues.ts';

export { fieldPath };
import { NamespaceSchema, type Namespace } from './schema/namespace.ts';
import { NetworkPolicySchema, type NetworkPolicy } from './schema/network-policy.ts';
import { PodSchema, type Pod } from './schema/pod.ts';
import { ServiceSchema, type Service } from './schema/service.ts';

/** A typed object plus where it was written. */
export interface Sourced<T> {
  object: T;
  where: Where;
  /** Where a field of this object was written (falls back to the object). */
  at(path: FieldPath): Where;
}

export interface ObjectSet {
  namespaces: Sourced<Namespace>[];
  pods: Sourced<Pod>[];
  services: Sourced<Service>[];
  policies: Sourced<NetworkPolicy>[];
}

const schemas = {
  'v1/Namespace': ['namespaces', NamespaceSchema],
  'v1/Pod': ['pods', PodSchema],
  'v1/Service': ['services', ServiceSchema],
  'networking.k8s.io/v1/NetworkPolicy': ['policies', NetworkPolicySchema],
} as const satisfies Record<string, [keyof ObjectSet, z.ZodType]>;

/** Accepts manifests (with file/line) or bare objects (e.g. built in code). Throws one error listing every invalid object. */
export function readObjects(input: readonly (Manifest | unknown)[]): ObjectSet {
  const set: ObjectSet = { namespaces: [], pods: [], services: [], policies: [] };
  const problems: FlatnetError[] = [];
  const visit = (raw: unknown, m: Manifest | undefined, prefix: FieldPath) => {
    const lineOf = (p: FieldPath) => m?.lineOf([...prefix, ...p]);
    const whereOf = (p: FieldPath, object?: string): Where => ({ file: m?.file, line: lineOf(p), object });
    if (!isRecord(raw) || typeof raw.kind !== 'string') {
      problems.push(errors.notAnObject(whereOf([])));
      return;
    }
    if (raw.kind === 'List' && Array.isArray(raw.items)) {
      raw.items.forEach((item, i) => visit(item, m, [...prefix, 'items', i]));
      return;
    }
    const key = `${String(raw.apiVersion)}/${raw.kind}` as keyof typeof schemas;
    const entry = schemas[key];
    const name = describeObject(raw);
    if (!entry) {
      if (Object.values(schemas).some(([, s]) => kindOf(s) === raw.kind)) {
        problems.push(
          errors.invalidField({ ...whereOf(['apiVersion'], name), field: 'apiVersion' }, `no matches for kind "${raw.kind}" in version "${String(raw.apiVersion)}"`),
        );
      }
      return; // a kind the engine has no use for
    }
    const [bucket, schema] = entry;
    const parsed = schema.safeParse(raw, { reportInput: true });
    if (!parsed.success) {
      // The API server decodes strictly before it validates: an unknown field is the only error it reports.
      const unknown = parsed.error.issues.filter((i) => i.code === 'unrecognized_keys');
      for (const issue of unknown.length > 0 ? unknown : parsed.error.issues) {
        const { path, message } = describeIssue(issue);
        problems.push(errors.invalidField({ ...whereOf(path, name), field: fieldPath(path) }, message));
      }
      return;
    }
    (set[bucket] as Sourced<unknown>[]).push({
      object: parsed.data,
      where: whereOf([], name),
      at: (p) => ({ ...whereOf(p, name), field: fieldPath(p) }),
    });
  };
  for (const item of input) {
    if (isManifest(item)) visit(item.object, item, []);
    else visit(item, undefined, []);
  }
  if (problems.length > 0) throw FlatnetError.many(problems);
  return set;
}

/**
 * Fields of `raw` that its kind does not have, i.e. what a strict decode rejects. The API server
 * drops them (with a warning by default) unless the client asks for strict validation.
 */
export function unknownFields(raw: unknown): FieldPath[] {
  if (!isRecord(raw)) return [];
  const entry = schemas[`${String(raw.apiVersion)}/${String(raw.kind)}` as keyof typeof schemas];
  if (!entry) return [];
  const parsed = entry[1].safeParse(raw);
  if (parsed.success) return [];
  return parsed.error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys' ? i.keys.map((k) => [...i.path.filter((p): p is string | number => typeof p !== 'symbol'), k]) : [],
  );
}

function isManifest(x: unknown): x is Manifest {
  return isRecord(x) && 'object' in x && typeof x.lineOf === 'function';
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function kindOf(schema: z.ZodType): string | undefined {
  const shape = (schema as unknown as { shape?: { kind?: { value?: string } } }).shape;
  return shape?.kind?.value;
}

/** `NetworkPolicy data/postgres-policy`, as far as the raw object tells. */
export function describeObject(raw: Record<string, unknown>): string {
  const meta = isRecord(raw.metadata) ? raw.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '<no name>';
  if (raw.kind === 'Namespace') return `Namespace ${name}`;
  const ns = typeof meta.namespace === 'string' ? meta.namespace : 'default';
  return `${String(raw.kind)} ${ns}/${name}`;
}
