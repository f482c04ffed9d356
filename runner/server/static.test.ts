import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveStatic } from './static.ts';

describe('serveStatic', () => {
  const root = mkdtempSync(join(tmpdir(), 'flatnet-site-'));
  let server: Server;
  let base = '';
  before(async () => {
    mkdirSync(join(root, 'site', 'chapters', 'netpol'), { recursive: true });
    mkdirSync(join(root, 'site', '_astro'));
    writeFileSync(join(root, 'site', 'index.html'), '<h1>home</h1>');
    writeFileSync(join(root, 'site', 'chapters', 'netpol', 'index.html'), '<h1>netpol</h1>');
    writeFileSync(join(root, 'site', 'about.html'), '<h1>about</h1>');
    writeFileSync(join(root, 'site', '_astro', 'app.1a2b.js'), 'console.log(1)');
    writeFileSync(join(root, 'secret.txt'), 'not for the web');
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (!serveStatic(join(root, 'site'), req, res, path)) res.writeHead(404).end('404');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => server.close());

  const cases: { path: string; status: number; body?: string; type?: RegExp; cache?: RegExp }[] = [
    { path: '/', status: 200, body: '<h1>home</h1>', type: /^text\/html/, cache: /no-cache/ },
    { path: '/chapters/netpol', status: 200, body: '<h1>netpol</h1>' },
    { path: '/chapters/netpol/', status: 200, body: '<h1>netpol</h1>' },
    { path: '/about', status: 200, body: '<h1>about</h1>' },
    { path: '/_astro/app.1a2b.js', status: 200, type: /^text\/javascript/, cache: /immutable/ },
    { path: '/missing', status: 404 },
    { path: '/../secret.txt', status: 404 },
    { path: '/%2e%2e/secret.txt', status: 404 },
    { path: '/..%2fsecret.txt', status: 404 },
    { path: '/%00', status: 404 },
  ];
  for (const c of cases) {
    it(`${c.path} → ${c.status}`, async () => {
      // fetch() would normalise the dots away: send the path as written.
      const r = await new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: new URL(base).port, path: c.path }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(r.status, c.status);
      if (c.body) assert.equal(r.body, c.body);
      if (c.type) assert.match(String(r.headers['content-type']), c.type);
      if (c.cache) assert.match(String(r.headers['cache-control']), c.cache);
      assert.doesNotMatch(r.body, /not for the web/);
    });
  }
});
