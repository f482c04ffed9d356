/**
 * @module
 * `flatnet cluster apply`: create or replace objects, with kubectl apply's one-line
 * report per object (`pod/frontend created`, `... configured`, `... unchanged`).
 */
import { FlatnetError } from '../../../../checkers/errors.ts';
import { admit } from '../api/admit.ts';
import { keepStatus } from '../api/handlers.ts';
import type { Cluster } from '../daemon.ts';
import { RESOURCES, resourceOfKind, type KObject } from '../store/types.ts';

export function applyObjects(c: Cluster, objects: KObject[]): { lines: string[] } {
  const lines: string[] = [];
  for (const raw of objects) {
    const resource = resourceOfKind(raw.kind);
    if (!resource || RESOURCES[resource].apiVersion !== raw.apiVersion) {
      throw new FlatnetError('NoKindMatch', `no matches for kind "${raw.kind}" in version "${raw.apiVersion}"`, {}, 'check apiVersion and kind');
    }
    const name = `${typeName(resource, raw.apiVersion)}/${raw.metadata.name}`;
    if (RESOURCES[resource].namespaced) {
      const ns = raw.metadata.namespace ?? 'default';
      const namespace = c.store.get('namespaces', undefined, ns);
      if (!namespace) throw new FlatnetError('NotFound', `namespaces "${ns}" not found`, {}, `create it first: kubectl create namespace ${ns}`);
      if (namespace.metadata.deletionTimestamp) {
        throw new FlatnetError('Forbidden', `unable to create new content in namespace ${ns} because it is being terminated`);
      }
    }
    const existing = c.store.get(resource, RESOURCES[resource].namespaced ? (raw.metadata.namespace ?? 'default') : undefined, raw.metadata.name);
    const admitted = admit(resource, existing ? keepDefaulted(resource, existing, raw) : raw, c.store);
    if (!existing) {
      c.store.create(resource, admitted);
      lines.push(`${name} created`);
      continue;
    }
    // Pods are immutable beyond labels and annotations in this cluster, as (almost) in Kubernetes.
    const next: KObject = { ...existing, ...admitted, metadata: { ...existing.metadata, labels: admitted.metadata.labels, annotations: admitted.metadata.annotations } };
    keepStatus(existing, next); // the status stays the system's, as in the API's updates
    if (resource === 'pods') next.spec = existing.spec;
    if (JSON.stringify(strip(existing)) === JSON.stringify(strip(next))) {
      lines.push(`${name} unchanged`);
      continue;
    }
    delete next.metadata.resourceVersion;
    c.store.update(resource, next);
    lines.push(`${name} configured`);
  }
  return { lines };
}

/**
 * kubectl apply patches: a field the server defaulted on create, which the applied file never
 * set, stays. Replacing the object instead would drop an Ingress's defaulted class (so no
 * controller would serve it any more).
 */
function keepDefaulted(resource: string, existing: KObject, raw: KObject): KObject {
  if (resource !== 'ingresses') return raw;
  const spec = (raw.spec ?? {}) as { ingressClassName?: string };
  const had = (existing.spec as { ingressClassName?: string } | undefined)?.ingressClassName;
  if (spec.ingressClassName !== undefined || had === undefined || raw.metadata.annotations?.['kubernetes.io/ingress.class'] !== undefined) return raw;
  return { ...raw, spec: { ...spec, ingressClassName: had } };
}

/** kubectl's resource names: core kinds bare, others with their group (networkpolicy.networking.k8s.io). */
function typeName(resource: string, apiVersion: string): string {
  const kind = RESOURCES[resource as keyof typeof RESOURCES].kind.toLowerCase();
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return group ? `${kind}.${group}` : kind;
}

function strip(o: KObject): unknown {
  return { spec: o.spec, labels: o.metadata.labels ?? {}, annotations: o.metadata.annotations ?? {}, data: o.data };
}
