import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildTable, certificateFor, hostMatches, route, type IngressWorld } from './routes.ts';

/** A Service per name with port 80 (named http) and one ready endpoint, 10.244.0.<i>:8080. */
function world(ingresses: IngressWorld['ingresses'], names: string[], secrets: IngressWorld['secrets'] = []): IngressWorld {
  return {
    ingresses,
    services: names.map((n) => ({ metadata: { name: n, namespace: 'shop' }, spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } })),
    endpoints: names.map((n, i) => ({ metadata: { name: n, namespace: 'shop' }, subsets: [{ addresses: [{ ip: `10.244.0.${i + 2}` }], ports: [{ name: 'http', port: 8080 }] }] })),
    secrets,
  };
}

const ing = (name: string, spec: Record<string, unknown>, created = '2026-11-26T10:00:00Z') => ({ metadata: { name, namespace: 'shop', creationTimestamp: created }, spec: { ingressClassName: 'flatnet', ...spec } });
const svc = (name: string, port: Record<string, unknown> = { number: 80 }) => ({ service: { name, port } });
const paths = (...ps: [string, string, string][]) => ({ rules: [{ http: { paths: ps.map(([path, pathType, to]) => ({ path, pathType, backend: svc(to) })) } }] });

describe('route: the Ingress path-matching table (kubernetes.io, tested by the conformance suite)', () => {
  // [case, rule paths (rule i sends to Service s<i>), request, the rule that must win (undefined: none)]
  const cases: [string, [string, string][], string, number | undefined][] = [
    ['Prefix /, all', [['/', 'Prefix']], '/anything/at/all', 0],
    ['Exact /foo, /foo', [['/foo', 'Exact']], '/foo', 0],
    ['Exact /foo, /bar', [['/foo', 'Exact']], '/bar', undefined],
    ['Exact /foo, /foo/', [['/foo', 'Exact']], '/foo/', undefined],
    ['Exact /foo/, /foo', [['/foo/', 'Exact']], '/foo', undefined],
    ['Prefix /foo, /foo', [['/foo', 'Prefix']], '/foo', 0],
    ['Prefix /foo, /foo/', [['/foo', 'Prefix']], '/foo/', 0],
    ['Prefix /foo/, /foo', [['/foo/', 'Prefix']], '/foo', 0],
    ['Prefix /aaa/bb, /aaa/bbb', [['/aaa/bb', 'Prefix']], '/aaa/bbb', undefined],
    ['Prefix /aaa/bbb/, /aaa/bbb (ignores the trailing slash)', [['/aaa/bbb/', 'Prefix']], '/aaa/bbb', 0],
    ['Prefix /aaa/bbb, /aaa/bbb/ccc (a subpath)', [['/aaa/bbb', 'Prefix']], '/aaa/bbb/ccc', 0],
    ['Prefix /aaa/bbb, /aaa/bbbxyz (not a string prefix)', [['/aaa/bbb', 'Prefix']], '/aaa/bbbxyz', undefined],
    ['Prefix / and /aaa, /aaa/ccc', [['/', 'Prefix'], ['/aaa', 'Prefix']], '/aaa/ccc', 1],
    ['Prefix /, /aaa, /aaa/bbb, /aaa/bbb', [['/', 'Prefix'], ['/aaa', 'Prefix'], ['/aaa/bbb', 'Prefix']], '/aaa/bbb', 2],
    ['Prefix /, /aaa, /aaa/bbb, /ccc', [['/', 'Prefix'], ['/aaa', 'Prefix'], ['/aaa/bbb', 'Prefix']], '/ccc', 0],
    ['Mixed: /foo Prefix and Exact, /foo prefers Exact', [['/foo', 'Prefix'], ['/foo', 'Exact']], '/foo', 1],
    ['ImplementationSpecific is Prefix here', [['/docs', 'ImplementationSpecific']], '/docs/intro', 0],
    ['the query string is not part of the path', [['/foo', 'Exact']], '/foo?x=1', 0],
  ];
  for (const [name, rules, request, want] of cases) {
    it(name, () => {
      const names = rules.map((_, i) => `s${i}`);
      const table = buildTable(world([ing('i', paths(...rules.map(([p, t], i) => [p, t, names[i]!] as [string, string, string])))], names));
      assert.equal(route(table, 'example.com', request)?.backend.name, want === undefined ? undefined : `shop/s${want}:80`);
    });
  }
});

describe('route: hosts', () => {
  const table = buildTable(
    world(
      [
        ing('i', {
          rules: [
            { host: 'foo.bar.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: svc('exact') }] } },
            { host: '*.bar.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: svc('wild') }] } },
            { http: { paths: [{ path: '/any', pathType: 'Prefix', backend: svc('any') }] } },
          ],
          defaultBackend: svc('fallback'),
        }),
      ],
      ['exact', 'wild', 'any', 'fallback'],
    ),
  );
  const cases: [string, string, string, string | undefined][] = [
    ['an exact host beats the wildcard', 'foo.bar.com', '/', 'exact'],
    ['hosts are case-insensitive', 'FOO.Bar.com', '/', 'exact'],
    ['a wildcard covers one label', 'baz.bar.com', '/', 'wild'],
    ['not two labels, and not the bare domain (→ rules with no host)', 'a.baz.bar.com', '/any', 'any'],
    ['the bare domain is not *.bar.com', 'bar.com', '/any', 'any'],
    ['a host with rules but no matching path gets the default backend', 'foo.bar.com.example', '/nothing', 'fallback'],
  ];
  for (const [name, host, path, want] of cases) it(name, () => assert.equal(route(table, host, path)?.backend.name.split('/')[1]?.split(':')[0], want));

  it('hostMatches: * is exactly one label', () => {
    assert.deepEqual([hostMatches('*.foo.com', 'bar.foo.com'), hostMatches('*.foo.com', 'baz.bar.foo.com'), hostMatches('*.foo.com', 'foo.com')], [true, false, false]);
  });
});

describe('buildTable', () => {
  it('resolves a backend port by name or number to ready endpoints', () => {
    const t = buildTable(world([ing('i', { defaultBackend: svc('web', { name: 'http' }) })], ['web']));
    assert.deepEqual(t.defaultBackend, { name: 'shop/web:http', endpoints: ['10.244.0.2:8080'] });
    const missing = buildTable(world([ing('i', { defaultBackend: svc('web', { number: 81 }) })], ['web']));
    assert.deepEqual(missing.defaultBackend?.endpoints, []);
  });

  it('serves only its own class, and the older Ingress keeps a host and path both claim', () => {
    const t = buildTable(
      world(
        [
          ing('newer', paths(['/', 'Prefix', 'b']), '2026-11-26T11:00:00Z'),
          ing('older', paths(['/', 'Prefix', 'a']), '2026-11-26T09:00:00Z'),
          { metadata: { name: 'nginx', namespace: 'shop' }, spec: { ingressClassName: 'nginx', ...paths(['/x', 'Prefix', 'a']) } },
        ],
        ['a', 'b'],
      ),
    );
    assert.equal(route(t, 'h', '/')?.by, 'shop/older: host *, Prefix /');
    assert.equal(route(t, 'h', '/x')?.backend.name, 'shop/a:80'); // from `older`'s /, not nginx's /x
    assert.equal(t.servers[0]!.paths.length, 1);
  });

  it('takes certificates from kubernetes.io/tls Secrets; SNI picks exact, then wildcard, then the first', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const secret = (name: string, cn: string) => ({ metadata: { name, namespace: 'shop' }, type: 'kubernetes.io/tls', data: { 'tls.crt': b64(`CERT ${cn}`), 'tls.key': b64(`KEY ${cn}`) } });
    const t = buildTable(
      world(
        [ing('i', { tls: [{ hosts: ['foo.bar.com'], secretName: 'foo' }, { hosts: ['*.bar.com'], secretName: 'wild' }, { hosts: ['gone.com'], secretName: 'missing' }], ...paths(['/', 'Prefix', 'web']) })],
        ['web'],
        [secret('foo', 'foo'), secret('wild', 'wild')],
      ),
    );
    assert.deepEqual(t.certificates.map((c) => [c.secret, c.cert]), [['shop/foo', 'CERT foo'], ['shop/wild', 'CERT wild']]);
    assert.deepEqual(['foo.bar.com', 'x.bar.com', 'other.org', undefined].map((n) => certificateFor(t, n)?.secret), ['shop/foo', 'shop/wild', 'shop/foo', 'shop/foo']);
  });
});
