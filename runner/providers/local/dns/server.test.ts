import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import * as dnsPacket from 'dns-packet';
import type { DecodedPacket, Packet } from 'dns-packet';
import type { DnsRecords } from './records.ts';
import { startDnsServer, type DnsServer } from './server.ts';
import { dataOf, fixture, query, rcodeOf } from './testdata/show.ts';

const DIG = '/usr/bin/dig';
const HOST = '127.0.0.1';

/** The fixture plus a headless Service too big for a 512-byte (or 1232-byte) UDP reply. */
function withCrowd(r: DnsRecords): DnsRecords {
  const endpoints = Array.from({ length: 100 }, (_, i) => ({ ip: `10.244.7.${i + 1}`, hostname: `m-${i}`, ready: true }));
  return { ...r, services: [...r.services, { namespace: 'lab', name: 'many', type: 'ClusterIP', clusterIPs: ['None'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }], endpoints }] };
}

/** One message over UDP; undefined when no reply comes within `ms`. */
function udp(port: number, msg: Buffer, ms = 1000): Promise<Buffer | undefined> {
  const socket = createSocket('udp4');
  return new Promise((resolve) => {
    const done = (reply?: Buffer) => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    const timer = setTimeout(() => done(), ms);
    socket.on('message', (reply) => done(reply));
    socket.send(msg, port, HOST);
  });
}

const udpQuery = async (port: number, q: Packet) => dnsPacket.decode((await udp(port, dnsPacket.encode(q)))!);

/** Writes `chunks` on one TCP connection and reads `expect` length-prefixed replies. */
function tcp(port: number, chunks: Buffer[], expect: number): Promise<DecodedPacket[]> {
  return new Promise((resolve, reject) => {
    const conn = connect(port, HOST);
    let got = Buffer.alloc(0);
    const replies: DecodedPacket[] = [];
    conn.on('error', reject);
    conn.on('data', (chunk) => {
      got = Buffer.concat([got, chunk]);
      while (got.length >= 2 && got.length >= 2 + got.readUInt16BE(0)) {
        replies.push(dnsPacket.decode(got.subarray(2, 2 + got.readUInt16BE(0))));
        got = got.subarray(2 + got.readUInt16BE(0));
      }
      if (replies.length === expect) {
        conn.end();
        resolve(replies);
      }
    });
    if (expect === 0) conn.on('close', () => resolve(replies));
    void (async () => {
      for (const c of chunks) {
        conn.write(c);
        await new Promise((r) => setTimeout(r, 5));
      }
      if (expect === 0) conn.end();
    })();
  });
}

const framed = (q: Packet) => dnsPacket.streamEncode(q);
const tcpQuery = async (port: number, q: Packet) => (await tcp(port, [framed(q)], 1))[0]!;

describe('DNS server on 127.0.0.1', () => {
  let server: DnsServer;
  let records = withCrowd(fixture());

  before(async () => {
    server = await startDnsServer({ host: HOST, port: 0, records: () => records });
  });
  after(() => server.close());

  it('binds UDP and TCP to the same random port', () => {
    assert.ok(server.port > 1024);
  });

  const both = [
    ['UDP', udpQuery],
    ['TCP', tcpQuery],
  ] as const;
  for (const [transport, ask] of both) {
    it(`answers over ${transport}`, async () => {
      const reply = await ask(server.port, query('A', 'web.lab.svc.cluster.local'));
      assert.equal(reply.id, 4242);
      assert.deepEqual([rcodeOf(reply), reply.flag_aa, reply.flag_ra, reply.flag_tc], ['NOERROR', true, false, false]);
      assert.deepEqual(reply.answers?.map(dataOf), ['10.96.1.10']);
    });
  }

  it('truncates a big UDP answer with TC, and gives all of it over TCP', async () => {
    const overUdp = await udpQuery(server.port, query('A', 'many.lab.svc.cluster.local'));
    assert.equal(overUdp.flag_tc, true);
    assert.equal(overUdp.answers?.length, 29);
    const overTcp = await tcpQuery(server.port, query('A', 'many.lab.svc.cluster.local'));
    assert.equal(overTcp.flag_tc, false);
    assert.equal(new Set(overTcp.answers?.map(dataOf)).size, 100);
  });

  it('shuffles addresses like kind\'s `loadbalance`', async () => {
    const orders = new Set<string>();
    for (let i = 0; i < 10; i++) orders.add(JSON.stringify((await tcpQuery(server.port, query('A', 'many.lab.svc.cluster.local'))).answers?.map(dataOf)));
    assert.ok(orders.size > 1);
  });

  it('takes several queries on one TCP connection, in pieces', async () => {
    const bytes = Buffer.concat([framed({ ...query('A', 'web.lab.svc.cluster.local'), id: 1 }), framed({ ...query('A', 'nope.lab.svc.cluster.local'), id: 2 }), framed({ ...query('SRV', '_pg._tcp.db.lab.svc.cluster.local'), id: 3 })]);
    const pieces = [bytes.subarray(0, 1), bytes.subarray(1, 30), bytes.subarray(30)];
    const replies = await tcp(server.port, pieces, 3);
    assert.deepEqual(replies.map((r) => [r.id, rcodeOf(r), r.answers?.length]), [[1, 'NOERROR', 1], [2, 'NXDOMAIN', 0], [3, 'NOERROR', 3]]);
  });

  it('answers from the snapshot of the moment', async () => {
    const before = records;
    records = { ...records, services: records.services.map((s) => (s.name === 'web' ? { ...s, clusterIPs: ['10.96.9.9'] } : s)) };
    try {
      assert.deepEqual((await udpQuery(server.port, query('A', 'web.lab.svc.cluster.local'))).answers?.map(dataOf), ['10.96.9.9']);
    } finally {
      records = before;
    }
  });

  it('survives garbage over UDP and TCP, and keeps answering', async () => {
    const garbage = [Buffer.from('hello'), Buffer.alloc(0), Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) % 256)), Buffer.from([0, 1, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0])];
    for (const g of garbage) await udp(server.port, g, 100);
    // A header that parses and a body that does not: FORMERR, not silence.
    const formerr = await udp(server.port, Buffer.from([0xab, 0xcd, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c]));
    assert.equal(rcodeOf(dnsPacket.decode(formerr!)), 'FORMERR');
    const lengths = garbage.map((g) => Buffer.concat([Buffer.from([g.length >> 8, g.length & 0xff]), g]));
    await tcp(server.port, [...lengths, Buffer.from([0xff, 0xff, 1, 2, 3])], 0); // the last frame never completes
    await tcp(server.port, [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')], 0);
    assert.equal(rcodeOf(await udpQuery(server.port, query('A', 'web.lab.svc.cluster.local'))), 'NOERROR');
    assert.equal(rcodeOf(await tcpQuery(server.port, query('A', 'web.lab.svc.cluster.local'))), 'NOERROR');
  });

  describe('with the real dig', () => {
    const run = promisify(execFile);
    // dig waits on the server, so it must not block this process's event loop: execFile, not spawnSync.
    const dig = async (...args: string[]) => (await run(DIG, [`@${HOST}`, '-p', String(server.port), '+time=2', '+tries=1', ...args])).stdout;
    const skip = existsSync(DIG) ? false : `${DIG} is not installed (Debian package dnsutils)`;
    if (skip) console.log(`# skipping the dig tests: ${skip}`);

    const cases: Array<{ name: string; args: string[]; want: RegExp[] }> = [
      { name: 'A, +short', args: ['+short', 'web.lab.svc.cluster.local'], want: [/^10\.96\.1\.10$/m] },
      { name: 'flags as CoreDNS sets them', args: ['web.lab.svc.cluster.local'], want: [/flags: qr aa rd;/, /WARNING: recursion requested but not available/, /^web\.lab\.svc\.cluster\.local\.\s+5\s+IN\s+A\s+10\.96\.1\.10$/m] },
      { name: 'NXDOMAIN with the SOA', args: ['nope.lab.svc.cluster.local'], want: [/status: NXDOMAIN/, /^cluster\.local\.\s+5\s+IN\s+SOA\s+ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 5$/m] },
      { name: 'outside the cluster: NXDOMAIN at once', args: ['google.com'], want: [/status: NXDOMAIN/, /flags: qr rd ra;/] },
      { name: 'SRV over TCP', args: ['+tcp', 'SRV', '_pg._tcp.db.lab.svc.cluster.local'], want: [/SRV\s+0 33 5432 db-0\.db\.lab\.svc\.cluster\.local\./, /^db-1\.db\.lab\.svc\.cluster\.local\.\s+5\s+IN\s+A\s+10\.244\.2\.2$/m] },
      { name: 'PTR with -x', args: ['+short', '-x', '10.96.1.10'], want: [/^web\.lab\.svc\.cluster\.local\.$/m] },
      { name: 'PTR with -x, IPv6', args: ['+short', '-x', 'fd00:10:96::1e'], want: [/^dual\.lab\.svc\.cluster\.local\.$/m] },
      { name: 'a truncated UDP answer as it arrives', args: ['+ignore', '+noedns', 'many.lab.svc.cluster.local'], want: [/flags: qr aa tc rd;/, /ANSWER: 29,/] },
      { name: 'a truncated answer: dig retries over TCP and gets all 100', args: ['many.lab.svc.cluster.local'], want: [/Truncated, retrying in TCP mode/, /ANSWER: 100,/] },
    ];
    for (const c of cases) {
      it(c.name, { skip }, async () => {
        const out = await dig(...c.args);
        for (const re of c.want) assert.match(out, re);
      });
    }
  });
});
