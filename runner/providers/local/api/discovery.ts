/**
 * @module
 * Discovery as kube-apiserver 1.32 serves it: /version (kubectl's dispatcher picks its own
 * minor version from it, so it must say 1.32), /api and /apis in the aggregated (v2) shape when
 * asked, the legacy shapes otherwise, and one resource list per group-version.
 */
import { KUBERNETES_VERSION } from '../config.ts';

export interface ResourceInfo {
  resource: string;
  kind: string;
  group: string;
  version: string;
  namespaced: boolean;
  singular: string;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: { name: string; kind: string; verbs: string[] }[];
}

const RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const API_RESOURCES: ResourceInfo[] = [
  {
    resource: 'pods', kind: 'Pod', group: '', version: 'v1', namespaced: true, singular: 'pod', shortNames: ['po'], categories: ['all'], verbs: RW,
    subresources: [
      { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
      { name: 'log', kind: 'Pod', verbs: ['get'] },
      { name: 'status', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
    ],
  },
  { resource: 'namespaces', kind: 'Namespace', group: '', version: 'v1', namespaced: false, singular: 'namespace', shortNames: ['ns'], categories: [], verbs: RW.filter((v) => v !== 'deletecollection'), subresources: [{ name: 'status', kind: 'Namespace', verbs: ['get', 'patch', 'update'] }] },
  { resource: 'nodes', kind: 'Node', group: '', version: 'v1', namespaced: false, singular: 'node', shortNames: ['no'], categories: [], verbs: RW, subresources: [] },
  { resource: 'services', kind: 'Service', group: '', version: 'v1', namespaced: true, singular: 'service', shortNames: ['svc'], categories: ['all'], verbs: RW.filter((v) => v !== 'deletecollection'), subresources: [{ name: 'status', kind: 'Service', verbs: ['get', 'patch', 'update'] }] },
  { resource: 'endpoints', kind: 'Endpoints', group: '', version: 'v1', namespaced: true, singular: 'endpoints', shortNames: ['ep'], categories: [], verbs: RW, subresources: [] },
  { resource: 'configmaps', kind: 'ConfigMap', group: '', version: 'v1', namespaced: true, singular: 'configmap', shortNames: ['cm'], categories: [], verbs: RW, subresources: [] },
  { resource: 'events', kind: 'Event', group: '', version: 'v1', namespaced: true, singular: 'event', shortNames: ['ev'], categories: [], verbs: RW, subresources: [] },
  { resource: 'networkpolicies', kind: 'NetworkPolicy', group: 'networking.k8s.io', version: 'v1', namespaced: true, singular: 'networkpolicy', shortNames: ['netpol'], categories: [], verbs: RW, subresources: [] },
  { resource: 'secrets', kind: 'Secret', group: '', version: 'v1', namespaced: true, singular: 'secret', shortNames: [], categories: [], verbs: RW, subresources: [] },
  { resource: 'ingresses', kind: 'Ingress', group: 'networking.k8s.io', version: 'v1', namespaced: true, singular: 'ingress', shortNames: ['ing'], categories: [], verbs: RW, subresources: [{ name: 'status', kind: 'Ingress', verbs: ['get', 'patch', 'update'] }] },
  { resource: 'ingressclasses', kind: 'IngressClass', group: 'networking.k8s.io', version: 'v1', namespaced: false, singular: 'ingressclass', shortNames: [], categories: [], verbs: RW, subresources: [] },
  // The Gateway API, as its CRDs (config/crd/standard) declare the names, categories and status subresource.
  { resource: 'gatewayclasses', kind: 'GatewayClass', group: 'gateway.networking.k8s.io', version: 'v1', namespaced: false, singular: 'gatewayclass', shortNames: ['gc'], categories: ['gateway-api'], verbs: RW, subresources: [{ name: 'status', kind: 'GatewayClass', verbs: ['get', 'patch', 'update'] }] },
  { resource: 'gateways', kind: 'Gateway', group: 'gateway.networking.k8s.io', version: 'v1', namespaced: true, singular: 'gateway', shortNames: ['gtw'], categories: ['gateway-api'], verbs: RW, subresources: [{ name: 'status', kind: 'Gateway', verbs: ['get', 'patch', 'update'] }] },
  { resource: 'httproutes', kind: 'HTTPRoute', group: 'gateway.networking.k8s.io', version: 'v1', namespaced: true, singular: 'httproute', shortNames: [], categories: ['gateway-api'], verbs: RW, subresources: [{ name: 'status', kind: 'HTTPRoute', verbs: ['get', 'patch', 'update'] }] },
  { resource: 'endpointslices', kind: 'EndpointSlice', group: 'discovery.k8s.io', version: 'v1', namespaced: true, singular: 'endpointslice', shortNames: [], categories: [], verbs: RW, subresources: [] },
];

export const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

export function versionInfo(): object {
  const [major, minor] = KUBERNETES_VERSION.replace(/^v/, '').split('.');
  return { major, minor, gitVersion: `${KUBERNETES_VERSION}-flatnet`, gitCommit: '0000000000000000000000000000000000000000', gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z', goVersion: 'go1.23.4', compiler: 'gc', platform: 'linux/amd64' };
}

const groups = () => [...new Set(API_RESOURCES.filter((r) => r.group).map((r) => r.group))];

/** `/api` (core) or `/apis` (named groups), aggregated. */
export function aggregated(core: boolean): object {
  const items = (core ? [''] : groups()).map((group) => ({
    metadata: { ...(group ? { name: group } : {}), creationTimestamp: null },
    versions: [
      {
        version: 'v1',
        freshness: 'Current',
        resources: API_RESOURCES.filter((r) => r.group === group).map((r) => ({
          resource: r.resource,
          responseKind: { group: r.group, version: r.version, kind: r.kind },
          scope: r.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: r.singular,
          verbs: r.verbs,
          ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
          ...(r.categories.length ? { categories: r.categories } : {}),
          ...(r.subresources.length
            ? { subresources: r.subresources.map((s) => ({ subresource: s.name, responseKind: { group: r.group, version: r.version, kind: s.kind }, verbs: s.verbs })) }
            : {}),
        })),
      },
    ],
  }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}

export function legacyCore(host: string): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }] };
}

export function legacyGroups(): object {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups().map((name) => ({ name, versions: [{ groupVersion: `${name}/v1`, version: 'v1' }], preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' } })),
  };
}

export function resourceList(group: string): object {
  const rs = API_RESOURCES.filter((r) => r.group === group);
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/v1` : 'v1',
    resources: rs.flatMap((r) => [
      { name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs, ...(r.shortNames.length ? { shortNames: r.shortNames } : {}), ...(r.categories.length ? { categories: r.categories } : {}) },
      ...r.subresources.map((s) => ({ name: `${r.resource}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: s.verbs })),
    ]),
  };
}
