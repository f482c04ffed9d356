/**
 * @module
 * The ingress controller addon as plain objects: namespace ingress-flatnet with the controller
 * pod behind a LoadBalancer Service, IngressClass `flatnet` (the default class) and GatewayClass
 * `flatnet`, the same controller serving the Gateway API (gateway.ts). The local
 * cluster applies them (`cluster up --ingress`, or a lab with `requires.ingress`); static
 * grading adds them to the world, so a NetworkPolicy on a backend is judged against the same
 * controller pod that live traffic comes from.
 */
import { GATEWAY_CLASS, GATEWAY_CONTROLLER } from './gateway.ts';
import { CONTROLLER_NAME, INGRESS_CLASS } from './routes.ts';

export const INGRESS_NAMESPACE = 'ingress-flatnet';
export const INGRESS_SERVICE = 'ingress-flatnet-controller';
export const INGRESS_POD = 'ingress-flatnet-controller-0';
export const INGRESS_IMAGE = 'flatnet/ingress-controller:v0.1.0';
export const INGRESS_LABELS = { 'app.kubernetes.io/name': 'ingress-flatnet', 'app.kubernetes.io/component': 'controller' } as const;

/** The addon's objects, in apply order. */
export function ingressAddon(): { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> }[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: INGRESS_NAMESPACE, labels: { 'app.kubernetes.io/name': 'ingress-flatnet' } } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: INGRESS_CLASS, annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' }, labels: { ...INGRESS_LABELS } },
      spec: { controller: CONTROLLER_NAME },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: GATEWAY_CLASS, labels: { ...INGRESS_LABELS } },
      spec: { controllerName: GATEWAY_CONTROLLER, description: 'The flatnet ingress controller, serving the Gateway API: HTTP on port 80, HTTPS on 443' },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: INGRESS_POD, namespace: INGRESS_NAMESPACE, labels: { ...INGRESS_LABELS } },
      spec: {
        priorityClassName: 'system-cluster-critical',
        containers: [{ name: 'controller', image: INGRESS_IMAGE, ports: [{ name: 'http', containerPort: 80 }, { name: 'https', containerPort: 443 }] }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: INGRESS_SERVICE, namespace: INGRESS_NAMESPACE, labels: { ...INGRESS_LABELS } },
      spec: { type: 'LoadBalancer', selector: { ...INGRESS_LABELS }, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'https', port: 443, targetPort: 'https' }] },
    },
  ];
}
