/**
 * @module
 * The SOA record CoreDNS puts in the authority section of negative answers (and answers
 * at a zone apex): `<zone> IN SOA ns.dns.<zone> hostmaster.<zone> ...`, with the
 * answer TTL as both its own TTL and the negative-caching minimum.
 */
import type { SoaAnswer } from 'dns-packet';
import { TTL } from './lookup.ts';
import type { DnsRecords } from './records.ts';

const serials = new WeakMap<DnsRecords, number>();

/**
 * CoreDNS's serial is the time the cluster last changed. A pure answer has no clock, so
 * the serial is a hash of the snapshot: it changes exactly when the data does, which is
 * all a serial promises here (nothing transfers these zones).
 */
export function serialOf(records: DnsRecords): number {
  let serial = serials.get(records);
  if (serial === undefined) {
    serial = 0x811c9dc5; // FNV-1a, 32 bits
    for (const ch of JSON.stringify(records)) serial = Math.imul(serial ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    serials.set(records, serial);
  }
  return serial;
}

/** `zone` as the client wrote it: CoreDNS keeps the query's case for the owner name. */
export function soa(zone: string, records: DnsRecords): SoaAnswer {
  return {
    name: zone,
    type: 'SOA',
    class: 'IN',
    ttl: Math.min(TTL, 300),
    data: { mname: `ns.dns.${zone}`, rname: `hostmaster.${zone}`, serial: serialOf(records), refresh: 7200, retry: 1800, expire: 86400, minimum: TTL },
  };
}
