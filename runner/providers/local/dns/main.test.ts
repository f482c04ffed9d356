import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dnsPacket from 'dns-packet';
import type { DnsRecords } from './records.ts';
import { dataOf, query } from './testdata/show.ts';

const main = new URL('./main.ts', import.meta.url).pathname;
const fixture = JSON.parse(readFileSync(new URL('./testdata/records.json', import.meta.url), 'utf8')) as DnsRecords;

function ask(port: number, name: string): Promise<string[]> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (socket.close(), reject(new Error('no reply'))), 2000);
    socket.on('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      resolve((dnsPacket.decode(msg).answers ?? []).map(dataOf));
    });
    socket.send(dnsPacket.encode(query('A', name)), port, '127.0.0.1');
  });
}

async function eventually(what: string, check: () => Promise<boolean>) {
  for (const end = Date.now() + 5000; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    if (await check().catch(() => false)) return;
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('main.ts, the process in the coredns pod', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flatnet-dns-main-'));
  const file = join(dir, 'records.json');
  let child: ChildProcess;
  let out = '';
  let port = 0;

  before(async () => {
    writeFileSync(file, JSON.stringify(fixture));
    child = spawn(process.execPath, [main, '--records', file, '--host', '127.0.0.1', '--port', '0']);
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    await eventually('the serving line', async () => /serving on 127\.0\.0\.1:(\d+)/.test(out));
    port = Number(/serving on 127\.0\.0\.1:(\d+)/.exec(out)![1]);
  });
  after(() => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs what it loaded and where it serves', () => {
    assert.match(out, /^flatnet-dns: loaded .*records\.json: 8 services, 3 pods in cluster\.local$/m);
    assert.match(out, /^flatnet-dns: serving on 127\.0\.0\.1:\d+ \(udp, tcp\)$/m);
  });

  it('answers from the file', async () => {
    assert.deepEqual(await ask(port, 'web.lab.svc.cluster.local'), ['10.96.1.10']);
  });

  it('reloads when the daemon replaces the file, and shrugs off a half-written one', async () => {
    const moved = { ...fixture, services: fixture.services.map((s) => (s.name === 'web' ? { ...s, clusterIPs: ['10.96.5.5'] } : s)) };
    writeFileSync(`${file}.tmp`, JSON.stringify(moved));
    renameSync(`${file}.tmp`, file);
    await eventually('the new address', async () => (await ask(port, 'web.lab.svc.cluster.local'))[0] === '10.96.5.5');
    writeFileSync(file, JSON.stringify(fixture).slice(0, 100));
    await eventually('the complaint', async () => /keeping the last good records/.test(out));
    assert.deepEqual(await ask(port, 'web.lab.svc.cluster.local'), ['10.96.5.5']);
  });

  it('idles in a modest amount of memory (printed, not asserted: it depends on the machine)', async (t) => {
    await new Promise((r) => setTimeout(r, 1500));
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
    t.diagnostic(`idle RSS of the DNS server: ${Math.round(Number(rss) / 1024)} MB`);
    assert.ok(Number(rss) > 0);
  });

  it('exits 0 on SIGTERM', async () => {
    const code = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await code, 0);
  });

  const usage: Array<{ name: string; args: string[]; error: RegExp }> = [
    { name: 'no --records', args: [], error: /--records FILE is required/ },
    { name: 'a bad port', args: ['--records', 'x', '--port', '70000'], error: /--port must be 0-65535, not "70000"/ },
    { name: 'an unknown option', args: ['--records', 'x', '--verbose'], error: /Unknown option '--verbose'/ },
  ];
  for (const c of usage) {
    it(`exits 2 with the usage on ${c.name}`, () => {
      const r = spawnSync(process.execPath, [main, ...c.args], { encoding: 'utf8' });
      assert.equal(r.status, 2);
      assert.match(r.stderr, c.error);
      assert.match(r.stderr, /usage: node runner\/providers\/local\/dns\/main\.ts --records FILE/);
    });
  }
});
