/**
 * pcap.ts on packets built here byte by byte: every case states the addresses, ports and VNI
 * it builds with, and the decoder must give exactly those back. The kernel's own packets are
 * decoded in native/tunnel.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodePacket, decodePcap, LINKTYPE, readPcap, type DecodedPacket, type IPSummary } from './pcap.ts';

// ---------- builders ----------

const bytes = (...parts: (Uint8Array | number[])[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const be16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const be32 = (n: number) => [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const v4 = (ip: string) => ip.split('.').map(Number);

function v6(ip: string): number[] {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const groups = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
  return all.flatMap(be16);
}

function checksum(header: number[]): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += (header[i]! << 8) | header[i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

interface IPv4Options {
  /** Flags (3 bits) and fragment offset (13), as in the header. */
  flagsOffset?: number;
  /** Extra header bytes (options), a multiple of 4. */
  options?: number[];
}

function ipv4(src: string, dst: string, protocol: number, payload: Uint8Array, o: IPv4Options = {}): Uint8Array {
  const opts = o.options ?? [];
  const ihl = 5 + opts.length / 4;
  const h = [0x40 | ihl, 0, ...be16(ihl * 4 + payload.length), ...be16(0x1234), ...be16(o.flagsOffset ?? 0x4000), 64, protocol, 0, 0, ...v4(src), ...v4(dst), ...opts];
  const sum = checksum(h);
  h[10] = sum >> 8;
  h[11] = sum & 0xff;
  return bytes(h, payload);
}

const ipv6 = (src: string, dst: string, nextHeader: number, payload: Uint8Array) =>
  bytes([0x60, 0, 0, 0, ...be16(payload.length), nextHeader, 64, ...v6(src), ...v6(dst)], payload);
const udp = (sport: number, dport: number, payload: Uint8Array) => bytes([...be16(sport), ...be16(dport), ...be16(8 + payload.length), 0, 0], payload);
const tcp = (sport: number, dport: number) => bytes([...be16(sport), ...be16(dport), ...be32(1), ...be32(0), 0x50, 0x02, ...be16(64240), 0, 0, 0, 0]);
const icmpEcho = (size: number) => bytes([8, 0, 0, 0, 0, 1, 0, 1], Array<number>(size).fill(0xab));

const MAC_A = [0x0a, 0x58, 172, 18, 0, 2];
const MAC_B = [0x0a, 0x58, 172, 18, 0, 3];
const ethernet = (type: number, payload: Uint8Array, vlans: number[] = []) => bytes(MAC_B, MAC_A, ...vlans.map((id) => [0x81, 0x00, ...be16(id)]), be16(type), payload);
const vxlan = (vni: number, frame: Uint8Array) => bytes([0x08, 0, 0, 0, ...be32(vni << 8)], frame);
const geneve = (vni: number, protocol: number, payload: Uint8Array, options: number[] = []) =>
  bytes([options.length / 4, 0, ...be16(protocol), ...be32(vni << 8), ...options], payload);
/** Linux cooked v1: packet type 4 (sent by us), ARPHRD_ETHER, 6-byte address padded to 8. */
const sll = (protocol: number, payload: Uint8Array) => bytes([0, 4, 0, 1, 0, 6, ...MAC_A, 0, 0, ...be16(protocol)], payload);
/** Linux cooked v2: protocol, reserved, ifindex 2, ARPHRD_ETHER, packet type 4, address length 6. */
const sll2 = (protocol: number, payload: Uint8Array) => bytes([...be16(protocol), 0, 0, ...be32(2), 0, 1, 4, 6, ...MAC_A, 0, 0], payload);

interface Entry {
  seconds: number;
  fraction: number;
  data: Uint8Array;
  originalLength?: number;
}

function pcapFile(linkType: number, records: Entry[], o: { bigEndian?: boolean; nanoseconds?: boolean; snapLength?: number; linkTypeHigh?: number } = {}): Uint8Array {
  const out: number[] = [];
  const u32 = (n: number) => {
    const b = be32(n);
    out.push(...(o.bigEndian ? b : b.reverse()));
  };
  const u16 = (n: number) => {
    const b = be16(n);
    out.push(...(o.bigEndian ? b : b.reverse()));
  };
  u32(o.nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4);
  u16(2);
  u16(4);
  u32(0);
  u32(0);
  u32(o.snapLength ?? 262144);
  u32(((o.linkTypeHigh ?? 0) << 16) | linkType);
  for (const r of records) {
    u32(r.seconds);
    u32(r.fraction);
    u32(r.data.length);
    u32(r.originalLength ?? r.data.length);
    out.push(...r.data);
  }
  return Uint8Array.from(out);
}

// ---------- what the cases carry ----------

const NODE_A = '172.18.0.2';
const NODE_B = '172.18.0.3';
const POD_A = '10.244.0.10';
const POD_B = '10.244.1.10';

/** The summary the decoder should give for an IP header built from these fields. */
const summary = (version: 4 | 6, src: string, dst: string, protocol: number, packet: Uint8Array, ports?: [number, number], fragment = false): IPSummary => ({
  version,
  src,
  dst,
  protocol,
  length: packet.length,
  fragment,
  ...(ports ? { srcPort: ports[0], dstPort: ports[1] } : {}),
});

interface Case {
  name: string;
  linkType: number;
  frame: Uint8Array;
  expected: DecodedPacket;
}

function cases(): Case[] {
  const list: Case[] = [];

  // IP-in-IP over Ethernet: ICMP between pods.
  {
    const inner = ipv4(POD_A, POD_B, 1, icmpEcho(56));
    const outer = ipv4(NODE_A, NODE_B, 4, inner);
    list.push({
      name: 'ipip on Ethernet',
      linkType: LINKTYPE.EN10MB,
      frame: ethernet(0x0800, outer),
      expected: { etherType: 0x0800, outer: summary(4, NODE_A, NODE_B, 4, outer), kind: 'ipip', inner: summary(4, POD_A, POD_B, 1, inner) },
    });
    list.push({
      name: 'ipip behind a VLAN tag',
      linkType: LINKTYPE.EN10MB,
      frame: ethernet(0x0800, outer, [100]),
      expected: { etherType: 0x0800, outer: summary(4, NODE_A, NODE_B, 4, outer), kind: 'ipip', inner: summary(4, POD_A, POD_B, 1, inner) },
    });
    list.push({
      name: 'ipip as bare IP (LINKTYPE_RAW)',
      linkType: LINKTYPE.RAW,
      frame: outer,
      expected: { outer: summary(4, NODE_A, NODE_B, 4, outer), kind: 'ipip', inner: summary(4, POD_A, POD_B, 1, inner) },
    });
  }

  // IP-in-IP whose outer header has options: the inner header starts after ihl*4 bytes.
  {
    const inner = ipv4(POD_B, POD_A, 6, tcp(8080, 40000));
    const outer = ipv4(NODE_B, NODE_A, 4, inner, { options: [1, 1, 1, 0] });
    list.push({
      name: 'ipip, outer header with options, TCP inside',
      linkType: LINKTYPE.EN10MB,
      frame: ethernet(0x0800, outer),
      expected: { etherType: 0x0800, outer: summary(4, NODE_B, NODE_A, 4, outer), kind: 'ipip', inner: summary(4, POD_B, POD_A, 6, inner, [8080, 40000]) },
    });
  }

  // VXLAN (flannel's): UDP 4789, VNI 1, an inner Ethernet frame with TCP.
  for (const [port, vni] of [
    [4789, 1],
    [8472, 0xabcdef],
  ] as const) {
    const inner = ipv4(POD_A, POD_B, 6, tcp(41000, 80));
    const datagram = udp(50123, port, vxlan(vni, ethernet(0x0800, inner)));
    const outer = ipv4(NODE_A, NODE_B, 17, datagram);
    list.push({
      name: `vxlan on UDP ${port}, VNI ${vni}`,
      linkType: LINKTYPE.EN10MB,
      frame: ethernet(0x0800, outer),
      expected: { etherType: 0x0800, outer: summary(4, NODE_A, NODE_B, 17, outer, [50123, port]), kind: 'vxlan', vni, inner: summary(4, POD_A, POD_B, 6, inner, [41000, 80]) },
    });
  }

  // Geneve with Transparent Ethernet Bridging (what tunnel.c sends), on both cooked link types.
  {
    const inner = ipv4(POD_A, POD_B, 17, udp(5353, 53, Uint8Array.of(1, 2, 3)));
    const outer = ipv4(NODE_A, NODE_B, 17, udp(6081, 6081, geneve(1, 0x6558, ethernet(0x0800, inner))));
    const expected = { etherType: 0x0800, outer: summary(4, NODE_A, NODE_B, 17, outer, [6081, 6081]), kind: 'geneve' as const, vni: 1, inner: summary(4, POD_A, POD_B, 17, inner, [5353, 53]) };
    list.push({ name: 'geneve TEB on Linux cooked v1 (any)', linkType: LINKTYPE.LINUX_SLL, frame: sll(0x0800, outer), expected });
    list.push({ name: 'geneve TEB on Linux cooked v2 (any)', linkType: LINKTYPE.LINUX_SLL2, frame: sll2(0x0800, outer), expected });
  }

  // Geneve with options (skipped by length) and IP right after the header (protocol 0x0800).
  {
    const inner = ipv4(POD_B, POD_A, 1, icmpEcho(8));
    const options = [0x01, 0x02, 0x80, 0x01, 0xde, 0xad, 0xbe, 0xef]; // one 4-byte option of class 0x0102, type 0x80
    const outer = ipv4(NODE_B, NODE_A, 17, udp(34567, 6081, geneve(77, 0x0800, inner, options)));
    list.push({
      name: 'geneve with an option, bare IPv4 inside',
      linkType: LINKTYPE.EN10MB,
      frame: ethernet(0x0800, outer),
      expected: { etherType: 0x0800, outer: summary(4, NODE_B, NODE_A, 17, outer, [34567, 6081]), kind: 'geneve', vni: 77, inner: summary(4, POD_B, POD_A, 1, inner) },
    });
  }

  // Geneve carrying IPv6 pods.
  {
    const [src, dst] = ['fd00:10:244::a', 'fd00:10:244:1::a'];
    const inner = ipv6(src, dst, 6, tcp(40000, 443));
    const outer = ipv4(NODE_A, NODE_B, 17, udp(6081, 6081, geneve(1, 0x6558, ethernet(0x86dd, inner))));
    list.push({
      name: 'geneve TEB with IPv6 inside',
      linkType: LINKTYPE.EN10MB,
      frame: ethernet(0x0800, outer),
      expected: { etherType: 0x0800, outer: summary(4, NODE_A, NODE_B, 17, outer, [6081, 6081]), kind: 'geneve', vni: 1, inner: summary(6, src, dst, 6, inner, [40000, 443]) },
    });
  }

  // Not encapsulated: plain TCP between nodes; a Geneve port as the *source* only means nothing.
  {
    const outer = ipv4(NODE_A, NODE_B, 6, tcp(6443, 51000));
    list.push({ name: 'plain TCP', linkType: LINKTYPE.EN10MB, frame: ethernet(0x0800, outer), expected: { etherType: 0x0800, outer: summary(4, NODE_A, NODE_B, 6, outer, [6443, 51000]) } });
    const reply = ipv4(NODE_B, NODE_A, 17, udp(6081, 33333, Uint8Array.of(0)));
    list.push({ name: 'UDP from port 6081', linkType: LINKTYPE.IPV4, frame: reply, expected: { outer: summary(4, NODE_B, NODE_A, 17, reply, [6081, 33333]) } });
  }

  // A later fragment of a VXLAN datagram: no UDP header in it, so not recognized as VXLAN.
  {
    const outer = ipv4(NODE_A, NODE_B, 17, Uint8Array.of(...be16(4789), ...be16(4789), 1, 2, 3, 4), { flagsOffset: 185 });
    list.push({ name: 'a non-first fragment', linkType: LINKTYPE.EN10MB, frame: ethernet(0x0800, outer), expected: { etherType: 0x0800, outer: summary(4, NODE_A, NODE_B, 17, outer, undefined, true) } });
  }

  // Not IPv4 at all.
  list.push({ name: 'ARP', linkType: LINKTYPE.EN10MB, frame: ethernet(0x0806, Uint8Array.of(0, 1, 8, 0, 6, 4, 0, 1)), expected: { etherType: 0x0806 } });
  list.push({ name: 'IPv6 underlay', linkType: LINKTYPE.EN10MB, frame: ethernet(0x86dd, ipv6('fe80::1', 'ff02::1', 58, Uint8Array.of(134, 0))), expected: { etherType: 0x86dd } });
  list.push({ name: 'an unknown link type', linkType: 147, frame: ipv4(NODE_A, NODE_B, 4, ipv4(POD_A, POD_B, 1, icmpEcho(4))), expected: {} });
  return list;
}

describe('pcap: decodePacket', () => {
  for (const c of cases()) {
    it(c.name, () => assert.deepEqual(decodePacket(c.linkType, c.frame), c.expected));
  }

  it('decodes as far as a short capture goes, and never throws on any truncation', () => {
    for (const c of cases()) {
      for (let n = 0; n < c.frame.length; n++) {
        const d = decodePacket(c.linkType, c.frame.subarray(0, n));
        // Whatever comes out is a prefix of the full answer: never a wrong value.
        for (const key of ['etherType', 'kind', 'vni'] as const) if (d[key] !== undefined) assert.equal(d[key], c.expected[key], `${c.name} cut at ${n}: ${key}`);
        for (const key of ['outer', 'inner'] as const) {
          const got = d[key];
          if (!got) continue;
          const want = c.expected[key]!;
          assert.deepEqual([got.src, got.dst, got.protocol], [want.src, want.dst, want.protocol], `${c.name} cut at ${n}: ${key}`);
          if (got.dstPort !== undefined) assert.equal(got.dstPort, want.dstPort);
        }
      }
    }
  });

  it('never throws on garbage', () => {
    let seed = 0x2545f491;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let i = 0; i < 2000; i++) {
      const frame = Uint8Array.from({ length: random() % 120 }, random);
      // Make some of them look like IPv4 carrying UDP to a tunnel port, so the deep paths run too.
      if (frame.length > 40 && i % 2) [frame[14], frame[23], frame[36], frame[37]] = [0x45, i % 4 ? 17 : 4, i % 3 ? 0x17 : 0x12, i % 3 ? 0xc1 : 0xb5];
      for (const lt of Object.values(LINKTYPE)) decodePacket(lt, frame);
    }
  });
});

describe('pcap: readPcap', () => {
  const frame = ethernet(0x0800, ipv4(NODE_A, NODE_B, 4, ipv4(POD_A, POD_B, 1, icmpEcho(16))));
  const records: Entry[] = [
    { seconds: 1_764_000_000, fraction: 123_456, data: frame },
    { seconds: 1_764_000_001, fraction: 999_999, data: frame.subarray(0, 34), originalLength: frame.length },
  ];

  for (const bigEndian of [false, true]) {
    for (const nanoseconds of [false, true]) {
      it(`${bigEndian ? 'big' : 'little'}-endian, ${nanoseconds ? 'nano' : 'micro'}second timestamps`, () => {
        const file = readPcap(pcapFile(LINKTYPE.EN10MB, records, { bigEndian, nanoseconds, snapLength: 65535 }));
        assert.deepEqual(
          { linkType: file.linkType, snapLength: file.snapLength, nanoseconds: file.nanoseconds, bigEndian: file.bigEndian, truncated: file.truncated },
          { linkType: LINKTYPE.EN10MB, snapLength: 65535, nanoseconds, bigEndian, truncated: false },
        );
        assert.deepEqual(
          file.records.map((r) => ({ time: r.time, data: [...r.data], originalLength: r.originalLength })),
          records.map((r) => ({ time: r.seconds + r.fraction / (nanoseconds ? 1e9 : 1e6), data: [...r.data], originalLength: r.originalLength ?? r.data.length })),
        );
      });
    }
  }

  it('masks the FCS bits above the link type', () => {
    assert.equal(readPcap(pcapFile(LINKTYPE.LINUX_SLL2, [], { linkTypeHigh: 0x1400 })).linkType, LINKTYPE.LINUX_SLL2);
  });

  it('keeps the whole records of a file cut short, and says so', () => {
    const whole = pcapFile(LINKTYPE.EN10MB, records);
    const firstEnd = 24 + 16 + frame.length;
    for (const [cut, count] of [
      [firstEnd, 1],
      [firstEnd + 10, 1],
      [whole.length - 1, 1],
      [30, 0],
    ] as const) {
      const file = readPcap(whole.subarray(0, cut));
      assert.deepEqual([file.records.length, file.truncated], [count, cut !== firstEnd], `cut at ${cut}`);
    }
  });

  it('refuses what is not classic pcap', () => {
    assert.throws(() => readPcap(Uint8Array.of(1, 2, 3)), /not a pcap file/);
    assert.throws(() => readPcap(new Uint8Array(24)), /not a pcap file: magic 0x00000000/);
    assert.throws(() => readPcap(Uint8Array.from([0x0a, 0x0d, 0x0d, 0x0a, ...new Uint8Array(28)])), /pcapng/);
  });

  it('decodePcap decodes every record with its link type', () => {
    const inner = ipv4(POD_A, POD_B, 6, tcp(40000, 80));
    const outer = ipv4(NODE_A, NODE_B, 17, udp(40000, 4789, vxlan(1, ethernet(0x0800, inner))));
    const decoded = decodePcap(pcapFile(LINKTYPE.LINUX_SLL, [{ seconds: 10, fraction: 500_000, data: sll(0x0800, outer) }]));
    assert.deepEqual(decoded, [{ time: 10.5, etherType: 0x0800, outer: summary(4, NODE_A, NODE_B, 17, outer, [40000, 4789]), kind: 'vxlan', vni: 1, inner: summary(4, POD_A, POD_B, 6, inner, [40000, 80]) }]);
  });
});
