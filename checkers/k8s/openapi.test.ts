import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { k8sComponents } from './openapi.ts';

type S = Record<string, unknown> & { properties?: Record<string, S>; $ref?: string; allOf?: S[]; items?: S };

describe('OpenAPI components (kubectl explain)', () => {
  const schemas = k8sComponents() as Record<string, S>;

  it('names each kind as kube-apiserver does and tags it with its GroupVersionKind', () => {
    const want = { 'io.k8s.api.networking.v1.NetworkPolicy': ['networking.k8s.io', 'NetworkPolicy'], 'io.k8s.api.core.v1.Pod': ['', 'Pod'], 'io.k8s.api.core.v1.Service': ['', 'Service'], 'io.k8s.api.core.v1.Namespace': ['', 'Namespace'] };
    for (const [id, [group, kind]] of Object.entries(want)) {
      assert.deepEqual(schemas[id]?.['x-kubernetes-group-version-kind'], [{ group, kind, version: 'v1' }], id);
    }
  });

  it('every $ref resolves to a component', () => {
    const refs = JSON.stringify(schemas).match(/"#\/components\/schemas\/[^"]+"/g) ?? [];
    assert.ok(refs.length > 20);
    for (const r of refs) assert.ok(schemas[JSON.parse(r).slice('#/components/schemas/'.length)], r);
  });

  it('every field has its own description (explain prints <no description> otherwise; editors show it on hover)', () => {
    const missing: string[] = [];
    for (const [id, s] of Object.entries(schemas)) {
      for (const [field, f] of Object.entries(s.properties ?? {})) if (!f.description) missing.push(`${id}.${field}`);
    }
    assert.deepEqual(missing, []);
  });
});
