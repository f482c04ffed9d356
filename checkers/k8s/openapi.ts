/**
 * @module
 * Our Kubernetes schemas as OpenAPI v3 components, named as kube-apiserver names them
 * (`io.k8s.api.networking.v1.NetworkPolicy`) and tagged with their GroupVersionKind: what
 * `kubectl explain` reads. The descriptions are the same `.describe()` texts the editor shows
 * on hover, so one sentence explains a field everywhere.
 */
import { z } from 'zod';
import './schema/namespace.ts';
import './schema/network-policy.ts';
import './schema/pod.ts';
import './schema/service.ts';
import { k8sTypes } from './schema/registry.ts';

type Schema = Record<string, unknown> & { properties?: Record<string, Schema & { enum?: unknown[] }>; description?: string };

/** Component schemas keyed by Kubernetes type name. */
export function k8sComponents(): Record<string, Schema> {
  const { schemas } = z.toJSONSchema(k8sTypes, {
    target: 'openapi-3.0',
    io: 'input',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }) as unknown as { schemas: Record<string, Schema> };
  const target = (f: Schema) => {
    const ref = (f.$ref ?? (f.allOf as Schema[] | undefined)?.[0]?.$ref) as string | undefined;
    return ref ? schemas[ref.split('/').at(-1)!] : undefined;
  };
  for (const s of Object.values(schemas)) {
    // explain prints a field's own description only; zod leaves it out where it equals the type's.
    for (const f of Object.values(s.properties ?? {}) as Schema[]) f.description ??= target(f)?.description;
    delete s.$id;
    delete s.$schema;
    const apiVersion = s.properties?.apiVersion?.enum?.[0];
    const kind = s.properties?.kind?.enum?.[0];
    if (typeof apiVersion === 'string' && typeof kind === 'string') {
      const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
      s['x-kubernetes-group-version-kind'] = [{ group, kind, version }];
    }
  }
  return schemas;
}
