import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Answer, Packet } from 'dns-packet';
import { shuffle } from './shuffle.ts';

const a = (ip: string): Answer => ({ type: 'A', name: 'x', data: ip });
const cname: Answer = { type: 'CNAME', name: 'y', data: 'x' };
const opt: Answer = { type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] };
/** Always picks the first place left: reverses the list. */
const first = () => 0;

describe('shuffle', () => {
  const cases: Array<{ name: string; reply: Packet; answers: string[]; additionals?: string[] }> = [
    { name: 'addresses change order', reply: { flags: 0, answers: [a('1'), a('2'), a('3')] }, answers: ['2', '3', '1'] },
    { name: 'a CNAME stays ahead of its addresses', reply: { flags: 0, answers: [cname, a('1'), a('2')] }, answers: ['x', '2', '1'] },
    { name: 'OPT stays last', reply: { flags: 0, answers: [], additionals: [a('1'), a('2'), opt] }, answers: [], additionals: ['2', '1', 'OPT'] },
    { name: 'errors are left alone', reply: { flags: 3, answers: [a('1'), a('2')] }, answers: ['1', '2'] },
    { name: 'zone transfers are left alone', reply: { flags: 0, questions: [{ type: 'AXFR', name: 'x' }], answers: [a('1'), a('2')] }, answers: ['1', '2'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const out = shuffle(c.reply, first);
      const text = (rrs?: Answer[]) => (rrs ?? []).map((r) => ('data' in r ? String(r.data) : r.type));
      assert.deepEqual(text(out.answers), c.answers);
      if (c.additionals) assert.deepEqual(text(out.additionals), c.additionals);
    });
  }
});
