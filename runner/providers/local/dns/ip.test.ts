import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalIp, dashedIp, ipBytes, ipFromDashed, ipFromReverse } from './ip.ts';

describe('ip', () => {
  const canonical: Array<[string, string | undefined]> = [
    ['10.96.0.1', '10.96.0.1'],
    ['FD00:10:96:0:0:0:0:1E', 'fd00:10:96::1e'],
    ['fd00:0010:0096:0000:0000:0000:0000:001e', 'fd00:10:96::1e'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['1:0:3:4:5:6:7:8', '1:0:3:4:5:6:7:8'],
    ['::ffff:10.0.0.1', '::ffff:a00:1'],
    ['64:ff9b::192.0.2.1', '64:ff9b::c000:201'],
    ['fe80::1%eth0', undefined],
    ['01.2.3.4', undefined],
    ['None', undefined],
    ['', undefined],
  ];
  for (const [input, want] of canonical) {
    it(`canonicalIp(${JSON.stringify(input)}) is ${want}`, () => assert.equal(canonicalIp(input), want));
  }

  const bytes: Array<[string, string]> = [
    ['10.244.1.5', '0af40105'],
    ['fd00:10:244::5', 'fd000010024400000000000000000005'],
    ['::ffff:10.0.0.1', '00000000000000000000ffff0a000001'],
  ];
  for (const [input, hex] of bytes) {
    it(`ipBytes(${input})`, () => assert.equal(ipBytes(input).toString('hex'), hex));
  }

  const dashed: Array<[string, string | undefined]> = [
    ['10-244-1-5', '10.244.1.5'],
    ['fd00-10-244--5', 'fd00:10:244::5'],
    ['fd00-10-244-0-0-0-0-5', 'fd00:10:244:0:0:0:0:5'],
    ['10-244-1', undefined],
    ['10-244-1-256', undefined],
    ['web', undefined],
  ];
  for (const [label, want] of dashed) {
    it(`ipFromDashed(${label}) is ${want}`, () => assert.equal(ipFromDashed(label), want));
  }

  const labels: Array<[string, string]> = [
    ['10.244.1.5', '10-244-1-5'],
    ['fd00:10:244::5', 'fd00-10-244--5'],
    ['fd00::', 'fd00--0'],
  ];
  for (const [ip, want] of labels) {
    it(`dashedIp(${ip}) is ${want}, and back`, () => {
      assert.equal(dashedIp(ip), want);
      assert.equal(canonicalIp(ipFromDashed(want)!), canonicalIp(ip));
    });
  }

  const reverse: Array<[string, string | undefined]> = [
    ['5.1.244.10.in-addr.arpa', '10.244.1.5'],
    ['5.1.244.10.IN-ADDR.ARPA', '10.244.1.5'],
    ['1.244.10.in-addr.arpa', undefined],
    ['300.1.244.10.in-addr.arpa', undefined],
    ['e.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa', 'fd00:10:96::1e'],
    ['1.0.0.0.d.f.ip6.arpa', undefined],
    ['web.lab.svc.cluster.local', undefined],
  ];
  for (const [name, want] of reverse) {
    it(`ipFromReverse(${name}) is ${want}`, () => assert.equal(ipFromReverse(name), want));
  }
});
