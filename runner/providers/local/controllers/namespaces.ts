/**
 * @module
 * The namespace controller: a namespace being deleted (phase Terminating) has its contents
 * deleted, and once empty its `kubernetes` finalizer is removed so it goes away — which is
 * why `kubectl delete namespace` waits until every pod has stopped.
 */
import type { ObjectStore } from '../store/store.ts';
import { RESOURCES, type Resource } from '../store/types.ts';

export function reconcileNamespaces(store: ObjectStore): void {
  for (const ns of store.scan('namespaces')) {
    if (!ns.metadata.deletionTimestamp) continue;
    const name = ns.metadata.name;
    if (ns.status?.phase !== 'Terminating') store.mutate('namespaces', undefined, name, (o) => (o.status = { phase: 'Terminating' }));
    let remaining = 0;
    for (const r of Object.keys(RESOURCES) as Resource[]) {
      if (!RESOURCES[r].namespaced) continue;
      for (const o of [...store.scan(r, name)]) {
        remaining++;
        if (!o.metadata.deletionTimestamp) store.delete(r, name, o.metadata.name, r === 'pods' ? Number(o.spec?.terminationGracePeriodSeconds ?? 30) : undefined);
      }
    }
    if (remaining === 0) store.mutate('namespaces', undefined, name, (o) => (o.spec = { ...o.spec, finalizers: [] }));
  }
}
