/**
 * @module
 * One DNS message in, one reply out (or none), for either transport. The checks before
 * decoding are miekg/dns's, the library under CoreDNS: fewer than 12 bytes or a
 * response is dropped (answering responses invites loops and reflection), an unknown
 * opcode gets NOTIMP, wrong section counts or an undecodable body get FORMERR.
 * Nothing a client sends can throw out of here.
 */
import { decode } from 'dns-packet';
import type { Packet } from 'dns-packet';
import { answer } from './answer.ts';
import { Rcode, headerOnly, opcodeOf } from './header.ts';
import type { DnsRecords } from './records.ts';
import { shuffle } from './shuffle.ts';
import { encode } from './wire.ts';

export type Transport = 'udp' | 'tcp';

/** A UDP reply must fit 512 bytes, or the buffer the client advertised in EDNS0 (RFC 6891). */
export function sizeLimit(query: Packet, transport: Transport): number {
  if (transport === 'tcp') return 65535;
  const opt = query.additionals?.find((a) => a.type === 'OPT');
  return opt ? Math.min(65535, Math.max(512, opt.udpPayloadSize)) : 512;
}

export function respond(msg: Buffer, records: DnsRecords, transport: Transport, random?: () => number): Buffer | undefined {
  if (msg.length < 12) return undefined;
  const flags = msg.readUInt16BE(2);
  if (flags & 0x8000) return undefined;
  if (opcodeOf(flags) !== 0) return headerOnly(msg, Rcode.NOTIMP);
  const [qd, an, ns, ar] = [4, 6, 8, 10].map((at) => msg.readUInt16BE(at)) as [number, number, number, number];
  if (qd !== 1 || an > 1 || ns > 1 || ar > 2) return headerOnly(msg, Rcode.FORMERR);

  let query: Packet;
  try {
    query = decode(msg);
  } catch {
    return headerOnly(msg, Rcode.FORMERR);
  }
  try {
    return encode(shuffle(answer(query, records), random), sizeLimit(query, transport));
  } catch {
    // What CoreDNS does when a plugin panics: SERVFAIL, and keep serving.
    return headerOnly(msg, Rcode.SERVFAIL);
  }
}
