/**
 * @module
 * The local cluster's ingress controller (its objects: checkers/ingress/addon.ts). The daemon
 * turns Ingresses into the table the pod serves (checkers/ingress/routes.ts) and, as ingress-nginx's --publish-service does, writes the Service's
 * load-balancer address into every Ingress of the class, so `kubectl get ingress` shows it.
 */
import { INGRESS_NAMESPACE, INGRESS_SERVICE } from '../../../../checkers/ingress/addon.ts';
import { buildTable, ours, type IngressTable } from '../../../../checkers/ingress/routes.ts';
import type { ObjectStore } from '../store/store.ts';

/** What the controller pods serve now. */
export function ingressTable(store: ObjectStore): IngressTable {
  return buildTable({ ingresses: store.list('ingresses'), services: store.list('services'), endpoints: store.list('endpoints'), secrets: store.list('secrets') });
}

/** Every Ingress of the class gets the controller Service's load-balancer address in its status. */
export function reconcileIngressStatus(store: ObjectStore): void {
  const svc = store.get('services', INGRESS_NAMESPACE, INGRESS_SERVICE);
  if (!svc) return;
  const ingress = ((svc.status?.loadBalancer as { ingress?: { ip?: string }[] } | undefined)?.ingress ?? []).filter((i) => i.ip).map((i) => ({ ip: i.ip! }));
  const want = JSON.stringify(ingress);
  for (const ing of store.list('ingresses')) {
    if (!ours(ing)) continue;
    const have = JSON.stringify((ing.status?.loadBalancer as { ingress?: unknown[] } | undefined)?.ingress ?? []);
    if (have !== want) store.mutate('ingresses', ing.metadata.namespace, ing.metadata.name, (o) => void (o.status = { loadBalancer: ingress.length ? { ingress } : {} }));
  }
}
