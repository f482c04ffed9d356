import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as dnsPacket from 'dns-packet';
import { respond, type Transport } from './respond.ts';
import { fixture, query, rcodeOf } from './testdata/show.ts';

const records = fixture();
const valid = dnsPacket.encode(query('A', 'web.lab.svc.cluster.local'));
/** `valid` with bytes overwritten at `at`. */
const patched = (at: number, bytes: number[]) => {
  const b = Buffer.from(valid);
  Buffer.from(bytes).copy(b, at);
  return b;
};

describe('respond', () => {
  const cases: Array<{ name: string; msg: Buffer; transport?: Transport; reply: 'none' | string; questions?: number }> = [
    { name: 'a query gets its answer', msg: valid, reply: 'NOERROR', questions: 1 },
    { name: 'fewer than 12 bytes are dropped', msg: Buffer.from([1, 2, 3]), reply: 'none' },
    { name: 'an empty message is dropped', msg: Buffer.alloc(0), reply: 'none' },
    { name: 'a response is never answered', msg: patched(2, [0x81, 0x00]), reply: 'none' },
    { name: 'opcode STATUS gets NOTIMP, header only', msg: patched(2, [0x11, 0x00]), reply: 'NOTIMP', questions: 0 },
    { name: 'no question gets FORMERR', msg: patched(4, [0, 0]), reply: 'FORMERR', questions: 0 },
    { name: 'two questions get FORMERR', msg: patched(4, [0, 2]), reply: 'FORMERR', questions: 0 },
    { name: 'a body cut short gets FORMERR', msg: valid.subarray(0, 20), reply: 'FORMERR', questions: 0 },
    { name: 'a compression pointer loop gets FORMERR', msg: Buffer.concat([valid.subarray(0, 12), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]), reply: 'FORMERR', questions: 0 },
    { name: 'a header-sized message with a question count gets FORMERR', msg: valid.subarray(0, 12), reply: 'FORMERR', questions: 0 },
    { name: 'over TCP as over UDP', msg: valid, transport: 'tcp', reply: 'NOERROR', questions: 1 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const out = respond(c.msg, records, c.transport ?? 'udp');
      if (c.reply === 'none') return assert.equal(out, undefined);
      assert.ok(out);
      const reply = dnsPacket.decode(out);
      assert.equal(reply.id, c.msg.readUInt16BE(0), 'the ID is echoed');
      assert.equal(reply.type, 'response');
      assert.equal(rcodeOf(reply), c.reply);
      assert.equal(reply.questions?.length, c.questions);
    });
  }

  it('never throws, whatever arrives: 20,000 random and mutated messages', () => {
    let seed = 42;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const byte = () => Math.floor(random() * 256);
    for (let i = 0; i < 20_000; i++) {
      const msg = i % 2 === 0 ? Buffer.from(Array.from({ length: Math.floor(random() * 80) }, byte)) : Buffer.from(valid);
      if (i % 2 === 1) for (let k = 0; k < 1 + (i % 4); k++) msg[Math.floor(random() * msg.length)] = byte();
      const out = respond(msg, records, i % 3 === 0 ? 'tcp' : 'udp', random);
      if (out) assert.equal(out.readUInt16BE(0), msg.readUInt16BE(0));
    }
  });

  it('fits UDP replies to 512 bytes, or to the EDNS0 buffer size', () => {
    const many = { ...records, services: [{ ...records.services[3]!, name: 'many', endpoints: Array.from({ length: 200 }, (_, i) => ({ ip: `10.244.9.${i}`, ready: true })) }] };
    const ask = (opt: boolean, transport: Transport) => {
      const q = query('A', 'many.lab.svc.cluster.local', opt ? { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] } : {});
      const out = respond(dnsPacket.encode(q), many, transport)!;
      return { bytes: out.length, tc: dnsPacket.decode(out).flag_tc, answers: dnsPacket.decode(out).answers?.length };
    };
    assert.deepEqual(ask(false, 'udp'), { bytes: 508, tc: true, answers: 29 });
    assert.equal(ask(true, 'udp').tc, true);
    assert.ok(ask(true, 'udp').bytes <= 1232);
    assert.deepEqual(ask(false, 'tcp').answers, 200);
  });
});
