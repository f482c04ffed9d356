import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cidrContains, formatIP, isStrictSubnet, parseCIDR, parseIP } from './ip.ts';

describe('parseIP / formatIP round trip', () => {
  const cases: [string, string | null][] = [
    ['10.244.0.5', '10.244.0.5'],
    ['255.255.255.255', '255.255.255.255'],
    ['256.1.1.1', null],
    ['1.2.3', null],
    ['::', '::'],
    ['::1', '::1'],
    ['fd00:10:244::5', 'fd00:10:244::5'],
    ['FD00:0:0:0:0:0:0:1', 'fd00::1'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['2001:db8::1::1', null],
    ['2001:db8:0:0:0:0:0:0:1', null],
    ['fe80::1%eth0', null],
    ['hello', null],
  ];
  for (const [input, want] of cases) {
    it(input, () => {
      const ip = parseIP(input);
      assert.equal(ip === null ? null : formatIP(ip), want);
    });
  }
});

describe('parseCIDR', () => {
  const cases: { cidr: string; ok: boolean; contains?: string[]; excludes?: string[] }[] = [
    { cidr: '10.0.0.0/33', ok: false },
    { cidr: '10.0.0.0', ok: false },
    { cidr: '10.0.0.0/-1', ok: false },
    { cidr: '10.0.0.0/8', ok: true, contains: ['10.255.1.2'], excludes: ['11.0.0.1', '::a00:1'] },
    { cidr: '10.1.2.3/16', ok: true, contains: ['10.1.0.0', '10.1.255.255'], excludes: ['10.2.0.0'] },
    { cidr: '0.0.0.0/0', ok: true, contains: ['1.1.1.1'], excludes: ['::1'] },
    { cidr: 'fd00::/8', ok: true, contains: ['fd12::1'], excludes: ['fe00::1', '10.0.0.1'] },
    { cidr: '::/0', ok: true, contains: ['2001:db8::1'], excludes: ['0.0.0.0'] },
    { cidr: '2001:db8::/129', ok: false },
  ];
  for (const c of cases) {
    it(c.cidr, () => {
      const parsed = parseCIDR(c.cidr);
      assert.equal(parsed !== null, c.ok);
      if (!parsed) return;
      for (const ip of c.contains ?? []) assert.ok(cidrContains(parsed, parseIP(ip)!), `${c.cidr} contains ${ip}`);
      for (const ip of c.excludes ?? []) assert.ok(!cidrContains(parsed, parseIP(ip)!), `${c.cidr} excludes ${ip}`);
    });
  }
  it('strict subnets', () => {
    const p = (s: string) => parseCIDR(s)!;
    assert.ok(isStrictSubnet(p('10.0.0.0/8'), p('10.1.0.0/16')));
    assert.ok(!isStrictSubnet(p('10.0.0.0/8'), p('10.0.0.0/8')));
    assert.ok(!isStrictSubnet(p('10.0.0.0/16'), p('10.0.0.0/8')));
    assert.ok(!isStrictSubnet(p('10.0.0.0/8'), p('11.0.0.0/16')));
    assert.ok(!isStrictSubnet(p('10.0.0.0/8'), p('fd00::/16')));
  });
});
