/**
 * @module
 * The Kubernetes type names of our schemas (`io.k8s.api.core.v1.PodSpec`), kept in one registry
 * so the API server's OpenAPI document (what `kubectl explain` reads) names types as
 * kube-apiserver does, and parts we do not model stay open but still carry their real name.
 */
import { z } from 'zod';

export const k8sTypes = z.registry<{ id: string }>();

/** Registers `schema` under its Kubernetes type name and returns it. */
export function named<T extends z.ZodType>(id: string, schema: T): T {
  k8sTypes.add(schema, { id });
  return schema;
}

/**
 * A part of the API we accept but do not check inside (security contexts, probes, volumes...).
 * Unknown fields within it are not reported; the field itself is still known.
 */
type Opaque = z.ZodObject<Record<never, never>, z.core.$loose>;

export function opaque(id: string, description: string): Opaque {
  let s = opaques.get(id);
  if (!s) opaques.set(id, (s = named(id, z.looseObject({}).describe(description))));
  return s;
}
const opaques = new Map<string, Opaque>();

/**
 * Field values that must be one of `values`. Give them in the order kube-apiserver lists them in
 * its `Unsupported value` message (sorted for most fields, declaration order for some).
 */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T, description: string) => z.enum(values).describe(description);
