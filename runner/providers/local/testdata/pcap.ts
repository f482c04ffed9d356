/**
 * @module
 * A small reader for the classic libpcap file format (what `tcpdump -w` writes) and a decoder
 * for what the overlay tests look for in it: the outer IPv4 header and, when the packet is an
 * encapsulation — VXLAN (UDP 4789), Geneve (UDP 6081) or IP-in-IP (IP protocol 4) — its VNI
 * and the inner IP header. Pure TypeScript, no dependencies; never throws on a packet's
 * contents (a short or odd packet decodes as far as it goes), only on a file that is not pcap.
 *
 * File format: https://www.tcpdump.org/manpages/pcap-savefile.5.html; link types:
 * https://www.tcpdump.org/linktypes.html.
 */

/** Link-layer header types this decoder understands (the pcap file header's `network`). */
export const LINKTYPE = {
  /** Ethernet: `tcpdump -i eth0`. */
  EN10MB: 1,
  /** Bare IP, no link header (e.g. a TUN device). */
  RAW: 101,
  /** Linux cooked capture v1: `tcpdump -i any` with older libpcap. */
  LINUX_SLL: 113,
  /** Bare IPv4. */
  IPV4: 228,
  /** Linux cooked capture v2: `tcpdump -i any` with libpcap >= 1.10. */
  LINUX_SLL2: 276,
} as const;

/** UDP ports of the encapsulations (IANA): VXLAN (RFC 7348) and Geneve (RFC 8926). */
export const VXLAN_PORT = 4789;
export const GENEVE_PORT = 6081;
/** Linux's own default VXLAN port (a vxlan device made without `dstport`), flannel's default too. */
export const LINUX_VXLAN_PORT = 8472;

/** Which UDP destination ports mean which encapsulation. */
export interface DecodeOptions {
  /** Default: 4789 and 8472. */
  vxlanPorts?: readonly number[];
  /** Default: 6081. */
  genevePorts?: readonly number[];
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_TEB = 0x6558; // Transparent Ethernet Bridging: an Ethernet frame follows
const VLAN_TAGS = new Set([0x8100, 0x88a8, 0x9100]);
const PROTO_IPIP = 4;
const PROTO_TCP = 6;
const PROTO_UDP = 17;

/** One record of a pcap file. */
export interface PcapRecord {
  /** Capture time, seconds since the epoch (fractional). */
  time: number;
  /** The bytes captured (up to the snapshot length). */
  data: Uint8Array;
  /** The packet's length on the wire; more than `data.length` when the capture cut it short. */
  originalLength: number;
}

/** A parsed pcap file. */
export interface PcapFile {
  /** The link-layer header type of every record (LINKTYPE), FCS bits masked off. */
  linkType: number;
  snapLength: number;
  /** True when the timestamps' fraction is nanoseconds (magic 0xa1b23c4d), else microseconds. */
  nanoseconds: boolean;
  /** True when the file is big-endian (written on a big-endian machine). */
  bigEndian: boolean;
  records: PcapRecord[];
  /** True when the file ends inside a record (the writer was killed): the partial record is left out. */
  truncated: boolean;
}

/** An IP header, with the transport ports when it carries TCP or UDP and they were captured. */
export interface IPSummary {
  /** 4 or 6. */
  version: 4 | 6;
  src: string;
  dst: string;
  /** IPv4 protocol / IPv6 next header (4 IP-in-IP, 6 TCP, 17 UDP, 1 ICMP, ...). */
  protocol: number;
  /** Total length from the header, in bytes. */
  length: number;
  /** IPv4 only: true when this is a fragment (more fragments, or a nonzero offset). */
  fragment: boolean;
  srcPort?: number;
  dstPort?: number;
}

/** The encapsulations the decoder recognizes. */
export type EncapKind = 'vxlan' | 'geneve' | 'ipip';

/** What one captured packet is. */
export interface DecodedPacket {
  /** The link layer's protocol (ethertype), when the link type has one. */
  etherType?: number;
  /** The outer IPv4 header; absent when the packet is not IPv4 (ARP, IPv6, ...) or too short. */
  outer?: IPSummary;
  /** Set when the outer packet is an encapsulation. */
  kind?: EncapKind;
  /** The 24-bit virtual network identifier (VXLAN, Geneve). */
  vni?: number;
  /** The inner IP header, when the encapsulated payload is IP and was captured. */
  inner?: IPSummary;
}

/**
 * Parses a classic pcap file (either byte order, micro- or nanosecond timestamps).
 * @throws Error when the bytes are not a pcap file (pcapng included: use `tcpdump -w`, which
 *   writes classic pcap, or convert with `editcap -F pcap`).
 */
export function readPcap(bytes: Uint8Array): PcapFile {
  if (bytes.length < 24) throw new Error(`not a pcap file: ${bytes.length} bytes, shorter than its 24-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicBE = view.getUint32(0, false);
  if (magicBE === 0x0a0d0d0a) throw new Error('a pcapng file, not classic pcap: write it with `tcpdump -w` or convert it with `editcap -F pcap`');
  let little: boolean;
  if (magicBE === 0xa1b2c3d4 || magicBE === 0xa1b23c4d) little = false;
  else if (view.getUint32(0, true) === 0xa1b2c3d4 || view.getUint32(0, true) === 0xa1b23c4d) little = true;
  else throw new Error(`not a pcap file: magic 0x${magicBE.toString(16).padStart(8, '0')}`);
  const nanoseconds = view.getUint32(0, little) === 0xa1b23c4d;
  const major = view.getUint16(4, little);
  if (major !== 2) throw new Error(`unsupported pcap version ${major}.${view.getUint16(6, little)}`);
  const snapLength = view.getUint32(16, little);
  // The low 16 bits are the link type; above them, optional FCS-length bits.
  const linkType = view.getUint32(20, little) & 0xffff;
  const records: PcapRecord[] = [];
  let truncated = false;
  let at = 24;
  while (at < bytes.length) {
    if (at + 16 > bytes.length) {
      truncated = true;
      break;
    }
    const seconds = view.getUint32(at, little);
    const fraction = view.getUint32(at + 4, little);
    const captured = view.getUint32(at + 8, little);
    const originalLength = view.getUint32(at + 12, little);
    if (at + 16 + captured > bytes.length) {
      truncated = true;
      break;
    }
    records.push({ time: seconds + fraction / (nanoseconds ? 1e9 : 1e6), data: bytes.subarray(at + 16, at + 16 + captured), originalLength });
    at += 16 + captured;
  }
  return { linkType, snapLength, nanoseconds, bigEndian: !little, records, truncated };
}

const u16 = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;
const u24 = (b: Uint8Array, at: number) => (b[at]! << 16) | (b[at + 1]! << 8) | b[at + 2]!;

function ipv4Text(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** IPv6 in RFC 5952's short form (the longest run of two or more zero groups as `::`). */
function ipv6Text(b: Uint8Array, at: number): string {
  const groups = Array.from({ length: 8 }, (_, i) => u16(b, at + 2 * i));
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLength).join(':')}`;
}

/** The IP header at `at` (with ports when captured), and where its payload starts; undefined when not IP or too short. */
function ipHeader(b: Uint8Array, at: number): { ip: IPSummary; payload: number } | undefined {
  if (at >= b.length) return undefined;
  const version = b[at]! >> 4;
  let ip: IPSummary;
  let payload: number;
  if (version === 4) {
    const ihl = (b[at]! & 15) * 4;
    if (ihl < 20 || at + 20 > b.length) return undefined;
    const flagsOffset = u16(b, at + 6);
    ip = { version: 4, src: ipv4Text(b, at + 12), dst: ipv4Text(b, at + 16), protocol: b[at + 9]!, length: u16(b, at + 2), fragment: (flagsOffset & 0x3fff) !== 0 };
    payload = at + ihl;
    // Only the first fragment holds the transport header.
    if ((flagsOffset & 0x1fff) !== 0) return { ip, payload: Number.POSITIVE_INFINITY };
  } else if (version === 6) {
    if (at + 40 > b.length) return undefined;
    // Extension headers are not followed: the overlays here carry none.
    ip = { version: 6, src: ipv6Text(b, at + 8), dst: ipv6Text(b, at + 24), protocol: b[at + 6]!, length: 40 + u16(b, at + 4), fragment: false };
    payload = at + 40;
  } else return undefined;
  if ((ip.protocol === PROTO_TCP || ip.protocol === PROTO_UDP) && payload + 4 <= b.length) {
    ip.srcPort = u16(b, payload);
    ip.dstPort = u16(b, payload + 2);
  }
  return { ip, payload };
}

/** The ethertype after an Ethernet header (VLAN tags skipped) at `at`, and where its payload starts. */
function ethernet(b: Uint8Array, at: number): { etherType: number; payload: number } | undefined {
  let typeAt = at + 12;
  while (typeAt + 2 <= b.length && VLAN_TAGS.has(u16(b, typeAt))) typeAt += 4;
  if (typeAt + 2 > b.length) return undefined;
  return { etherType: u16(b, typeAt), payload: typeAt + 2 };
}

/** The inner packet of an encapsulation: IP right away, or after an Ethernet header. */
function innerIP(b: Uint8Array, at: number, etherType: number): IPSummary | undefined {
  if (etherType === ETHERTYPE_TEB) {
    const eth = ethernet(b, at);
    if (!eth) return undefined;
    [at, etherType] = [eth.payload, eth.etherType];
  }
  if (etherType !== ETHERTYPE_IPV4 && etherType !== ETHERTYPE_IPV6) return undefined;
  return ipHeader(b, at)?.ip;
}

/** Decodes the IP packet at `at`: outer header, and the encapsulation when it is one. */
function decodeIP(b: Uint8Array, at: number, packet: DecodedPacket, options: DecodeOptions): DecodedPacket {
  const outer = ipHeader(b, at);
  if (!outer || outer.ip.version !== 4) return packet;
  packet.outer = outer.ip;
  const { ip, payload } = outer;
  const { vxlanPorts = [VXLAN_PORT, LINUX_VXLAN_PORT], genevePorts = [GENEVE_PORT] } = options;
  if (ip.protocol === PROTO_IPIP) {
    packet.kind = 'ipip';
    const inner = ipHeader(b, payload);
    if (inner?.ip.version === 4) packet.inner = inner.ip;
  } else if (ip.protocol === PROTO_UDP && ip.dstPort !== undefined && vxlanPorts.includes(ip.dstPort)) {
    // VXLAN: flags (I = 0x08: the VNI is valid), 3 reserved, 24-bit VNI, 1 reserved; then Ethernet.
    packet.kind = 'vxlan';
    const vxlan = payload + 8;
    if (vxlan + 8 <= b.length && b[vxlan]! & 0x08) packet.vni = u24(b, vxlan + 4);
    const inner = innerIP(b, vxlan + 8, ETHERTYPE_TEB);
    if (inner) packet.inner = inner;
  } else if (ip.protocol === PROTO_UDP && ip.dstPort !== undefined && genevePorts.includes(ip.dstPort)) {
    // Geneve: version (2 bits) and option length in 4-byte words (6), flags, protocol type, 24-bit VNI, reserved; options.
    packet.kind = 'geneve';
    const geneve = payload + 8;
    if (geneve + 8 > b.length || b[geneve]! >> 6 !== 0) return packet;
    packet.vni = u24(b, geneve + 4);
    const inner = innerIP(b, geneve + 8 + (b[geneve]! & 0x3f) * 4, u16(b, geneve + 2));
    if (inner) packet.inner = inner;
  }
  return packet;
}

/**
 * Decodes one captured frame of the given link type. Never throws: an unknown link type, a
 * non-IP packet or one cut short yields only what could be read.
 */
export function decodePacket(linkType: number, data: Uint8Array, options: DecodeOptions = {}): DecodedPacket {
  let etherType: number | undefined;
  let at: number;
  switch (linkType) {
    case LINKTYPE.EN10MB: {
      const eth = ethernet(data, 0);
      if (!eth) return {};
      [etherType, at] = [eth.etherType, eth.payload];
      break;
    }
    case LINKTYPE.LINUX_SLL: // packet type, ARPHRD type, address length, 8 address bytes, protocol
      if (data.length < 16) return {};
      [etherType, at] = [u16(data, 14), 16];
      break;
    case LINKTYPE.LINUX_SLL2: // protocol, reserved, interface index, ARPHRD type, packet type, address length, 8 address bytes
      if (data.length < 20) return {};
      [etherType, at] = [u16(data, 0), 20];
      break;
    case LINKTYPE.RAW:
    case LINKTYPE.IPV4:
      return decodeIP(data, 0, {}, options);
    default:
      return {};
  }
  if (etherType !== ETHERTYPE_IPV4) return { etherType };
  return decodeIP(data, at, { etherType }, options);
}

/** Reads a pcap file and decodes every record (see readPcap, decodePacket). */
export function decodePcap(bytes: Uint8Array, options: DecodeOptions = {}): (DecodedPacket & { time: number })[] {
  const file = readPcap(bytes);
  return file.records.map((r) => ({ time: r.time, ...decodePacket(file.linkType, r.data, options) }));
}
