/**
 * @module
 * Turns lookups into resource records, one function per query type, as CoreDNS's
 * plugin/backend_lookup.go does: CNAME chasing for addresses, SRV weights and the
 * address records that go with SRV and NS targets.
 */
import type { Answer } from 'dns-packet';
import { ipFamily } from './ip.ts';
import { lookup, lookupReverse, type Ask, type Found } from './lookup.ts';
import type { DnsRecords } from './records.ts';

/** Records for the answer and additional sections, or NXDOMAIN. */
export type RRsets = { answers: Answer[]; extras: Answer[] } | 'nxdomain';

const MAX_CNAME_CHAIN = 10;

const isSubdomain = (child: string, parent: string) => child === parent || child.endsWith(`.${parent}`);

function address(name: string, f: Found): Answer {
  return { name, type: ipFamily(f.host) === 6 ? 'AAAA' : 'A', class: 'IN', ttl: f.ttl, data: f.host };
}

/**
 * A and AAAA. An ExternalName inside the cluster domain is followed and its addresses
 * added after the CNAME (or nothing at all when it leads nowhere). One outside is
 * answered with the CNAME alone: CoreDNS would ask upstream, and this cluster has none.
 */
export function addresses(ask: Ask, records: DnsRecords, chain: Answer[] = []): RRsets {
  const found = lookup(ask, records);
  if (found === 'nxdomain') return found;
  const want = ask.qtype === 'AAAA' ? 6 : 4;
  const answers: Answer[] = [];
  const seen = new Set<string>();
  for (const f of found) {
    const family = ipFamily(f.host);
    if (family === 0) {
      const target = f.host.toLowerCase();
      if (isSubdomain(target, ask.name)) continue; // x CNAME x (or below x) loops
      if (chain.length > MAX_CNAME_CHAIN || chain.some((c) => c.type === 'CNAME' && c.data.toLowerCase() === target)) continue;
      const cname: Answer = { name: ask.qname, type: 'CNAME', class: 'IN', ttl: f.ttl, data: f.host };
      if (!isSubdomain(target, ask.zone)) {
        answers.push(cname);
        continue;
      }
      const next = addresses({ ...ask, qname: f.host, name: target }, records, [...chain, cname]);
      if (next !== 'nxdomain' && next.answers.length > 0) answers.push(cname, ...next.answers);
      continue;
    }
    if (family === want && !seen.has(f.host)) {
      seen.add(f.host);
      answers.push(address(ask.qname, f));
    }
  }
  return { answers, extras: [] };
}

/**
 * SRV: one record per (target, port), the target's address in the additional section.
 * Priority is 0 and the weights share 100 evenly, counted CoreDNS's way (every finding,
 * portless ones and duplicates included).
 */
export function srv(ask: Ask, records: DnsRecords): RRsets {
  const found = lookup(ask, records);
  if (found === 'nxdomain') return found;
  const weight = Math.max(1, Math.floor((100 / (100 * found.length)) * 100));
  const answers: Answer[] = [];
  const extras: Answer[] = [];
  const seen = new Set<string>();
  for (const f of found) {
    if (f.port === -1) continue;
    const target = `${f.name}\n${f.port}`;
    const addr = `${f.name}\n${f.host}`;
    if (!seen.has(target)) answers.push({ name: ask.qname, type: 'SRV', class: 'IN', ttl: f.ttl, data: { priority: 0, weight, port: f.port, target: f.name } });
    if (!seen.has(addr)) extras.push(address(f.name, f));
    seen.add(target).add(addr);
  }
  return { answers, extras };
}

/** PTR: the names found for the address (a Service's, or each endpoint's). */
export function ptr(ask: Ask, records: DnsRecords): RRsets {
  const found = lookupReverse(ask, records);
  if (found === 'nxdomain') return found;
  const hosts = [...new Set(found.map((f) => f.host).filter((h) => ipFamily(h) === 0))];
  return { answers: hosts.map((h) => ({ name: ask.qname, type: 'PTR', class: 'IN', ttl: found[0]!.ttl, data: h })), extras: [] };
}

/** CNAME: only an ExternalName Service has one. */
export function cname(ask: Ask, records: DnsRecords): RRsets {
  const found = lookup(ask, records);
  if (found === 'nxdomain') return found;
  const first = found[0];
  const answers: Answer[] = first && ipFamily(first.host) === 0 ? [{ name: ask.qname, type: 'CNAME', class: 'IN', ttl: first.ttl, data: first.host }] : [];
  return { answers, extras: [] };
}

/** TXT: only `dns-version.<zone>` has one. */
export function txt(ask: Ask, records: DnsRecords): RRsets {
  const found = lookup(ask, records);
  if (found === 'nxdomain') return found;
  const answers: Answer[] = found.filter((f) => f.text !== undefined).map((f) => ({ name: ask.qname, type: 'TXT', class: 'IN', ttl: f.ttl, data: f.text! }));
  return { answers, extras: [] };
}

/** NS at a zone apex: the DNS Service's name, its addresses as additional records. */
export function ns(ask: Ask, records: DnsRecords): RRsets {
  const found = lookup(ask, records);
  if (found === 'nxdomain') return found;
  const names = [...new Set(found.map((f) => f.name))];
  return { answers: names.map((n) => ({ name: ask.qname, type: 'NS', class: 'IN', ttl: found[0]!.ttl, data: n })), extras: found.map((f) => address(f.name, f)) };
}

/** Any other type (MX, HTTPS, ...): no records, but NXDOMAIN and NODATA still differ. */
export function nothing(ask: Ask, records: DnsRecords): RRsets {
  const found = lookup({ ...ask, qtype: 'A' }, records);
  return found === 'nxdomain' ? found : { answers: [], extras: [] };
}
