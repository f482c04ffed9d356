/**
 * The ingress proxy on 127.0.0.1 with real upstream servers and real TLS (certificates made by
 * openssl): requests routed by host and path, Host kept and X-Forwarded-For added, 404 without
 * a rule, 503 without an endpoint, the certificate chosen by SNI, and a new table taking over;
 * HTTPRoute rules: a weighted split, a rule served over HTTPS only, 500 for an unresolved backend.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { buildTable, type GatewayRule, type IngressWorld } from '../../../../checkers/ingress/routes.ts';
import { parseAccessLine } from './access-log.ts';
import { startIngressProxy, type IngressProxy } from './server.ts';

/** The log line is written when the response finishes, which may be just after the client has it. */
async function until<T>(fn: () => T | undefined): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('no access-log line');
}

const skip = spawnSync('openssl', ['version']).status === 0 ? undefined : 'openssl is not installed (apt-get install openssl)';
if (skip) console.log(`# skipped: ${skip}`);

/** A self-signed certificate for `cn` (and its SAN), PEM, base64 as a Secret holds it. */
function selfSigned(dir: string, cn: string): { 'tls.crt': string; 'tls.key': string } {
  const [crt, key] = [join(dir, `${cn}.crt`), join(dir, `${cn}.key`)];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${cn}`, '-addext', `subjectAltName=DNS:${cn}`, '-keyout', key, '-out', crt], { stdio: 'ignore' });
  return { 'tls.crt': readFileSync(crt).toString('base64'), 'tls.key': readFileSync(key).toString('base64') };
}

function get(url: string, host: string, servername?: string): Promise<{ status: number; body: string; cn?: string }> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, headers: { host }, ...(servername ? { servername, rejectUnauthorized: false } : {}) }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        const cn = u.protocol === 'https:' ? String((res.socket as TLSSocket).getPeerCertificate?.().subject?.CN ?? '') : undefined;
        resolve({ status: res.statusCode!, body, ...(cn !== undefined ? { cn } : {}) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the ingress proxy', { skip, timeout: 30_000 }, () => {
  const upstreams: Server[] = [];
  let proxy: IngressProxy;
  let world: IngressWorld;
  const ports: Record<string, number> = {};
  let http = '';
  let https = '';
  const lines: string[] = [];

  before(async () => {
    // Two "pods": each answers with its name, the path, the Host it got and X-Forwarded-For.
    for (const name of ['shop', 'api']) {
      const s = createServer((req, res) => res.end(`${name} ${req.url} host=${req.headers.host} xff=${req.headers['x-forwarded-for']}`));
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      ports[name] = (s.address() as AddressInfo).port;
      upstreams.push(s);
    }
    const dir = mkdtempSync(join(tmpdir(), 'flatnet-ingress-'));
    const svc = (name: string) => ({ metadata: { name, namespace: 'web' }, spec: { ports: [{ name: 'http', port: 80 }] } });
    const eps = (name: string, port?: number) => ({ metadata: { name, namespace: 'web' }, subsets: port ? [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'http', port }] }] : [] });
    world = {
      ingresses: [
        {
          metadata: { name: 'site', namespace: 'web' },
          spec: {
            ingressClassName: 'flatnet',
            tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }, { hosts: ['*.api.example.com'], secretName: 'api-tls' }],
            rules: [
              { host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'shop', port: { number: 80 } } } }, { path: '/api', pathType: 'Prefix', backend: { service: { name: 'api', port: { name: 'http' } } } }] } },
              { host: '*.api.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'api', port: { number: 80 } } } }] } },
              { host: 'down.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'down', port: { number: 80 } } } }] } },
            ],
          },
        },
      ],
      services: [svc('shop'), svc('api'), svc('down')],
      endpoints: [eps('shop', ports.shop), eps('api', ports.api), eps('down')],
      secrets: [
        { metadata: { name: 'shop-tls', namespace: 'web' }, type: 'kubernetes.io/tls', data: selfSigned(dir, 'shop.example.com') },
        { metadata: { name: 'api-tls', namespace: 'web' }, type: 'kubernetes.io/tls', data: selfSigned(dir, '*.api.example.com') },
      ],
    };
    proxy = await startIngressProxy(buildTable(world), { host: '127.0.0.1', httpPort: 0, httpsPort: 0, access: (l) => lines.push(l) });
    http = `http://127.0.0.1:${(proxy.http.address() as AddressInfo).port}`;
    https = `https://127.0.0.1:${(proxy.https.address() as AddressInfo).port}`;
  });
  after(async () => {
    await proxy?.close();
    for (const s of upstreams) s.close();
  });

  it('routes by host and path, keeping the Host and adding X-Forwarded-For', async () => {
    assert.equal((await get(`${http}/cart`, 'shop.example.com')).body, 'shop /cart host=shop.example.com xff=127.0.0.1');
    assert.equal((await get(`${http}/api/v1/items`, 'shop.example.com')).body, 'api /api/v1/items host=shop.example.com xff=127.0.0.1');
    assert.match((await get(`${http}/`, 'eu.api.example.com')).body, /^api \/ host=eu\.api\.example\.com/);
  });

  it('answers 404 for a host no rule covers, and 503 for a backend without endpoints', async () => {
    assert.equal((await get(`${http}/`, 'nobody.example.com')).status, 404);
    assert.equal((await get(`${http}/`, 'down.example.com')).status, 503);
  });

  it('terminates TLS with the certificate SNI asks for: exact, then wildcard', async () => {
    const shop = await get(`${https}/`, 'shop.example.com', 'shop.example.com');
    assert.deepEqual([shop.status, shop.cn, shop.body.split(' ')[0]], [200, 'shop.example.com', 'shop']);
    const api = await get(`${https}/`, 'eu.api.example.com', 'eu.api.example.com');
    assert.deepEqual([api.status, api.cn, api.body.split(' ')[0]], [200, '*.api.example.com', 'api']);
  });

  it('logs each request as ingress-nginx does: the upstream Service, the pod that answered, the request id', async () => {
    const cases = [
      { host: 'shop.example.com', path: '/api/x', want: { status: 200, upstream: 'web-api-http', addr: `127.0.0.1:${ports.api}`, upstreamStatus: 200 } },
      { host: 'shop.example.com', path: '/cart', want: { status: 200, upstream: 'web-shop-80', addr: `127.0.0.1:${ports.shop}`, upstreamStatus: 200 } },
      { host: 'nobody.example.com', path: '/', want: { status: 404, upstream: 'upstream-default-backend', addr: undefined, upstreamStatus: undefined } },
      { host: 'down.example.com', path: '/', want: { status: 503, upstream: 'web-down-80', addr: undefined, upstreamStatus: undefined } },
    ];
    for (const [i, c] of cases.entries()) {
      const id = `check-${i}-${process.pid}`;
      await new Promise<void>((resolve, reject) =>
        httpRequest(`${http}${c.path}`, { headers: { host: c.host, 'x-request-id': id } }, (res) => res.resume().on('end', resolve)).on('error', reject).end(),
      );
      const line = await until(() => lines.find((l) => l.endsWith(` ${id}`)));
      assert.match(line, new RegExp(`^127\\.0\\.0\\.1 - - \\[\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} \\+0000\\] "GET ${c.path} HTTP/1\\.1" ${c.want.status} `));
      assert.deepEqual(parseAccessLine(line), { ...c.want, id });
    }
  });

  it('serves HTTPRoute rules: a weighted split, HTTPS-only rules, 500 for a backend that does not resolve', async () => {
    const b = (name: string) => ({ name: `web/${name}:80`, endpoints: [`127.0.0.1:${ports[name]}`] });
    const rule = (r: Partial<GatewayRule>): GatewayRule => ({ hostnames: ['gw.example.com'], scheme: 'http', path: '/', pathType: 'Prefix', backend: b('shop'), route: 'web/r', order: 0, ...r });
    proxy.update({
      ...buildTable(world),
      httpRoutes: [
        rule({ path: '/split', backend: { name: 'web/r rules[0]', endpoints: [], split: [{ backend: b('shop'), weight: 3 }, { backend: b('api'), weight: 1 }] } }),
        rule({ path: '/secure', scheme: 'https', backend: b('api'), order: 1 }),
        rule({ path: '/gone', backend: { name: 'web/gone:80', endpoints: [], invalid: 'BackendNotFound' }, order: 2 }),
      ],
    });
    const seen: Record<string, number> = {};
    for (let i = 0; i < 80; i++) {
      const who = (await get(`${http}/split`, 'gw.example.com')).body.split(' ')[0]!;
      seen[who] = (seen[who] ?? 0) + 1;
    }
    assert.ok((seen.shop ?? 0) > (seen.api ?? 0) && (seen.api ?? 0) > 0, JSON.stringify(seen));
    assert.match((await get(`${https}/secure`, 'gw.example.com', 'gw.example.com')).body, /^api /);
    // The rule is on an HTTPS listener only: over plain HTTP nothing matches.
    assert.equal((await get(`${http}/secure`, 'gw.example.com')).status, 404);
    assert.equal((await get(`${http}/gone`, 'gw.example.com')).status, 500);
    proxy.update(buildTable(world));
  });

  it('serves a new table from the next request on', async () => {
    const swapped = structuredClone(world);
    const rules = (swapped.ingresses[0]!.spec as { rules: { http: { paths: { backend: { service: { name: string } } }[] } }[] }).rules;
    rules[0]!.http.paths[0]!.backend.service.name = 'api';
    proxy.update(buildTable(swapped));
    assert.match((await get(`${http}/cart`, 'shop.example.com')).body, /^api \/cart /);
  });
});
