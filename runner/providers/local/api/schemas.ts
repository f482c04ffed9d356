/**
 * @module
 * OpenAPI v3 components for Secret, IngressClass and Ingress, named as kube-apiserver names
 * them and tagged with their GroupVersionKind, so `kubectl explain ingress.spec.rules` works; the
 * descriptions are ours, short. The same schemas tell which fields of such an object are unknown
 * (for fieldValidation Strict/Warn/Ignore), as the engine's zod schemas do for the other kinds.
 * The Gateway API kinds' schemas (gateway-schemas.ts) are served and checked the same way.
 */
import { GATEWAY_COMPONENTS, GATEWAY_KINDS } from './gateway-schemas.ts';

type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; items?: Schema; additionalProperties?: Schema | boolean; allOf?: { $ref: string }[] };

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const NET = 'io.k8s.api.networking.v1';
const ref = (name: string, description: string): Schema => ({ description, allOf: [{ $ref: `#/components/schemas/${name}` }] });
const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
const obj = (description: string, properties: Record<string, Schema>, required: string[] = []): Schema => ({ type: 'object', description, properties, ...(required.length ? { required } : {}) });
const list = (description: string, items: Schema): Schema => ({ type: 'array', description, items, 'x-kubernetes-list-type': 'atomic' });
const map = (description: string, format?: string): Schema => ({ type: 'object', description, additionalProperties: { type: 'string', ...(format ? { format } : {}) } });

function top(apiVersion: string, kind: string, description: string, rest: Record<string, Schema>): Schema {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return {
    ...obj(description, {
      apiVersion: str(`Always ${apiVersion}.`, { enum: [apiVersion] }),
      kind: str(`Always ${kind}.`, { enum: [kind] }),
      metadata: ref(META, 'Standard object metadata: name, namespace, labels, annotations.'),
      ...rest,
    }),
    'x-kubernetes-group-version-kind': [{ group, kind, version }],
  };
}

export const NETWORKING_COMPONENTS: Record<string, Schema> = {
  'io.k8s.api.core.v1.Secret': top('v1', 'Secret', 'Secret holds secret data of a certain type; values are base64 in data, plain text in stringData (write-only, merged into data).', {
    data: map('Secret values by key, each base64-encoded. Keys are letters, digits, "-", "_" or ".".', 'byte'),
    stringData: map('Plain-text values, merged into data on write (and never read back).'),
    type: str('How the data is used: Opaque (the default), kubernetes.io/tls (needs tls.crt and tls.key), ...'),
    immutable: { type: 'boolean', description: 'When true, data cannot be changed; only deleting the Secret can.' },
  }),
  [`${NET}.IngressClass`]: top('networking.k8s.io/v1', 'IngressClass', 'IngressClass names the controller that implements Ingresses of this class. The annotation ingressclass.kubernetes.io/is-default-class: "true" makes it the class of new Ingresses that name none.', {
    spec: ref(`${NET}.IngressClassSpec`, 'The controller and its parameters.'),
  }),
  [`${NET}.IngressClassSpec`]: obj('IngressClassSpec names the controller and its parameters.', {
    controller: str('The controller that implements this class, a domain-prefixed path such as "flatnet.dev/ingress". Immutable.'),
    parameters: ref(`${NET}.IngressClassParametersReference`, 'A resource with extra configuration for the controller.'),
  }),
  [`${NET}.IngressClassParametersReference`]: obj('A reference to the controller parameters resource.', {
    apiGroup: str('The group of the resource; empty for the core group.'),
    kind: str('The kind of the resource.'),
    name: str('The name of the resource.'),
    namespace: str('The namespace of the resource, when scope is Namespace.'),
    scope: str('Cluster (the default) or Namespace.'),
  }, ['kind', 'name']),
  [`${NET}.Ingress`]: top('networking.k8s.io/v1', 'Ingress', 'Ingress routes HTTP(S) requests from outside the cluster to Services, by host and path.', {
    spec: ref(`${NET}.IngressSpec`, 'Rules by host and path, TLS, and a default backend.'),
    status: ref(`${NET}.IngressStatus`, 'Where the Ingress is reachable, written by its controller.'),
  }),
  [`${NET}.IngressSpec`]: obj('IngressSpec: which requests go where.', {
    ingressClassName: str('The IngressClass that implements this Ingress; defaulted on create to the default class.'),
    defaultBackend: ref(`${NET}.IngressBackend`, 'Where requests no rule matches go.'),
    tls: list('TLS termination: the hosts each Secret (type kubernetes.io/tls) serves on port 443.', ref(`${NET}.IngressTLS`, '')),
    rules: list('Host rules, each with HTTP paths; a request matches the longest path, Exact before Prefix.', ref(`${NET}.IngressRule`, '')),
  }),
  [`${NET}.IngressTLS`]: obj('The hosts a TLS Secret serves.', {
    hosts: list('Hosts in the certificate; wildcards like *.foo.com allowed.', { type: 'string' }),
    secretName: str('The kubernetes.io/tls Secret, in the Ingress namespace.'),
  }),
  [`${NET}.IngressRule`]: obj('Requests for one host (or every host when empty).', {
    host: str('A DNS name (not an IP); a wildcard only as the first label, *.foo.com, matching one label.'),
    http: ref(`${NET}.HTTPIngressRuleValue`, 'The paths for this host.'),
  }),
  [`${NET}.HTTPIngressRuleValue`]: obj('The HTTP paths of a rule.', {
    paths: list('Paths and their backends.', ref(`${NET}.HTTPIngressPath`, '')),
  }, ['paths']),
  [`${NET}.HTTPIngressPath`]: obj('A path and the backend its requests go to.', {
    path: str('The request path to match; must start with "/" for Exact and Prefix.'),
    pathType: str('Exact, Prefix (element by element, split on "/") or ImplementationSpecific. Required.', { enum: ['Exact', 'ImplementationSpecific', 'Prefix'] }),
    backend: ref(`${NET}.IngressBackend`, 'Where matching requests go.'),
  }, ['pathType', 'backend']),
  [`${NET}.IngressBackend`]: obj('A Service (or another resource) requests go to.', {
    service: ref(`${NET}.IngressServiceBackend`, 'A Service and one of its ports.'),
    resource: ref('io.k8s.api.core.v1.TypedLocalObjectReference', 'Another resource in the namespace (not with service).'),
  }),
  'io.k8s.api.core.v1.TypedLocalObjectReference': obj('A reference to an object in the same namespace.', {
    apiGroup: str('The group of the resource; empty for the core group.'),
    kind: str('The kind of the resource.'),
    name: str('The name of the resource.'),
  }, ['kind', 'name']),
  [`${NET}.IngressServiceBackend`]: obj('A Service in the Ingress namespace and one of its ports.', {
    name: str('The Service name.'),
    port: ref(`${NET}.ServiceBackendPort`, 'The Service port, by number or by name (not both).'),
  }, ['name']),
  [`${NET}.ServiceBackendPort`]: obj('A Service port, by number or by name.', {
    name: str('The Service port name.'),
    number: { type: 'integer', format: 'int32', description: 'The Service port number.' },
  }),
  [`${NET}.IngressStatus`]: obj('The Ingress status.', {
    loadBalancer: ref(`${NET}.IngressLoadBalancerStatus`, 'The addresses the controller serves the Ingress on.'),
  }),
  [`${NET}.IngressLoadBalancerStatus`]: obj('The addresses of the load balancer.', {
    ingress: list('One entry per address.', ref(`${NET}.IngressLoadBalancerIngress`, '')),
  }),
  [`${NET}.IngressLoadBalancerIngress`]: obj('An address of the load balancer.', {
    ip: str('An IP address.'),
    hostname: str('A DNS name.'),
    ports: list('Port status.', obj('', { port: { type: 'integer', format: 'int32', description: 'The port.' }, protocol: str('TCP, UDP or SCTP.'), error: str('A problem with the port.') })),
  }),
  ...GATEWAY_COMPONENTS,
};

const KIND_COMPONENT: Record<string, string> = { Secret: 'io.k8s.api.core.v1.Secret', IngressClass: `${NET}.IngressClass`, Ingress: `${NET}.Ingress`, ...GATEWAY_KINDS };

/** Paths of fields `o` has that its kind's schema does not (metadata is left to the store's own rules). */
export function unknownNetworkingFields(o: Record<string, unknown>): (string | number)[][] {
  const root = KIND_COMPONENT[String(o.kind)];
  if (!root) return [];
  const out: (string | number)[][] = [];
  const resolve = (s: Schema): Schema => (s.allOf?.[0] ? (NETWORKING_COMPONENTS[s.allOf[0].$ref.split('/').at(-1)!] ?? {}) : s);
  const walk = (v: unknown, schema: Schema, path: (string | number)[]): void => {
    const s = resolve(schema);
    if (Array.isArray(v) && s.items) v.forEach((x, i) => walk(x, s.items!, [...path, i]));
    else if (v && typeof v === 'object' && !Array.isArray(v) && s.properties) {
      for (const [k, x] of Object.entries(v)) {
        if (path.length === 0 && k === 'metadata') continue;
        const p = s.properties[k];
        if (!p) out.push([...path, k]);
        else walk(x, p, [...path, k]);
      }
    }
  };
  walk(o, NETWORKING_COMPONENTS[root]!, []);
  return out;
}
