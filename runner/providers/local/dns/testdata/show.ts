/**
 * @module
 * Test helpers: the fixture snapshot, and replies printed the way dig prints them, so a
 * table row reads like the terminal output a learner sees.
 */
import type { Answer, Packet, RecordType } from 'dns-packet';
import { readFileSync } from 'node:fs';
import { parseRecords, type DnsRecords } from '../records.ts';

export const fixture = (): DnsRecords => parseRecords(readFileSync(new URL('./records.json', import.meta.url), 'utf8'));

/** A query as a stub resolver sends it: RD set, one question. */
export function query(type: RecordType | `UNKNOWN_${number}`, name: string, more: Partial<Packet> = {}): Packet {
  return { id: 4242, type: 'query', flags: 1 << 8, questions: [{ type: type as RecordType, name, class: 'IN' }], ...more };
}

/** `name ttl TYPE data`, the SOA without its serial (tested on its own). */
export function show(a: Answer): string {
  switch (a.type) {
    case 'SRV':
      return `${a.name} ${a.ttl} SRV ${a.data.priority} ${a.data.weight} ${a.data.port} ${a.data.target}`;
    case 'SOA':
      return `${a.name} ${a.ttl} SOA ${a.data.mname} ${a.data.rname} ${a.data.refresh} ${a.data.retry} ${a.data.expire} ${a.data.minimum}`;
    case 'OPT':
      return `OPT udp=${a.udpPayloadSize} do=${((a.flags ?? 0) & 0x8000) !== 0}`;
    case 'TXT':
      return `${a.name} ${a.ttl} TXT ${[a.data].flat().join(' ')}`;
    default:
      return `${a.name} ${a.ttl} ${a.type} ${String(a.data)}`;
  }
}

/** The data of an address (or other string) record, as text. */
export const dataOf = (a: Answer): string => ('data' in a ? String(a.data) : '');

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

export function rcodeOf(p: Packet): string {
  const opt = p.additionals?.find((a) => a.type === 'OPT');
  const code = ((p.flags ?? 0) & 0xf) | ((opt?.extendedRcode ?? 0) << 4);
  return code === 16 ? 'BADVERS' : (RCODES[code] ?? String(code));
}

/** The header flags as dig prints them: `qr aa tc rd ra cd`. */
export function flagsOf(p: Packet): string {
  const f = p.flags ?? 0;
  const bits: Array<[string, boolean]> = [['qr', p.type === 'response'], ['aa', (f & (1 << 10)) !== 0], ['tc', (f & (1 << 9)) !== 0], ['rd', (f & (1 << 8)) !== 0], ['ra', (f & (1 << 7)) !== 0], ['cd', (f & (1 << 4)) !== 0]];
  return bits.filter(([, on]) => on).map(([n]) => n).join(' ');
}

/** The ip6.arpa name of an expanded IPv6 address like `fd00:0010:0096:0000:0000:0000:0000:001e`. */
export function ip6arpa(expanded: string): string {
  return `${expanded.replaceAll(':', '').split('').reverse().join('.')}.ip6.arpa`;
}
