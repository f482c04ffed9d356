/**
 * @module
 * The OpenAPI v3 kubectl reads. For `apply -f` / `create -f` it needs, per group-version, a
 * PATCH operation per kind that names its GroupVersionKind and a `fieldValidation` query
 * parameter; seeing it, kubectl leaves validation to the server (which rejects unknown fields).
 * For `explain` it needs the kinds' schemas: those come from the same zod schemas the server
 * validates with (checkers/k8s/openapi.ts). Built on first request, then kept: startup stays fast.
 */
import { fnv1a } from '../../../../checkers/hash.ts';
import { k8sComponents } from '../../../../checkers/k8s/openapi.ts';
import { KUBERNETES_VERSION } from '../config.ts';
import { API_RESOURCES } from './discovery.ts';
import { NETWORKING_COMPONENTS } from './schemas.ts';

const gvPath = (group: string) => (group ? `apis/${group}/v1` : 'api/v1');

let built: { docs: Map<string, object>; hash: string } | undefined;

function documents(): { docs: Map<string, object>; hash: string } {
  if (built) return built;
  const schemas = { ...k8sComponents(), ...NETWORKING_COMPONENTS };
  const docs = new Map<string, object>();
  const param = [{ name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } }];
  for (const path of new Set(API_RESOURCES.map((r) => gvPath(r.group)))) {
    const paths = Object.fromEntries(
      API_RESOURCES.filter((r) => gvPath(r.group) === path).map((r) => {
        const item = r.namespaced ? `/${path}/namespaces/{namespace}/${r.resource}/{name}` : `/${path}/${r.resource}/{name}`;
        return [item, { patch: { 'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind }, parameters: param } }];
      }),
    );
    docs.set(path, { openapi: '3.0.0', info: { title: 'Kubernetes', version: KUBERNETES_VERSION }, paths, components: { schemas } });
  }
  // kubectl caches each document by this hash: it must change whenever a schema does.
  const hash = fnv1a(JSON.stringify([...docs.values()])).toString(16).toUpperCase();
  return (built = { docs, hash });
}

export function openapiRoot(): object {
  const { docs, hash } = documents();
  return { paths: Object.fromEntries([...docs.keys()].map((p) => [p, { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` }])) };
}

export function openapiGroupVersion(path: string): object | undefined {
  return documents().docs.get(path);
}
