/** Kubernetes objects as the API serves them: plain JSON with metadata the store maintains. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
  generateName?: string;
  [key: string]: unknown;
}

export interface KObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent {
  type: WatchEventType;
  resource: string;
  object: KObject;
}

/** The resources the store knows; the plural is the key everywhere (as in API paths). */
export const RESOURCES = {
  namespaces: { kind: 'Namespace', apiVersion: 'v1', namespaced: false },
  nodes: { kind: 'Node', apiVersion: 'v1', namespaced: false },
  pods: { kind: 'Pod', apiVersion: 'v1', namespaced: true },
  services: { kind: 'Service', apiVersion: 'v1', namespaced: true },
  endpoints: { kind: 'Endpoints', apiVersion: 'v1', namespaced: true },
  configmaps: { kind: 'ConfigMap', apiVersion: 'v1', namespaced: true },
  events: { kind: 'Event', apiVersion: 'v1', namespaced: true },
  endpointslices: { kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', namespaced: true },
  networkpolicies: { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', namespaced: true },
  secrets: { kind: 'Secret', apiVersion: 'v1', namespaced: true },
  ingresses: { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', namespaced: true },
  ingressclasses: { kind: 'IngressClass', apiVersion: 'networking.k8s.io/v1', namespaced: false },
  gatewayclasses: { kind: 'GatewayClass', apiVersion: 'gateway.networking.k8s.io/v1', namespaced: false },
  gateways: { kind: 'Gateway', apiVersion: 'gateway.networking.k8s.io/v1', namespaced: true },
  httproutes: { kind: 'HTTPRoute', apiVersion: 'gateway.networking.k8s.io/v1', namespaced: true },
} as const;

export type Resource = keyof typeof RESOURCES;

export function resourceOfKind(kind: string): Resource | undefined {
  return (Object.keys(RESOURCES) as Resource[]).find((r) => RESOURCES[r].kind === kind);
}
