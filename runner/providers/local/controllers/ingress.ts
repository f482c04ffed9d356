/**
 * @module
 * The local cluster's ingress controller, as an addon (`cluster up --ingress`): namespace
 * ingress-flatnet with the controller pod behind a LoadBalancer Service, and IngressClass
 * `flatnet`, the default class. The daemon turns Ingresses into the table the pod serves
 * (ingress/routes.ts) and, as ingress-nginx's --publish-service does, writes the Service's
 * load-balancer address into every Ingress of the class, so `kubectl get ingress` shows it.
 */
import { buildTable, CONTROLLER_NAME, INGRESS_CLASS, ours, type IngressTable } from '../ingress/routes.ts';
import type { ObjectStore } from '../store/store.ts';
import type { KObject } from '../store/types.ts';

export const INGRESS_NAMESPACE = 'ingress-flatnet';
export const INGRESS_SERVICE = 'ingress-flatnet-controller';
export const INGRESS_IMAGE = 'flatnet/ingress-controller:v0.1.0';
const LABELS = { 'app.kubernetes.io/name': 'ingress-flatnet', 'app.kubernetes.io/component': 'controller' };

/** The addon's objects, in apply order. */
export function ingressAddon(): KObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: INGRESS_NAMESPACE, labels: { 'app.kubernetes.io/name': 'ingress-flatnet' } } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: INGRESS_CLASS, annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' }, labels: LABELS },
      spec: { controller: CONTROLLER_NAME },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'ingress-flatnet-controller-0', namespace: INGRESS_NAMESPACE, labels: LABELS },
      spec: {
        priorityClassName: 'system-cluster-critical',
        containers: [{ name: 'controller', image: INGRESS_IMAGE, ports: [{ name: 'http', containerPort: 80 }, { name: 'https', containerPort: 443 }] }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: INGRESS_SERVICE, namespace: INGRESS_NAMESPACE, labels: LABELS },
      spec: { type: 'LoadBalancer', selector: LABELS, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'https', port: 443, targetPort: 'https' }] },
    },
  ];
}

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
