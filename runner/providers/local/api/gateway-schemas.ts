/**
 * @module
 * OpenAPI v3 schemas for GatewayClass, Gateway and HTTPRoute, named as kube-apiserver names a
 * CRD's schema (io.k8s.networking.gateway.v1.<Kind>, nested types inline) and with the
 * standard-channel fields of the v1 CRDs (config/crd/standard in kubernetes-sigs/gateway-api),
 * so `kubectl explain httproute.spec.rules` works and strict field validation knows every field
 * a manifest from the Gateway API docs may use — implemented here or not. Descriptions are ours, short.
 */
type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; items?: Schema };

const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
const int = (description: string, extra: Schema = {}): Schema => ({ type: 'integer', format: 'int32', description, ...extra });
const obj = (description: string, properties: Record<string, Schema>, required: string[] = []): Schema => ({ type: 'object', description, properties, ...(required.length ? { required } : {}) });
const list = (description: string, items: Schema): Schema => ({ type: 'array', description, items });
const map = (description: string): Schema => ({ type: 'object', description, additionalProperties: { type: 'string' } });
/** An object kubectl explain describes but whose fields this server does not check. */
const opaque = (description: string): Schema => ({ type: 'object', description, 'x-kubernetes-preserve-unknown-fields': true });

const condition = obj('A condition, as in metav1.Condition.', {
  type: str('Accepted, Programmed, ResolvedRefs, ...'),
  status: str('True, False or Unknown.'),
  reason: str('A CamelCase reason.'),
  message: str('What happened, for people.'),
  observedGeneration: { type: 'integer', format: 'int64', description: 'The metadata.generation the condition is about.' },
  lastTransitionTime: str('When the status last changed.', { format: 'date-time' }),
});
const conditions = list('Conditions the controller reports.', condition);
const selector = obj('A label selector.', {
  matchLabels: map('Labels that must all match.'),
  matchExpressions: list('Expressions that must all hold.', obj('', { key: str('The label key.'), operator: str('In, NotIn, Exists or DoesNotExist.'), values: list('Values for In and NotIn.', { type: 'string' }) })),
});
const objectRef = (description: string) => obj(description, { group: str('The API group; empty for core.'), kind: str('The kind.'), name: str('The name.'), namespace: str('The namespace; the referrer\'s when empty.') }, ['name']);
const parentRef = obj('A parent (a Gateway) the route attaches to.', {
  group: str('Defaults to gateway.networking.k8s.io.'),
  kind: str('Defaults to Gateway.'),
  namespace: str('The Gateway\'s namespace; the route\'s when empty.'),
  name: str('The Gateway\'s name.'),
  sectionName: str('A listener name: attach to that listener only.'),
  port: int('A listener port: attach to listeners on that port only.'),
}, ['name']);
const headerMod = obj('Headers to set, add or remove.', {
  set: list('Headers to set (overwrite).', obj('', { name: str('Header name.'), value: str('Header value.') }, ['name', 'value'])),
  add: list('Headers to add.', obj('', { name: str('Header name.'), value: str('Header value.') }, ['name', 'value'])),
  remove: list('Header names to remove.', { type: 'string' }),
});
const pathMod = obj('A path rewrite.', { type: str('ReplaceFullPath or ReplacePrefixMatch.'), replaceFullPath: str('The new path.'), replacePrefixMatch: str('The new prefix for the matched one.') });
const backendObjectRef = obj('A backend: a Service and port.', {
  group: str('Empty (core) for a Service.'),
  kind: str('Defaults to Service.'),
  name: str('The Service name.'),
  namespace: str('The Service namespace; another one needs a ReferenceGrant.'),
  port: int('The Service port. Required for a Service.'),
}, ['name']);
const filter = obj('A filter applied to matching requests (not implemented by flatnet\'s controller).', {
  type: str('RequestHeaderModifier, ResponseHeaderModifier, RequestRedirect, URLRewrite, RequestMirror, CORS or ExtensionRef.'),
  requestHeaderModifier: headerMod,
  responseHeaderModifier: headerMod,
  requestRedirect: obj('A redirect response.', { scheme: str('http or https.'), hostname: str('The new host.'), path: pathMod, port: int('The new port.'), statusCode: { type: 'integer', description: '301 or 302 (and more).' } }),
  urlRewrite: obj('Rewrite host or path before forwarding.', { hostname: str('The new Host header.'), path: pathMod }),
  requestMirror: obj('Send a copy of requests to another backend.', { backendRef: backendObjectRef, percent: int('How many, in percent.'), fraction: obj('How many, as a fraction.', { numerator: int(''), denominator: int('') }) }),
  cors: opaque('CORS response headers.'),
  extensionRef: objectRef('An implementation-specific filter.'),
}, ['type']);

const GW = 'io.k8s.networking.gateway.v1';

function top(kind: string, description: string, spec: Schema, status: Schema): Schema {
  return {
    ...obj(description, {
      apiVersion: str('Always gateway.networking.k8s.io/v1.'),
      kind: str(`Always ${kind}.`),
      metadata: { description: 'Standard object metadata.', allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }] },
      spec,
      status,
    }, ['spec']),
    'x-kubernetes-group-version-kind': [{ group: 'gateway.networking.k8s.io', kind, version: 'v1' }],
  };
}

export const GATEWAY_COMPONENTS: Record<string, Schema> = {
  [`${GW}.GatewayClass`]: top(
    'GatewayClass',
    'GatewayClass names the controller that implements Gateways of this class (cluster-scoped, set up by the platform provider).',
    obj('The controller and its parameters.', {
      controllerName: str('The controller, a domain-prefixed path such as flatnet.dev/gateway-controller. Immutable.'),
      description: str('What this class is, for people.'),
      parametersRef: objectRef('Controller-specific configuration.'),
    }, ['controllerName']),
    obj('Written by the controller.', { conditions, supportedFeatures: list('Features the controller supports.', obj('', { name: str('A feature name.') })) }),
  ),
  [`${GW}.Gateway`]: top(
    'Gateway',
    'Gateway is an entry point into the cluster: listeners with ports, protocols, hostnames and TLS certificates, served by the controller of its class (owned by the cluster operator).',
    obj('Class, listeners and addresses.', {
      gatewayClassName: str('The GatewayClass that implements this Gateway.'),
      listeners: list('Where the Gateway accepts traffic: each a name, port, protocol, optional hostname and TLS, and which routes may attach.', obj('A listener.', {
        name: str('Unique in the Gateway; a route\'s parentRef.sectionName names it.'),
        hostname: str('Only requests for this host (exact or *.wildcard); every host when empty.'),
        port: int('The port.'),
        protocol: str('HTTP, HTTPS, TLS, TCP or UDP (flatnet serves HTTP on 80 and HTTPS on 443).'),
        tls: obj('TLS for HTTPS and TLS listeners.', {
          mode: str('Terminate (the default) or Passthrough.'),
          certificateRefs: list('kubernetes.io/tls Secrets with the certificate and key.', objectRef('A Secret.')),
          options: map('Implementation-specific TLS options.'),
          frontendValidation: opaque('Client certificate validation.'),
        }),
        allowedRoutes: obj('Which routes may attach.', {
          namespaces: obj('From which namespaces.', { from: str('Same (the default), All, Selector or None.'), selector: selector }),
          kinds: list('Which route kinds; by default those of the protocol (HTTPRoute for HTTP and HTTPS).', obj('', { group: str('The group.'), kind: str('The kind.') }, ['kind'])),
        }),
      }, ['name', 'port', 'protocol'])),
      addresses: list('Requested addresses (flatnet uses its controller Service\'s).', obj('', { type: str('IPAddress or Hostname.'), value: str('The address.') })),
      infrastructure: obj('Labels, annotations and parameters for what the controller creates.', { labels: map('Labels.'), annotations: map('Annotations.'), parametersRef: objectRef('Parameters.') }),
      allowedListeners: opaque('Which ListenerSets may attach.'),
      tls: opaque('Gateway-wide TLS settings.'),
    }, ['gatewayClassName', 'listeners']),
    obj('Written by the controller.', {
      addresses: list('Where the Gateway is reachable.', obj('', { type: str('IPAddress or Hostname.'), value: str('The address.') })),
      conditions,
      listeners: list('Per listener.', obj('', { name: str('The listener.'), supportedKinds: list('Route kinds it accepts.', obj('', { group: str(''), kind: str('') })), attachedRoutes: int('How many routes attached.'), conditions })),
      attachedListenerSets: int('How many ListenerSets attached.'),
    }),
  ),
  [`${GW}.HTTPRoute`]: top(
    'HTTPRoute',
    'HTTPRoute routes HTTP requests that reach a Gateway\'s listeners to Services, by host, path, headers and method, with weights (owned by application teams).',
    obj('Parents, hostnames and rules.', {
      parentRefs: list('The Gateways (and listeners) this route attaches to.', parentRef),
      hostnames: list('Hosts this route serves (exact or *.wildcard), intersected with the listener\'s.', { type: 'string' }),
      rules: list('Matches and where matching requests go.', obj('A rule.', {
        name: str('A name for the rule.'),
        matches: list('Any one must match; defaults to PathPrefix /. Precedence: exact path, longest prefix, method, most headers.', obj('Conditions that must all hold.', {
          path: obj('The path.', { type: str('PathPrefix (the default, element by element), Exact or RegularExpression.'), value: str('The path, starting with /.') }),
          headers: list('Headers that must match.', obj('', { type: str('Exact (the default) or RegularExpression.'), name: str('Header name, case-insensitive.'), value: str('The value.') }, ['name', 'value'])),
          queryParams: list('Query parameters that must match.', obj('', { type: str('Exact or RegularExpression.'), name: str('The parameter.'), value: str('The value.') }, ['name', 'value'])),
          method: str('The HTTP method.'),
        })),
        filters: list('Request and response changes.', filter),
        backendRefs: list('Where matching requests go, split by weight.', obj('A Service, port and weight.', {
          ...backendObjectRef.properties,
          weight: int('Share of requests: weight / sum of weights. Default 1; 0 sends none.'),
          filters: list('Filters for this backend only.', filter),
        }, ['name'])),
        timeouts: obj('Timeouts.', { request: str('For the whole request, e.g. 10s.'), backendRequest: str('For each request to a backend.') }),
        retry: opaque('Retries.'),
        sessionPersistence: opaque('Session affinity.'),
      })),
    }),
    obj('Written by the controllers of its parents.', {
      parents: list('One entry per parentRef a controller handles.', obj('', { parentRef, controllerName: str('The controller writing this entry.'), conditions })),
    }),
  ),
};

export const GATEWAY_KINDS: Record<string, string> = { GatewayClass: `${GW}.GatewayClass`, Gateway: `${GW}.Gateway`, HTTPRoute: `${GW}.HTTPRoute` };
