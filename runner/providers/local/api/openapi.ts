/**
 * @module
 * The smallest OpenAPI v3 kubectl accepts for `apply -f` / `create -f`: per group-version,
 * a PATCH operation per kind that names its GroupVersionKind and a `fieldValidation` query
 * parameter. Seeing it, kubectl leaves validation to the server (which rejects unknown fields).
 */
import { KUBERNETES_VERSION } from '../config.ts';
import { API_RESOURCES } from './discovery.ts';

const gvPath = (group: string) => (group ? `apis/${group}/v1` : 'api/v1');

export function openapiRoot(): object {
  const groups = [...new Set(API_RESOURCES.map((r) => r.group))];
  return { paths: Object.fromEntries(groups.map((g) => [gvPath(g), { serverRelativeURL: `/openapi/v3/${gvPath(g)}?hash=flatnet-${KUBERNETES_VERSION}` }])) };
}

export function openapiGroupVersion(path: string): object | undefined {
  const rs = API_RESOURCES.filter((r) => gvPath(r.group) === path);
  if (rs.length === 0) return undefined;
  const param = [{ name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } }];
  const paths = Object.fromEntries(
    rs.map((r) => {
      const item = r.namespaced ? `/${path}/namespaces/{namespace}/${r.resource}/{name}` : `/${path}/${r.resource}/{name}`;
      return [item, { patch: { 'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind }, parameters: param } }];
    }),
  );
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: KUBERNETES_VERSION }, paths, components: { schemas: {} } };
}
