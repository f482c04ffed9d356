/**
 * @module
 * Encodes a reply to wire format with name compression, truncated to fit the client's
 * buffer. dns-packet decodes compressed names but never writes them, and compression
 * decides when a reply stops fitting: for `many.lab.svc.cluster.local`, 29 A records
 * fit in 512 bytes compressed (as CoreDNS sends them), 11 uncompressed.
 *
 * Truncation is miekg/dns's: keep whole records in order (answer, authority, additional)
 * while they fit, drop the rest and set TC, and always keep the OPT record.
 */
import type { Answer, Packet, Question } from 'dns-packet';
import dnsTypes from 'dns-packet/types.js';
import { TC } from './header.ts';
import { ipBytes, ipFamily } from './ip.ts';

// dns-packet's own type-number table (declared in dns-packet-types.d.ts: it ships no types for the file).
const { toType } = dnsTypes;

const CLASSES: Record<string, number> = { IN: 1, CS: 2, CH: 3, HS: 4, ANY: 255 };
const classOf = (c: string | undefined) => CLASSES[c ?? 'IN'] ?? (Number(/^UNKNOWN_(\d+)$/.exec(c ?? '')?.[1]) || 0);

interface Writer {
  buf: Buffer;
  off: number;
  /** Names already written, by suffix, for compression pointers (offsets below 0x4000). */
  names: Map<string, number>;
}

function need(w: Writer, n: number) {
  if (w.off + n <= w.buf.length) return;
  const bigger = Buffer.alloc(Math.max(w.buf.length * 2, w.off + n));
  w.buf.copy(bigger, 0, 0, w.off);
  w.buf = bigger;
}
function u8(w: Writer, v: number) {
  need(w, 1);
  w.off = w.buf.writeUInt8(v, w.off);
}
function u16(w: Writer, v: number) {
  need(w, 2);
  w.off = w.buf.writeUInt16BE(v, w.off);
}
function u32(w: Writer, v: number) {
  need(w, 4);
  w.off = w.buf.writeUInt32BE(v >>> 0, w.off);
}
function bytes(w: Writer, b: Buffer) {
  need(w, b.length);
  w.off += b.copy(w.buf, w.off);
}

/** SRV targets must not be compressed (RFC 2782); owner names and CNAME/PTR/NS/SOA names are. */
function name(w: Writer, n: string, compress = true) {
  const labels = n === '.' || n === '' ? [] : n.replace(/\.$/, '').split('.');
  let length = 1;
  for (let i = 0; i < labels.length; i++) {
    const suffix = labels.slice(i).join('.');
    const pointer = w.names.get(suffix);
    if (compress && pointer !== undefined) {
      u16(w, 0xc000 | pointer);
      return;
    }
    if (pointer === undefined && w.off < 0x4000) w.names.set(suffix, w.off);
    const label = Buffer.from(labels[i]!);
    length += label.length + 1;
    if (label.length === 0 || label.length > 63 || length > 255) throw new RangeError(`cannot encode the name "${n}"`);
    u8(w, label.length);
    bytes(w, label);
  }
  u8(w, 0);
}

function question(w: Writer, q: Question) {
  name(w, q.name);
  u16(w, toType(q.type));
  u16(w, classOf(q.class));
}

function record(w: Writer, a: Answer) {
  if (a.type === 'OPT') {
    u8(w, 0);
    u16(w, 41);
    u16(w, a.udpPayloadSize);
    u32(w, ((a.extendedRcode ?? 0) << 24) | ((a.ednsVersion ?? 0) << 16) | (a.flags ?? 0));
    const options = (a.options ?? []).map((o) => ({ code: o.code, data: o.data ?? Buffer.alloc(0) }));
    u16(w, options.reduce((n, o) => n + 4 + o.data.length, 0));
    for (const o of options) {
      u16(w, o.code);
      u16(w, o.data.length);
      bytes(w, o.data);
    }
    return;
  }
  name(w, a.name);
  u16(w, toType(a.type));
  u16(w, classOf(a.class));
  u32(w, a.ttl ?? 0);
  const lengthAt = w.off;
  u16(w, 0);
  switch (a.type) {
    case 'A':
    case 'AAAA':
      if (ipFamily(a.data) !== (a.type === 'A' ? 4 : 6)) throw new RangeError(`${a.type} record with data "${a.data}"`);
      bytes(w, ipBytes(a.data));
      break;
    case 'CNAME':
    case 'PTR':
    case 'NS':
      name(w, a.data);
      break;
    case 'SRV':
      u16(w, a.data.priority ?? 0);
      u16(w, a.data.weight ?? 0);
      u16(w, a.data.port);
      name(w, a.data.target, false);
      break;
    case 'SOA':
      name(w, a.data.mname);
      name(w, a.data.rname);
      for (const v of [a.data.serial, a.data.refresh, a.data.retry, a.data.expire, a.data.minimum]) u32(w, v ?? 0);
      break;
    case 'TXT':
      for (const s of [a.data].flat()) {
        const b = Buffer.from(s);
        if (b.length > 255) throw new RangeError('TXT string longer than 255 bytes');
        u8(w, b.length);
        bytes(w, b);
      }
      break;
    default:
      throw new Error(`wire: cannot encode ${a.type} records`);
  }
  w.buf.writeUInt16BE(w.off - lengthAt - 2, lengthAt);
}

/** The message as bytes, at most `limit` long (512 to 65535); TC set if records were left out. */
export function encode(p: Packet, limit = 65535): Buffer {
  const w: Writer = { buf: Buffer.alloc(512), off: 12, names: new Map() };
  const questions = p.questions ?? [];
  for (const q of questions) question(w, q);

  const opt = (p.additionals ?? []).filter((a) => a.type === 'OPT');
  const sections = [p.answers ?? [], p.authorities ?? [], (p.additionals ?? []).filter((a) => a.type !== 'OPT')];
  const optLength = opt.reduce((n, a) => n + 11 + (a.options ?? []).reduce((m, o) => m + 4 + (o.data?.length ?? 0), 0), 0);
  const budget = Math.max(512, Math.min(limit, 65535)) - optLength;
  const counts = [0, 0, 0];
  let truncated = false;
  fill: for (const [i, section] of sections.entries()) {
    for (const rr of section) {
      const mark = w.off;
      record(w, rr);
      if (w.off > budget) {
        w.off = mark;
        for (const [k, at] of w.names) if (at >= mark) w.names.delete(k);
        truncated = true;
        break fill;
      }
      counts[i]!++;
    }
  }
  for (const rr of opt) record(w, rr);

  const head = w.buf;
  head.writeUInt16BE(p.id ?? 0, 0);
  head.writeUInt16BE(((p.flags ?? 0) & 0x7fff) | (p.type === 'response' ? 0x8000 : 0) | (truncated ? TC : 0), 2);
  head.writeUInt16BE(questions.length, 4);
  head.writeUInt16BE(counts[0]!, 6);
  head.writeUInt16BE(counts[1]!, 8);
  head.writeUInt16BE(counts[2]! + opt.length, 10);
  return Buffer.from(head.subarray(0, w.off));
}
