import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectStore } from '../store/store.ts';
import type { KObject } from '../store/types.ts';
import { admit } from './admit.ts';
import { aggregated } from './discovery.ts';
import { parseResourcePath } from './server.ts';
import { table } from './tables.ts';

const V = 'gateway.networking.k8s.io/v1';
const gw = (spec: Record<string, unknown>, extra: Partial<KObject> = {}): KObject => ({ apiVersion: V, kind: 'Gateway', metadata: { name: 'public', namespace: 'infra' }, spec, ...extra });
const hr = (spec: Record<string, unknown>): KObject => ({ apiVersion: V, kind: 'HTTPRoute', metadata: { name: 'shop', namespace: 'shop' }, spec });
const https = { name: 'https', protocol: 'HTTPS', port: 443, hostname: '*.example.com', tls: { certificateRefs: [{ name: 'tls' }] } };
const invalid = (fn: () => unknown, message: string) => assert.throws(fn, (e: Error) => (assert.equal(e.message, message), true));

describe('Gateway API admission (the v1 CRDs\' schema, CEL rules and defaults)', () => {
  it('defaults a Gateway as the CRD does, with the "Waiting for controller" status', () => {
    const o = admit('gateways', gw({ gatewayClassName: 'flatnet', listeners: [https, { name: 'http', protocol: 'HTTP', port: 80 }] }), new ObjectStore());
    const ls = o.spec!.listeners as Record<string, unknown>[];
    assert.deepEqual(ls[0]!.tls, { mode: 'Terminate', certificateRefs: [{ name: 'tls', group: '', kind: 'Secret' }] });
    assert.deepEqual(ls[1]!.allowedRoutes, { namespaces: { from: 'Same' } });
    assert.deepEqual((o.status!.conditions as { type: string; status: string; reason: string }[]).map((c) => `${c.type}=${c.status}/${c.reason}`), ['Accepted=Unknown/Pending', 'Programmed=Unknown/Pending']);
  });

  it('refuses what the CRD refuses, worded as apiextensions-apiserver', () => {
    const s = new ObjectStore();
    const P = 'Gateway.gateway.networking.k8s.io "public" is invalid: ';
    invalid(() => admit('gateways', gw({ gatewayClassName: 'flatnet' }), s), `${P}spec.listeners: Required value`);
    invalid(() => admit('gateways', gw({ gatewayClassName: 'flatnet', listeners: [{ name: 'http', protocol: 'HTTP', port: 0 }] }), s), `${P}spec.listeners[0].port: Invalid value: 0: spec.listeners[0].port in body should be greater than or equal to 1`);
    invalid(() => admit('gateways', gw({ gatewayClassName: 'flatnet', listeners: [{ name: 'http', protocol: 'HTTP', port: 80, hostname: 'Shop.example.com' }] }), s), `${P}spec.listeners[0].hostname: Invalid value: "Shop.example.com": spec.listeners[0].hostname in body should match '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'`);
    invalid(() => admit('gateways', gw({ gatewayClassName: 'flatnet', listeners: [{ ...https, tls: { mode: 'Terminate' } }] }), s), `${P}spec.listeners[0].tls: Invalid value: "object": certificateRefs or options must be specified when mode is Terminate`);
    invalid(() => admit('gateways', gw({ gatewayClassName: 'flatnet', listeners: [{ name: 'http', protocol: 'HTTP', port: 80, tls: { certificateRefs: [{ name: 'x' }] } }] }), s), `${P}spec.listeners: Invalid value: "array": tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']`);
    invalid(() => admit('gateways', gw({ gatewayClassName: 'flatnet', listeners: [https, { ...https }] }), s), `${P}[spec.listeners: Invalid value: "array": Listener name must be unique within the Gateway, spec.listeners: Invalid value: "array": Combination of port, protocol and hostname must be unique for each listener]`);
  });

  it('keeps the controller\'s status when the object is written again', () => {
    const s = new ObjectStore();
    const created = s.create('gateways', admit('gateways', gw({ gatewayClassName: 'flatnet', listeners: [https] }), s));
    s.mutate('gateways', 'infra', 'public', (o) => void (o.status = { addresses: [{ type: 'IPAddress', value: '172.18.255.200' }] }));
    const again = admit('gateways', gw({ gatewayClassName: 'flatnet', listeners: [https] }, { status: { bogus: true } }), s);
    assert.deepEqual(again.status, { addresses: [{ type: 'IPAddress', value: '172.18.255.200' }] });
    assert.ok(created);
  });

  it('GatewayClass: controllerName required, domain-prefixed, immutable', () => {
    const s = new ObjectStore();
    const gc = (controllerName?: string): KObject => ({ apiVersion: V, kind: 'GatewayClass', metadata: { name: 'flatnet' }, spec: controllerName ? { controllerName } : {} });
    invalid(() => admit('gatewayclasses', gc(), s), 'GatewayClass.gateway.networking.k8s.io "flatnet" is invalid: spec.controllerName: Required value');
    assert.match(String((() => { try { admit('gatewayclasses', gc('nodomain'), s); } catch (e) { return (e as Error).message; } })()), /spec\.controllerName: Invalid value: "nodomain": spec\.controllerName in body should match/);
    s.create('gatewayclasses', admit('gatewayclasses', gc('flatnet.dev/gateway-controller'), s));
    invalid(() => admit('gatewayclasses', gc('example.com/other'), s), 'GatewayClass.gateway.networking.k8s.io "flatnet" is invalid: spec.controllerName: Invalid value: "string": Value is immutable');
  });

  it('HTTPRoute: defaults (PathPrefix /, group/kind, weight 1) and the path and backendRef rules', () => {
    const s = new ObjectStore();
    const o = admit('httproutes', hr({ parentRefs: [{ name: 'public', namespace: 'infra' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] }), s);
    assert.deepEqual(o.spec, {
      parentRefs: [{ name: 'public', namespace: 'infra', group: 'gateway.networking.k8s.io', kind: 'Gateway' }],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'web', port: 80, group: '', kind: 'Service', weight: 1 }] }],
    });
    assert.equal(o.status, undefined);
    const P = 'HTTPRoute.gateway.networking.k8s.io "shop" is invalid: ';
    invalid(() => admit('httproutes', hr({ rules: [{ matches: [{ path: { type: 'Prefix', value: '/' } }] }] }), s), `${P}spec.rules[0].matches[0].path.type: Unsupported value: "Prefix": supported values: "Exact", "PathPrefix", "RegularExpression"`);
    invalid(() => admit('httproutes', hr({ rules: [{ matches: [{ path: { value: 'api' } }] }] }), s), `${P}spec.rules[0].matches[0].path: Invalid value: "object": value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']`);
    invalid(() => admit('httproutes', hr({ rules: [{ backendRefs: [{ name: 'web' }] }] }), s), `${P}spec.rules[0].backendRefs[0]: Invalid value: "object": Must have port for Service reference`);
    invalid(() => admit('httproutes', hr({ rules: [{ backendRefs: [{ name: 'web', port: 80, weight: -1 }] }] }), s), `${P}spec.rules[0].backendRefs[0].weight: Invalid value: -1: spec.rules[0].backendRefs[0].weight in body should be greater than or equal to 0`);
    invalid(() => admit('httproutes', hr({ parentRefs: [{ namespace: 'infra' }] }), s), `${P}spec.parentRefs[0].name: Required value`);
  });

  it('refuses unknown fields under Strict, as for every kind with a schema', () => {
    assert.throws(() => admit('httproutes', hr({ rules: [{ backendRefs: [{ name: 'web', port: 80, wieght: 90 }] }] }), new ObjectStore(), 'Strict'), /HTTPRoute "shop" is invalid: strict decoding error: unknown field "spec\.rules\[0\]\.backendRefs\[0\]\.wieght"/);
    // Fields flatnet does not implement are still part of the API.
    admit('httproutes', hr({ rules: [{ filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x', value: 'y' }] } }], timeouts: { request: '10s' } }] }), new ObjectStore(), 'Strict');
  });
});

describe('Gateway API discovery and tables', () => {
  it('serves the three resources in group gateway.networking.k8s.io, with a status subresource', () => {
    const group = (aggregated(false) as { items: { metadata: { name: string }; versions: { resources: { resource: string; scope: string; subresources?: unknown[] }[] }[] }[] }).items.find((g) => g.metadata.name === 'gateway.networking.k8s.io')!;
    assert.deepEqual(group.versions[0]!.resources.map((r) => [r.resource, r.scope, !!r.subresources]), [['gatewayclasses', 'Cluster', true], ['gateways', 'Namespaced', true], ['httproutes', 'Namespaced', true]]);
    assert.deepEqual(parseResourcePath('/apis/gateway.networking.k8s.io/v1/namespaces/infra/gateways/public/status'), { resource: 'gateways', group: 'gateway.networking.k8s.io', namespace: 'infra', name: 'public', subresource: 'status' });
  });

  it('prints the CRDs\' columns', () => {
    const g = gw({ gatewayClassName: 'flatnet' }, { status: { addresses: [{ type: 'IPAddress', value: '172.18.255.200' }], conditions: [{ type: 'Accepted', status: 'True' }, { type: 'Programmed', status: 'True' }] } });
    const t = table('gateways', [g, gw({ gatewayClassName: 'flatnet' })], '1', 'None') as { columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
    assert.deepEqual(t.columnDefinitions.map((c) => c.name), ['Name', 'Class', 'Address', 'Programmed', 'Age']);
    assert.deepEqual(t.rows.map((r) => r.cells.slice(0, 4)), [['public', 'flatnet', '172.18.255.200', 'True'], ['public', 'flatnet', '', '']]);
    const r = table('httproutes', [hr({ hostnames: ['shop.example.com'] })], '1', 'None') as { columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
    assert.deepEqual(r.columnDefinitions.map((c) => c.name), ['Name', 'Hostnames', 'Age']);
    assert.deepEqual(r.rows[0]!.cells.slice(0, 2), ['shop', '["shop.example.com"]']);
  });
});
