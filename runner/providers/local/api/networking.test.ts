import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectStore } from '../store/store.ts';
import type { KObject } from '../store/types.ts';
import { admit } from './admit.ts';
import { table } from './tables.ts';
import { decodeProtobuf } from './protobuf.ts';

const ing = (spec: Record<string, unknown>, extra: Partial<KObject> = {}): KObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', namespace: 'default' }, spec, ...extra });
const backend = { service: { name: 'web', port: { number: 80 } } };
const rule = (path: Record<string, unknown>, host?: string) => ({ ...(host ? { host } : {}), http: { paths: [{ backend, ...path }] } });
const invalid = (fn: () => unknown, message: string) => assert.throws(fn, (e: Error) => (assert.equal(e.message, message), true));

describe('Ingress admission', () => {
  it('accepts host and path rules, wildcard hosts, named ports and resource backends', () => {
    const o = admit('ingresses', ing({ rules: [rule({ path: '/', pathType: 'Prefix' }, 'foo.example.com'), rule({ path: '', pathType: 'ImplementationSpecific' }, '*.example.com')], defaultBackend: { resource: { apiGroup: 'x.io', kind: 'Bucket', name: 'b' } }, tls: [{ hosts: ['foo.example.com'], secretName: 'foo-tls' }] }), new ObjectStore());
    assert.deepEqual(o.status, { loadBalancer: {} });
  });

  it('words errors as kube-apiserver, several as an aggregate with one cause each', () => {
    const s = new ObjectStore();
    invalid(() => admit('ingresses', ing({ rules: [rule({ path: '/' })] }), s), 'Ingress.networking.k8s.io "i" is invalid: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified');
    invalid(() => admit('ingresses', ing({ rules: [rule({ path: 'x', pathType: 'Exact' })] }), s), 'Ingress.networking.k8s.io "i" is invalid: spec.rules[0].http.paths[0].path: Invalid value: "x": must be an absolute path');
    invalid(() => admit('ingresses', ing({ rules: [rule({ path: '/a//b', pathType: 'Prefix' })] }), s), 'Ingress.networking.k8s.io "i" is invalid: spec.rules[0].http.paths[0].path: Invalid value: "/a//b": must not contain \'//\'');
    invalid(() => admit('ingresses', ing({ defaultBackend: { service: { name: 'web', port: { number: 80, name: 'http' } } } }), s), 'Ingress.networking.k8s.io "i" is invalid: spec.defaultBackend: Invalid value: "": cannot set both port name & port number');
    invalid(() => admit('ingresses', ing({ defaultBackend: { service: { name: 'web', port: {} } } }), s), 'Ingress.networking.k8s.io "i" is invalid: spec.defaultBackend: Required value: port name or number is required');
    invalid(() => admit('ingresses', ing({ defaultBackend: {} }), s), 'Ingress.networking.k8s.io "i" is invalid: spec.defaultBackend: Invalid value: "": resource or service backend is required');
    invalid(() => admit('ingresses', ing({}), s), 'Ingress.networking.k8s.io "i" is invalid: spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified');
  });

  it('refuses a host that is an IP, and a wildcard anywhere but the first label', () => {
    const s = new ObjectStore();
    assert.throws(() => admit('ingresses', ing({ defaultBackend: backend, rules: [{ host: '10.0.0.1' }] }), s), /spec\.rules\[0\]\.host: Invalid value: "10\.0\.0\.1": must be a DNS name, not an IP address/);
    assert.throws(() => admit('ingresses', ing({ defaultBackend: backend, rules: [{ host: 'foo.*.com' }] }), s), /a wildcard DNS-1123 subdomain must start with '\*\.'/);
    assert.throws(() => admit('ingresses', ing({ defaultBackend: backend, tls: [{ hosts: ['Foo.com'] }] }), s), /spec\.tls\[0\]\.hosts\[0\]: Invalid value: "Foo\.com": a lowercase RFC 1123 subdomain/);
    const e = (() => {
      try {
        admit('ingresses', ing({ rules: [rule({ path: 'a' }), rule({ path: 'b', pathType: 'Regex' })] }), s);
      } catch (err) {
        return err as { message: string; statusDetails: { causes: { field: string; reason: string }[] } };
      }
      return undefined;
    })()!;
    assert.match(e.message, /^Ingress\.networking\.k8s\.io "i" is invalid: \[spec\.rules\[0\]\.http\.paths\[0\]\.pathType: Required value: pathType must be specified, spec\.rules\[1\]\.http\.paths\[0\]\.pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"\]$/);
    assert.deepEqual(e.statusDetails.causes.map((c) => [c.field, c.reason]), [['spec.rules[0].http.paths[0].pathType', 'FieldValueRequired'], ['spec.rules[1].http.paths[0].pathType', 'FieldValueNotSupported']]);
  });

  it('sets the default IngressClass on create only, and refuses when there are two defaults', () => {
    const s = new ObjectStore();
    const cls = (name: string) => s.create('ingressclasses', admit('ingressclasses', { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name, annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }, spec: { controller: 'flatnet.dev/ingress' } }, s));
    s.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    const old = s.create('ingresses', admit('ingresses', ing({ defaultBackend: backend }), s));
    assert.equal(old.spec?.ingressClassName, undefined);
    cls('flatnet');
    assert.equal(admit('ingresses', ing({ defaultBackend: backend }, { metadata: { name: 'new', namespace: 'default' } }), s).spec?.ingressClassName, 'flatnet');
    assert.equal(admit('ingresses', ing({ defaultBackend: backend }), s).spec?.ingressClassName, undefined, 'an update is not defaulted');
    assert.equal(admit('ingresses', ing({ defaultBackend: backend }, { metadata: { name: 'legacy', namespace: 'default', annotations: { 'kubernetes.io/ingress.class': 'nginx' } } }), s).spec?.ingressClassName, undefined);
    cls('second');
    assert.throws(() => admit('ingresses', ing({ defaultBackend: backend }, { metadata: { name: 'new', namespace: 'default' } }), s), /ingresses\.networking\.k8s\.io "new" is forbidden: Internal error occurred: 2 default IngressClasses were found, only 1 allowed$/);
  });

  it('keeps the status the controller wrote on update, and starts a new one empty', () => {
    const s = new ObjectStore();
    s.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    const lb = { loadBalancer: { ingress: [{ ip: '172.18.255.200' }] } };
    assert.deepEqual(admit('ingresses', ing({ defaultBackend: backend }, { status: lb }), s).status, { loadBalancer: {} });
    s.create('ingresses', admit('ingresses', ing({ defaultBackend: backend }), s));
    s.mutate('ingresses', 'default', 'i', (o) => void (o.status = lb));
    assert.deepEqual(admit('ingresses', ing({ defaultBackend: backend }), s).status, lb);
  });

  it('IngressClass: controller required and immutable, parameters scope defaulted', () => {
    const s = new ObjectStore();
    const ic = (spec: Record<string, unknown>): KObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'c' }, spec });
    invalid(() => admit('ingressclasses', ic({}), s), 'IngressClass.networking.k8s.io "c" is invalid: spec.controller: Required value');
    assert.equal((admit('ingressclasses', ic({ controller: 'a.io/b', parameters: { kind: 'K', name: 'n' } }), s).spec?.parameters as { scope: string }).scope, 'Cluster');
    s.create('ingressclasses', admit('ingressclasses', ic({ controller: 'a.io/b' }), s));
    assert.throws(() => admit('ingressclasses', ic({ controller: 'a.io/c' }), s), /spec\.controller: Invalid value: "a\.io\/c": field is immutable/);
  });
});

describe('Secret admission', () => {
  const secret = (o: Partial<KObject>): KObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, ...o });
  it('defaults the type to Opaque and merges stringData into data', () => {
    const o = admit('secrets', secret({ data: { a: 'eA==' }, stringData: { b: 'hello', a: 'y' } }), new ObjectStore());
    assert.equal(o.type, 'Opaque');
    assert.deepEqual(o.data, { a: 'eQ==', b: 'aGVsbG8=' });
    assert.equal(o.stringData, undefined);
  });
  it('needs tls.crt and tls.key in a kubernetes.io/tls Secret, without parsing them', () => {
    invalid(() => admit('secrets', secret({ type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } }), new ObjectStore()), 'Secret "s" is invalid: data[tls.key]: Required value');
    invalid(() => admit('secrets', secret({ type: 'kubernetes.io/tls' }), new ObjectStore()), 'Secret "s" is invalid: [data[tls.crt]: Required value, data[tls.key]: Required value]');
    admit('secrets', secret({ type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==', 'tls.key': 'eQ==' } }), new ObjectStore());
  });
  it('refuses data that is not base64 (as the decoder does: a 400) and bad keys, without echoing values', () => {
    assert.throws(() => admit('secrets', secret({ data: { a: 'not*base64' } }), new ObjectStore()), (e: Error & { code?: string }) => e.code === 'BadRequest' && /illegal base64 data at input byte 3/.test(e.message) && !e.message.includes('not*base64'));
    assert.throws(() => admit('secrets', secret({ data: { 'a/b': 'eA==' } }), new ObjectStore()), /data\[a\/b\]: Invalid value: "a\/b": a valid config key/);
  });
});

describe('tables and protobuf', () => {
  it('prints Ingress rows as printers.go does', () => {
    const o = ing({ ingressClassName: 'flatnet', rules: ['a', 'b', 'c', 'd'].map((h) => ({ host: `${h}.io` })), tls: [{}] }, { status: { loadBalancer: { ingress: [{ ip: '172.18.255.201' }, { hostname: 'lb.example.com' }, { ip: '172.18.255.200' }] } } });
    const t = table('ingresses', [o], '1', 'None') as { columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
    assert.deepEqual(t.columnDefinitions.map((c) => c.name), ['Name', 'Class', 'Hosts', 'Address', 'Ports', 'Age']);
    assert.deepEqual(t.rows[0]!.cells.slice(0, 5), ['i', 'flatnet', 'a.io,b.io,c.io + 1 more...', '172.18.255.200,172.18.255.201,lb.example.com', '80, 443']);
    const bare = table('ingresses', [ing({ defaultBackend: backend })], '1', 'None') as { rows: { cells: unknown[] }[] };
    assert.deepEqual(bare.rows[0]!.cells.slice(0, 5), ['i', '<none>', '*', '', '80']);
    const ic = table('ingressclasses', [{ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'c' }, spec: { controller: 'a.io/b', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'p' } } }], '1', 'None') as { rows: { cells: unknown[] }[] };
    assert.deepEqual(ic.rows[0]!.cells.slice(0, 3), ['c', 'a.io/b', 'IngressParameters.k8s.example.com/p']);
  });
  it('decodes a protobuf Secret (data as bytes)', () => {
    const enc = (num: number, payload: Buffer) => Buffer.concat([Buffer.from([(num << 3) | 2, payload.length]), payload]);
    const meta = enc(1, Buffer.from('s'));
    const entry = Buffer.concat([enc(1, Buffer.from('k')), enc(2, Buffer.from('hi'))]);
    const secret = Buffer.concat([enc(1, meta), enc(2, entry), enc(3, Buffer.from('Opaque'))]);
    const body = Buffer.concat([Buffer.from('k8s\0', 'binary'), enc(1, Buffer.concat([enc(1, Buffer.from('v1')), enc(2, Buffer.from('Secret'))])), enc(2, secret)]);
    assert.deepEqual(decodeProtobuf(body), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'aGk=' }, type: 'Opaque' });
  });
});

describe('unknown fields of the three kinds', () => {
  it('are refused under Strict, dropped with a warning under Warn, and metadata is left alone', () => {
    const o = ing({ defaultBackend: { ...backend, extra: true }, x: 1 }, { metadata: { name: 'i', namespace: 'default' }, top: 2 } as Partial<KObject>);
    assert.throws(() => admit('ingresses', o, new ObjectStore(), 'Strict'), /Ingress "i" is invalid: strict decoding error: unknown field "spec\.defaultBackend\.extra", unknown field "spec\.x", unknown field "top"/);
    const warnings: string[] = [];
    const kept = admit('ingresses', o, new ObjectStore(), 'Warn', (m) => warnings.push(m));
    assert.deepEqual(warnings, ['unknown field "spec.defaultBackend.extra"', 'unknown field "spec.x"', 'unknown field "top"']);
    assert.deepEqual(kept.spec, { defaultBackend: backend });
    assert.deepEqual(admit('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, data: { 'any.key': 'eA==' } }, new ObjectStore(), 'Strict').data, { 'any.key': 'eA==' });
  });
});

describe('the status subresource path', () => {
  it('is parsed where discovery lists it, and nowhere else', async () => {
    const { parseResourcePath } = await import('./server.ts');
    assert.deepEqual(parseResourcePath('/apis/networking.k8s.io/v1/namespaces/a/ingresses/x/status'), { resource: 'ingresses', group: 'networking.k8s.io', namespace: 'a', name: 'x', subresource: 'status' });
    assert.equal(parseResourcePath('/api/v1/namespaces/a/configmaps/x/status'), undefined);
    assert.equal(parseResourcePath('/apis/networking.k8s.io/v1/namespaces/a/ingresses/x/scale'), undefined);
    assert.deepEqual(parseResourcePath('/apis/networking.k8s.io/v1/ingressclasses/c'), { resource: 'ingressclasses', group: 'networking.k8s.io', namespace: undefined, name: 'c' });
  });
});
