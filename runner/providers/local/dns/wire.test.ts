import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as dnsPacket from 'dns-packet';
import type { Answer, Packet } from 'dns-packet';
import { answer } from './answer.ts';
import type { DnsRecords } from './records.ts';
import { fixture, query, show } from './testdata/show.ts';
import { encode } from './wire.ts';

/** A headless Service with `n` ready endpoints: the reply that stops fitting. */
function crowd(n: number): DnsRecords {
  const endpoints = Array.from({ length: n }, (_, i) => ({ ip: `10.244.${Math.floor(i / 250)}.${(i % 250) + 1}`, hostname: `pod-${i}`, ready: true }));
  return { domain: 'cluster.local', services: [{ namespace: 'lab', name: 'many', type: 'ClusterIP', clusterIPs: ['None'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }], endpoints }], pods: [] };
}

const OPT: Answer = { type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] };

describe('wire encode', () => {
  const roundTrips: Array<{ name: string; reply: Packet }> = [
    { name: 'A with a CNAME chain', reply: answer(query('A', 'alias.lab.svc.cluster.local'), fixture()) },
    { name: 'AAAA', reply: answer(query('AAAA', 'db.lab.svc.cluster.local'), fixture()) },
    { name: 'SRV with additional A and AAAA', reply: answer(query('SRV', '_pg._tcp.db.lab.svc.cluster.local'), fixture()) },
    { name: 'PTR in ip6.arpa', reply: answer(query('PTR', 'e.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa'), fixture()) },
    { name: 'NXDOMAIN with SOA', reply: answer(query('A', 'nope.lab.svc.cluster.local'), fixture()) },
    { name: 'NS with glue', reply: answer(query('NS', 'cluster.local'), fixture()) },
    { name: 'TXT', reply: answer(query('TXT', 'dns-version.cluster.local'), fixture()) },
    { name: 'OPT with DO', reply: answer(query('A', 'web.lab.svc.cluster.local', { additionals: [{ ...OPT, flags: 0x8000 }] }), fixture()) },
    { name: 'an unknown type and class in the question', reply: { id: 9, type: 'response', flags: 5, questions: [{ type: 'UNKNOWN_65' as 'A', name: 'x.example', class: 'CH' }] } },
  ];
  for (const c of roundTrips) {
    it(`round-trips through dns-packet's decoder, smaller than its encoder: ${c.name}`, () => {
      const bytes = encode(c.reply);
      const back = dnsPacket.decode(bytes);
      assert.equal(back.id, c.reply.id);
      assert.equal(back.flags, c.reply.flags);
      assert.deepEqual(back.questions, c.reply.questions);
      for (const section of ['answers', 'authorities', 'additionals'] as const) {
        assert.deepEqual((back[section] ?? []).map(show), (c.reply[section] ?? []).map(show), section);
      }
      assert.ok(bytes.length <= dnsPacket.encode(c.reply).length);
    });
  }

  const limits: Array<{ name: string; endpoints: number; opt?: Answer; limit: number; truncated: boolean; atLeast: number }> = [
    { name: '29 addresses fit 512 bytes, as with CoreDNS', endpoints: 29, limit: 512, truncated: false, atLeast: 29 },
    { name: '30 do not', endpoints: 30, limit: 512, truncated: true, atLeast: 29 },
    { name: '100 addresses do not fit 512 bytes', endpoints: 100, limit: 512, truncated: true, atLeast: 29 },
    { name: 'an EDNS0 buffer of 1232 takes more, and the OPT is kept', endpoints: 100, opt: OPT, limit: 1232, truncated: true, atLeast: 70 },
    { name: '100 addresses fit a TCP message', endpoints: 100, limit: 65535, truncated: false, atLeast: 100 },
    { name: 'a limit below 512 counts as 512 (RFC 6891)', endpoints: 100, limit: 100, truncated: true, atLeast: 29 },
  ];
  for (const c of limits) {
    it(`truncates whole records and sets TC: ${c.name}`, () => {
      const reply = answer(query('A', 'many.lab.svc.cluster.local', c.opt ? { additionals: [c.opt] } : {}), crowd(c.endpoints));
      const bytes = encode(reply, c.limit);
      const back = dnsPacket.decode(bytes);
      assert.ok(bytes.length <= Math.max(512, c.limit), `${bytes.length} bytes`);
      assert.equal(back.flag_tc, c.truncated);
      assert.ok((back.answers ?? []).length >= c.atLeast, `${back.answers?.length} answers`);
      // As many as fit: one more would not have.
      if (c.truncated) assert.ok(encode({ ...reply, answers: reply.answers?.slice(0, (back.answers ?? []).length + 1) }).length > Math.max(512, c.limit));
      assert.equal((back.additionals ?? []).filter((a) => a.type === 'OPT').length, c.opt ? 1 : 0);
    });
  }

  it('sets TC when only additional records are left out', () => {
    // SRV targets are never compressed (RFC 2782), so 8 records nearly fill 512 bytes.
    const reply = answer(query('SRV', '_http._tcp.many.lab.svc.cluster.local'), crowd(8));
    const back = dnsPacket.decode(encode(reply, 512));
    assert.equal(back.answers?.length, 8);
    assert.ok((back.additionals ?? []).length < 8);
    assert.equal(back.flag_tc, true);
  });

  const invalid: Array<{ name: string; reply: Packet }> = [
    { name: 'a label over 63 bytes', reply: { questions: [{ type: 'A', name: `${'a'.repeat(64)}.example` }] } },
    { name: 'an A record holding an IPv6 address', reply: { answers: [{ type: 'A', name: 'x', data: '::1' }] } },
    { name: 'a type it has no encoder for', reply: { answers: [{ type: 'MX', name: 'x', data: { exchange: 'y' } }] } },
  ];
  for (const c of invalid) {
    it(`throws rather than write a broken message: ${c.name}`, () => assert.throws(() => encode(c.reply)));
  }
});
