/**
 * @module
 * The cluster DNS server's answer to one query: a pure function of the query and a
 * records snapshot, answering as CoreDNS does with the Corefile of kind and kubeadm
 * (`kubernetes cluster.local in-addr.arpa ip6.arpa { pods insecure }`, see lookup.ts)
 * and no `forward`: this cluster has no internet, so names outside its zones get a
 * quick NXDOMAIN instead of a timeout. Search lists and ndots are the client's business;
 * every question is a full name.
 *
 * Flags as CoreDNS sets them: AA and no RA on everything from the zones (so `dig` warns
 * "recursion requested but not available", as it does against CoreDNS), RD and CD echoed.
 * The NXDOMAIN for outside names has RA and no AA, like an answer CoreDNS forwards.
 * Truncation to the client's buffer is the transport's job (wire.ts), as is shuffling.
 *
 * @example
 * answer({ id: 1, questions: [{ type: 'A', name: 'web.lab.svc.cluster.local' }] }, records)
 * // → { id: 1, type: 'response', flags: AA, answers: [{ name: 'web.lab.svc.cluster.local', type: 'A', ttl: 5, data: '10.96.0.20' }], ... }
 */
import type { Answer, OptAnswer, Packet } from 'dns-packet';
import { AA, RA, Rcode, opcodeOf, replyFlags } from './header.ts';
import type { Ask } from './lookup.ts';
import type { DnsRecords } from './records.ts';
import { addresses, cname, nothing, ns, ptr, srv, txt, type RRsets } from './rrsets.ts';
import { soa } from './soa.ts';

const REVERSE_ZONES = ['in-addr.arpa', 'ip6.arpa'];
/** The DNSSEC OK bit of an OPT record's flags. */
const DO = 0x8000;

interface Reply {
  rcode: Rcode;
  flags?: number;
  answers?: Answer[];
  authorities?: Answer[];
  additionals?: Answer[];
}

export function answer(query: Packet, records: DnsRecords): Packet {
  const flags = query.flags ?? 0;
  const questions = query.questions ?? [];
  const opt = query.additionals?.find((a): a is OptAnswer => a.type === 'OPT');
  const reply = (r: Reply): Packet => ({
    id: query.id ?? 0,
    type: 'response',
    flags: replyFlags(flags, r.rcode, r.flags),
    questions: questions.slice(0, 1),
    answers: r.answers ?? [],
    authorities: r.authorities ?? [],
    // A query with EDNS gets an OPT back, with its buffer size and DO bit (CoreDNS SizeAndDo).
    additionals: [...(r.additionals ?? []), ...(opt ? [optFor(opt, r.rcode)] : [])],
  });

  // What miekg/dns rejects before CoreDNS sees it: a header-only reply.
  const question = questions[0];
  if (questions.length !== 1 || !question) return { ...reply({ rcode: Rcode.FORMERR }), questions: [], additionals: [] };
  if (opcodeOf(flags) !== 0) return { ...reply({ rcode: Rcode.NOTIMP }), questions: [], additionals: [] };
  if ((question.class ?? 'IN') !== 'IN') return reply({ rcode: Rcode.REFUSED });
  if (opt && opt.ednsVersion !== 0) return reply({ rcode: Rcode.BADVERS });

  const qname = question.name === '.' ? '' : question.name.replace(/\.$/, '');
  const name = qname.toLowerCase();
  const domain = records.domain.toLowerCase().replace(/\.$/, '');
  const zone = [domain, ...REVERSE_ZONES]
    .filter((z) => name === z || name.endsWith(`.${z}`))
    .sort((a, b) => b.length - a.length)[0];
  // Outside the zones CoreDNS would forward; a resolver's NXDOMAIN carries RA and no AA.
  if (zone === undefined) return reply({ rcode: Rcode.NXDOMAIN, flags: RA });

  const ask: Ask = { qname, name, qtype: question.type, zone, zoneAsked: qname.slice(qname.length - zone.length) };
  let found: RRsets;
  switch (question.type) {
    case 'A':
    case 'AAAA':
      found = addresses(ask, records);
      break;
    case 'SRV':
      found = srv(ask, records);
      break;
    case 'PTR':
      found = ptr(ask, records);
      break;
    case 'CNAME':
      found = cname(ask, records);
      break;
    case 'TXT':
      found = txt(ask, records);
      break;
    case 'SOA':
      // Only the apex has one; any other name is NOERROR without records, existing or not (as CoreDNS).
      found = { answers: name === zone ? [soa(ask.zoneAsked, records)] : [], extras: [] };
      break;
    case 'AXFR':
    case 'IXFR':
      return reply({ rcode: Rcode.REFUSED });
    case 'NS':
      found = name === zone ? ns(ask, records) : nothing(ask, records);
      break;
    default:
      found = nothing(ask, records);
  }

  const negative = { flags: AA, authorities: [soa(ask.zoneAsked, records)] };
  if (found === 'nxdomain') return reply({ rcode: Rcode.NXDOMAIN, ...negative });
  if (found.answers.length === 0) return reply({ rcode: Rcode.NOERROR, ...negative });
  return reply({ rcode: Rcode.NOERROR, flags: AA, answers: found.answers, additionals: found.extras });
}

/** The reply's OPT: EDNS version 0, the client's buffer size, its DO bit, no options. */
function optFor(query: OptAnswer, rcode: Rcode): OptAnswer {
  return {
    name: '.',
    type: 'OPT',
    udpPayloadSize: query.udpPayloadSize,
    extendedRcode: rcode >> 4,
    ednsVersion: 0,
    flags: (query.flags ?? 0) & DO,
    flag_do: ((query.flags ?? 0) & DO) !== 0,
    options: [],
  };
}
