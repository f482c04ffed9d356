import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyseGateways, intersectHostnames, GATEWAY_CONTROLLER, type GatewayWorld } from './gateway.ts';
import { buildTable, certificateFor, gatewayHostMatches, pickBackend, route, type IngressTable } from './routes.ts';

type O = GatewayWorld['gateways'][number];
const b64 = (s: string) => Buffer.from(s).toString('base64');

const gatewayClass: O = { metadata: { name: 'flatnet' }, spec: { controllerName: GATEWAY_CONTROLLER } };
const listener = (name: string, protocol: string, port: number, extra: Record<string, unknown> = {}) => ({ name, protocol, port, ...extra });
const gateway = (listeners: unknown[], ns = 'infra', name = 'public', cls = 'flatnet'): O => ({ metadata: { name, namespace: ns, creationTimestamp: '2026-11-26T10:00:00Z' }, spec: { gatewayClassName: cls, listeners } });
const httpRoute = (name: string, spec: Record<string, unknown>, ns = 'shop', created = '2026-11-26T10:00:00Z'): O => ({ metadata: { name, namespace: ns, creationTimestamp: created }, spec });

/** Services with port 80 and one ready endpoint each, 10.244.0.<i+2>:8080, in namespace shop. */
function world(gateways: O[], routes: O[], names: string[] = ['api', 'api-canary', 'web'], secrets: O[] = []): GatewayWorld {
  return {
    gatewayClasses: [gatewayClass],
    gateways,
    httpRoutes: routes,
    namespaces: [{ metadata: { name: 'shop', labels: { team: 'shop' } } }, { metadata: { name: 'infra' } }],
    services: names.map((n) => ({ metadata: { name: n, namespace: 'shop' }, spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } })),
    endpoints: names.map((n, i) => ({ metadata: { name: n, namespace: 'shop' }, subsets: [{ addresses: [{ ip: `10.244.0.${i + 2}` }], ports: [{ name: 'http', port: 8080 }] }] })),
    secrets,
  };
}

function tableOf(w: GatewayWorld): IngressTable {
  const t = buildTable({ ingresses: [], services: w.services, endpoints: w.endpoints, secrets: w.secrets });
  const a = analyseGateways(w);
  return { ...t, httpRoutes: a.rules, certificates: [...t.certificates, ...a.certificates] };
}

/** Which Service answers (weights aside: the heaviest part of a split). */
const who = (t: IngressTable, host: string, path: string, req: Parameters<typeof route>[3] = {}) => {
  const r = route(t, host, path, req);
  if (!r) return undefined;
  const b = r.backend.split ? [...r.backend.split].sort((x, y) => y.weight - x.weight)[0]!.backend : r.backend;
  return b.name.split('/')[1]!.split(':')[0];
};

const CHAPTER_GATEWAY = gateway([listener('https', 'HTTPS', 443, { hostname: '*.example.com', tls: { mode: 'Terminate', certificateRefs: [{ name: 'wildcard-example-tls' }] }, allowedRoutes: { namespaces: { from: 'All' } } }), listener('http', 'HTTP', 80)]);
const TLS_SECRET: O = { metadata: { name: 'wildcard-example-tls', namespace: 'infra' }, data: { 'tls.crt': b64('CERT'), 'tls.key': b64('KEY') } };
const CHAPTER_ROUTE = httpRoute('shop', {
  parentRefs: [{ name: 'public', namespace: 'infra' }],
  hostnames: ['shop.example.com'],
  rules: [
    { matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backendRefs: [{ name: 'api', port: 80, weight: 90 }, { name: 'api-canary', port: 80, weight: 10 }] },
    { backendRefs: [{ name: 'web', port: 80 }] },
  ],
});

describe('Gateway API: attaching HTTPRoutes to listeners', () => {
  it('serves the chapter\'s route on the HTTPS listener only (its namespace is not the Gateway\'s, so only from: All admits it)', () => {
    const w = world([CHAPTER_GATEWAY], [CHAPTER_ROUTE], undefined, [TLS_SECRET]);
    const a = analyseGateways(w);
    assert.deepEqual(a.routes.get('shop/shop')!.map((p) => p.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`)), [['Accepted=True/Accepted', 'ResolvedRefs=True/ResolvedRefs']]);
    const state = a.gateways.get('infra/public')!;
    assert.deepEqual(state.listeners.map((l) => [l.name, l.ok, l.attachedRoutes]), [['https', true, 1], ['http', true, 0]]);
    const t = tableOf(w);
    assert.equal(who(t, 'shop.example.com', '/api/orders', { scheme: 'https' }), 'api');
    assert.equal(who(t, 'shop.example.com', '/', { scheme: 'https' }), 'web');
    // The http listener allows the Same namespace only: nothing of shop's is served over HTTP.
    assert.equal(route(t, 'shop.example.com', '/', { scheme: 'http' }), undefined);
    assert.equal(certificateFor(t, 'shop.example.com')?.secret, 'infra/wildcard-example-tls');
  });

  it('allowedRoutes: Same by default, Selector by namespace labels, None', () => {
    const sameOnly = gateway([listener('http', 'HTTP', 80)]);
    const r = httpRoute('r', { parentRefs: [{ name: 'public', namespace: 'infra' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] });
    assert.equal(analyseGateways(world([sameOnly], [r])).routes.get('shop/r')![0]!.conditions[0]!.reason, 'NotAllowedByListeners');
    const selector = gateway([listener('http', 'HTTP', 80, { allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { team: 'shop' } } } } })]);
    assert.equal(analyseGateways(world([selector], [r])).routes.get('shop/r')![0]!.conditions[0]!.status, 'True');
    const none = gateway([listener('http', 'HTTP', 80, { allowedRoutes: { namespaces: { from: 'None' } } })]);
    assert.equal(analyseGateways(world([none], [r])).routes.get('shop/r')![0]!.conditions[0]!.reason, 'NotAllowedByListeners');
  });

  it('says why a route is not accepted: a missing Gateway, another class, no such listener, no hostname in common, an unsupported match', () => {
    const gw = gateway([listener('http', 'HTTP', 80, { hostname: 'shop.example.com', allowedRoutes: { namespaces: { from: 'All' } } })]);
    const reason = (gws: O[], spec: Record<string, unknown>) => analyseGateways(world(gws, [httpRoute('r', { rules: [{ backendRefs: [{ name: 'web', port: 80 }] }], ...spec })])).routes.get('shop/r')?.[0]?.conditions[0]?.reason;
    assert.equal(reason([], { parentRefs: [{ name: 'public', namespace: 'infra' }] }), 'NoMatchingParent');
    assert.equal(reason([gateway([listener('http', 'HTTP', 80)], 'infra', 'public', 'other')], { parentRefs: [{ name: 'public', namespace: 'infra' }] }), 'NoMatchingParent');
    assert.equal(reason([gw], { parentRefs: [{ name: 'public', namespace: 'infra', sectionName: 'https' }] }), 'NoMatchingParent');
    assert.equal(reason([gw], { parentRefs: [{ name: 'public', namespace: 'infra', port: 8080 }] }), 'NoMatchingParent');
    assert.equal(reason([gw], { parentRefs: [{ name: 'public', namespace: 'infra' }], hostnames: ['web.example.org'] }), 'NoMatchingListenerHostname');
    assert.equal(reason([gw], { parentRefs: [{ name: 'public', namespace: 'infra' }], rules: [{ matches: [{ path: { type: 'RegularExpression', value: '/a.*' } }] }] }), 'UnsupportedValue');
    assert.equal(reason([gw], { parentRefs: [{ name: 'public', namespace: 'infra' }] }), 'Accepted');
    // A Gateway of another group or kind is not ours to answer for.
    assert.equal(reason([gw], { parentRefs: [{ name: 'public', namespace: 'infra', kind: 'Service', group: '' }] }), undefined);
  });

  it('listeners: HTTP on 80 and HTTPS on 443 only, HTTPS needs a resolvable certificate Secret', () => {
    const a = analyseGateways(world([gateway([
      listener('web', 'HTTP', 8080),
      listener('tcp', 'TCP', 5432),
      listener('nocert', 'HTTPS', 443, { hostname: 'a.example.com' }),
      listener('missing', 'HTTPS', 443, { hostname: 'b.example.com', tls: { certificateRefs: [{ name: 'nope' }] } }),
      listener('elsewhere', 'HTTPS', 443, { hostname: 'c.example.com', tls: { certificateRefs: [{ name: 'wildcard-example-tls', namespace: 'shop' }] } }),
      listener('good', 'HTTPS', 443, { hostname: 'd.example.com', tls: { certificateRefs: [{ name: 'wildcard-example-tls' }] } }),
    ])], [], [], [TLS_SECRET]));
    const reasons = a.gateways.get('infra/public')!.listeners.map((l) => [l.name, l.ok, l.conditions.filter((c) => c.status !== 'True').map((c) => c.reason).join(',')]);
    assert.deepEqual(reasons, [
      ['web', false, 'PortUnavailable,Invalid'],
      ['tcp', false, 'UnsupportedProtocol,Invalid'],
      ['nocert', false, 'Invalid,InvalidCertificateRef'],
      ['missing', false, 'Invalid,InvalidCertificateRef'],
      ['elsewhere', false, 'Invalid,RefNotPermitted'],
      ['good', true, ''],
    ]);
    assert.deepEqual(a.certificates.map((c) => [c.hosts, c.secret, c.cert]), [[['d.example.com'], 'infra/wildcard-example-tls', 'CERT']]);
  });

  it('ResolvedRefs: a missing Service is BackendNotFound and its requests get 500; another namespace is RefNotPermitted', () => {
    const gw = gateway([listener('http', 'HTTP', 80, { allowedRoutes: { namespaces: { from: 'All' } } })]);
    const r = httpRoute('r', { parentRefs: [{ name: 'public', namespace: 'infra' }], rules: [{ backendRefs: [{ name: 'gone', port: 80 }] }] });
    const w = world([gw], [r]);
    const parent = analyseGateways(w).routes.get('shop/r')![0]!;
    assert.deepEqual(parent.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`), ['Accepted=True/Accepted', 'ResolvedRefs=False/BackendNotFound']);
    assert.equal(route(tableOf(w), 'any.example.com', '/')!.backend.invalid, 'BackendNotFound');
    const cross = httpRoute('r', { parentRefs: [{ name: 'public', namespace: 'infra' }], rules: [{ backendRefs: [{ name: 'web', namespace: 'other', port: 80 }] }] });
    assert.equal(analyseGateways(world([gw], [cross])).routes.get('shop/r')![0]!.conditions[1]!.reason, 'RefNotPermitted');
  });
});

describe('Gateway API: hostnames', () => {
  it('intersects listener and route hostnames as httproute_types.go describes', () => {
    assert.deepEqual(intersectHostnames('test.example.com', []), ['test.example.com']);
    assert.deepEqual(intersectHostnames('test.example.com', ['*.example.com']), ['test.example.com']);
    assert.deepEqual(intersectHostnames('*.example.com', ['*.example.com', 'test.example.com', 'foo.test.example.com', 'example.com', 'test.example.net']), ['*.example.com', 'test.example.com', 'foo.test.example.com']);
    assert.equal(intersectHostnames('*.example.com', ['example.com', 'test.example.net']), undefined);
    assert.deepEqual(intersectHostnames(undefined, ['a.example.com']), ['a.example.com']);
  });

  it('a wildcard covers any number of labels, but not the bare domain', () => {
    assert.ok(gatewayHostMatches('*.example.com', 'a.example.com'));
    assert.ok(gatewayHostMatches('*.example.com', 'a.b.example.com'));
    assert.ok(!gatewayHostMatches('*.example.com', 'example.com'));
    assert.ok(!gatewayHostMatches('*.example.com', 'aexample.com'));
  });
});

describe('Gateway API: match precedence (httproute_types.go, HTTPRouteRule.Matches and HTTPRouteSpec.Hostnames)', () => {
  const gw = gateway([listener('http', 'HTTP', 80, { allowedRoutes: { namespaces: { from: 'All' } } })]);
  const to = (svc: string, matches?: unknown[]) => ({ ...(matches ? { matches } : {}), backendRefs: [{ name: svc, port: 80 }] });
  const parentRefs = [{ name: 'public', namespace: 'infra' }];
  const t = (...routes: O[]) => tableOf(world([gw], routes));

  it('Exact before any PathPrefix; then the longest prefix; prefixes match whole path elements', () => {
    const table = t(httpRoute('r', { parentRefs, rules: [to('web', [{ path: { type: 'PathPrefix', value: '/' } }]), to('api', [{ path: { type: 'PathPrefix', value: '/api' } }]), to('api-canary', [{ path: { type: 'Exact', value: '/api/v2' } }])] }));
    assert.equal(who(table, 'x.example.com', '/api/v2'), 'api-canary');
    assert.equal(who(table, 'x.example.com', '/api/v2/orders'), 'api');
    assert.equal(who(table, 'x.example.com', '/api'), 'api');
    assert.equal(who(table, 'x.example.com', '/apis'), 'web');
  });

  it('a method match, then more header matches, win at equal paths', () => {
    const table = t(httpRoute('r', {
      parentRefs,
      rules: [to('web', [{ path: { value: '/' } }]), to('api', [{ path: { value: '/' }, headers: [{ name: 'x-canary', value: 'yes' }] }]), to('api-canary', [{ path: { value: '/' }, headers: [{ name: 'X-Canary', value: 'yes' }, { name: 'x-user', value: 'ann' }] }])],
    }));
    assert.equal(who(table, 'h', '/'), 'web');
    assert.equal(who(table, 'h', '/', { headers: { 'x-canary': 'yes' } }), 'api');
    assert.equal(who(table, 'h', '/', { headers: { 'x-canary': 'yes', 'x-user': 'ann' } }), 'api-canary');
    const byMethod = t(httpRoute('r', { parentRefs, rules: [to('web', [{ path: { value: '/' }, headers: [{ name: 'x-a', value: '1' }] }]), to('api', [{ path: { value: '/' }, method: 'POST' }])] }));
    assert.equal(who(byMethod, 'h', '/', { method: 'POST', headers: { 'x-a': '1' } }), 'api');
    assert.equal(who(byMethod, 'h', '/', { method: 'GET', headers: { 'x-a': '1' } }), 'web');
  });

  it('across routes: the most specific hostname first, then the oldest route, then namespace/name', () => {
    const wild = httpRoute('wild', { parentRefs, hostnames: ['*.example.com'], rules: [to('web', [{ path: { value: '/api' } }])] }, 'shop', '2026-11-26T09:00:00Z');
    const exact = httpRoute('exact', { parentRefs, hostnames: ['shop.example.com'], rules: [to('api')] }, 'shop', '2026-11-26T11:00:00Z');
    // The exact hostname wins even though the wildcard route has the longer path.
    assert.equal(who(t(wild, exact), 'shop.example.com', '/api/x'), 'api');
    assert.equal(who(t(wild, exact), 'other.example.com', '/api/x'), 'web');
    const older = httpRoute('b', { parentRefs, rules: [to('web')] }, 'shop', '2026-11-26T09:00:00Z');
    const newer = httpRoute('a', { parentRefs, rules: [to('api')] }, 'shop', '2026-11-26T11:00:00Z');
    assert.equal(who(t(newer, older), 'h', '/'), 'web');
    const sameAge = httpRoute('a', { parentRefs, rules: [to('api')] });
    assert.equal(who(t(older, { ...sameAge, metadata: { ...sameAge.metadata, creationTimestamp: '2026-11-26T09:00:00Z' } }), 'h', '/'), 'api');
  });

  it('routes on Gateways come before Ingress rules; without HTTPRoutes Ingress routing is as before', () => {
    const table = t(httpRoute('r', { parentRefs, hostnames: ['gw.example.com'], rules: [to('api')] }));
    table.servers.push({ host: '', paths: [{ path: '/', pathType: 'Prefix', backend: { name: 'shop/web:80', endpoints: ['10.244.0.4:8080'] }, ingress: 'shop/ing' }] });
    assert.equal(who(table, 'gw.example.com', '/'), 'api');
    assert.equal(who(table, 'other.example.com', '/'), 'web');
  });
});

describe('Gateway API: weighted backendRefs', () => {
  const gw = gateway([listener('http', 'HTTP', 80, { allowedRoutes: { namespaces: { from: 'All' } } })]);
  it('splits by weight; weight 0 gets nothing; one backend is not a split', () => {
    const table = tableOf(world([gw], [CHAPTER_ROUTE]));
    const b = route(table, 'shop.example.com', '/api')!.backend;
    assert.deepEqual(b.split!.map((s) => [s.backend.name, s.weight]), [['shop/api:80', 90], ['shop/api-canary:80', 10]]);
    assert.equal(pickBackend(b, () => 0.89).name, 'shop/api:80');
    assert.equal(pickBackend(b, () => 0.9).name, 'shop/api-canary:80');
    let canary = 0;
    for (let i = 0; i < 1000; i++) if (pickBackend(b).name === 'shop/api-canary:80') canary++;
    assert.ok(canary > 40 && canary < 200, `${canary} of 1000 to the canary`);
    assert.equal(route(table, 'shop.example.com', '/')!.backend.split, undefined);
    const zero = tableOf(world([gw], [httpRoute('z', { parentRefs: [{ name: 'public', namespace: 'infra' }], rules: [{ backendRefs: [{ name: 'api', port: 80, weight: 0 }, { name: 'web', port: 80 }] }] })]));
    assert.equal(route(zero, 'h', '/')!.backend.name, 'shop/web:80');
    const none = tableOf(world([gw], [httpRoute('z', { parentRefs: [{ name: 'public', namespace: 'infra' }], rules: [{ backendRefs: [{ name: 'api', port: 80, weight: 0 }] }] })]));
    assert.equal(route(none, 'h', '/')!.backend.invalid, 'NoBackends');
  });
});
