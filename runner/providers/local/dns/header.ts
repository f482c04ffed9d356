/**
 * @module
 * DNS header bits and response codes, named once (dns-packet keeps the rcode in the low
 * four bits of `flags`), and the header-only reply for messages that cannot be answered.
 */

export const AA = 1 << 10;
export const TC = 1 << 9;
export const RD = 1 << 8;
export const RA = 1 << 7;
export const CD = 1 << 4;
const QR = 1 << 15;
const OPCODE = 0xf << 11;

export const Rcode = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, BADVERS: 16 } as const;
export type Rcode = (typeof Rcode)[keyof typeof Rcode];

/** The opcode of a header's 15 flag bits (0 is QUERY). */
export const opcodeOf = (flags: number) => (flags & OPCODE) >> 11;

/** Flags of a reply: the query's opcode, RD and CD are echoed (miekg/dns SetReply). */
export function replyFlags(queryFlags: number, rcode: Rcode, bits = 0): number {
  return (queryFlags & (OPCODE | RD | CD)) | bits | (rcode & 0xf);
}

/**
 * A reply of just a header, as miekg/dns sends for messages it rejects before parsing
 * (wrong counts, unknown opcode, undecodable body): the ID and rcode, no sections.
 */
export function headerOnly(query: Buffer, rcode: Rcode): Buffer {
  const out = Buffer.alloc(12);
  out.writeUInt16BE(query.readUInt16BE(0), 0);
  out.writeUInt16BE(QR | replyFlags(query.readUInt16BE(2), rcode), 2);
  return out;
}
