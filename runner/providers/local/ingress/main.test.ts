/**
 * The controller process as its pods run it: started with a table file, it serves what the
 * file says, takes a rewritten file (tmp + rename, as the daemon writes it) from the next
 * request on, and keeps its last good table when the file is torn.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IngressTable } from '../../../../checkers/ingress/routes.ts';

const MAIN = new URL('./main.ts', import.meta.url).pathname;

describe('flatnet-ingress (main.ts)', { timeout: 30_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'flatnet-ingress-main-'));
  const file = join(dir, 'table.json');
  const upstreams: Server[] = [];
  const ports: number[] = [];
  let child: ChildProcess;
  let out = '';
  let url = '';
  const write = (text: string) => {
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  };
  const table = (to: number): IngressTable => ({ servers: [{ host: 'shop.example.com', paths: [{ path: '/', pathType: 'Prefix', backend: { name: 'web/shop:80', endpoints: [`127.0.0.1:${ports[to]}`] }, ingress: 'web/site' }] }], certificates: [] });
  // node:http, not fetch: fetch does not let a request set its own Host header.
  const get = () =>
    new Promise<string>((resolve, reject) => {
      const u = new URL(url);
      request({ host: u.hostname, port: u.port, path: '/', headers: { host: 'shop.example.com' } }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(body));
      })
        .on('error', reject)
        .end();
    });
  const until = async (what: string, fn: () => Promise<boolean> | boolean) => {
    for (let i = 0; i < 100; i++) if (await fn()) return;
    else await new Promise((r) => setTimeout(r, 50));
    assert.fail(`timed out waiting for ${what}`);
  };

  before(async () => {
    for (const name of ['one', 'two']) {
      const s = createServer((_req, res) => res.end(name));
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      ports.push((s.address() as AddressInfo).port);
      upstreams.push(s);
    }
    write(JSON.stringify(table(0)));
    child = spawn(process.execPath, [MAIN, '--table', file, '--host', '127.0.0.1', '--http-port', '0', '--https-port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    await until('serving', () => /serving on 127\.0\.0\.1:\d+ \(http\)/.test(out));
    url = `http://127.0.0.1:${/serving on 127\.0\.0\.1:(\d+) \(http\)/.exec(out)![1]}`;
  });
  after(() => {
    child?.kill('SIGTERM');
    for (const s of upstreams) s.close();
  });

  it('serves the table it started with, and logs it', async () => {
    assert.equal(await get(), 'one');
    assert.match(out, /loaded .*table\.json: 1 hosts, 0 certificates/);
  });

  it('takes a rewritten table, and keeps the last good one when the file is torn', async () => {
    write(JSON.stringify(table(1)));
    await until('the new table', async () => (await get()) === 'two');
    write('{"servers": [');
    await until('the torn file reported', () => /keeping the last good table/.test(out));
    assert.equal(await get(), 'two');
  });
});
