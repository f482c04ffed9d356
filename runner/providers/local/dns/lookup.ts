/**
 * @module
 * Finds what a name stands for in a snapshot: the backend half of CoreDNS's kubernetes
 * plugin (plugin/kubernetes/kubernetes.go, reverse.go, ns.go) with the Corefile kind and
 * kubeadm ship: `pods insecure`, no `endpoint_pod_names`, every namespace exposed.
 * Turning findings into resource records is rrsets.ts's job.
 *
 * Snapshots are small (a lab's worth of objects), so every lookup scans the lists.
 */
import { canonicalIp, dashedIp, ipFamily, ipFromDashed, ipFromReverse } from './ip.ts';
import { parseName, type NameParts } from './parse-name.ts';
import type { DnsEndpoint, DnsRecords, DnsService } from './records.ts';

/**
 * Seconds every cluster answer may be cached. CoreDNS's default; kind's and kubeadm's
 * Corefile say `ttl 30`, but learners edit Services and look again at once, and five
 * seconds of stale answers is what they can wait for.
 */
export const TTL = 5;

/** The `dns-version.<zone>` TXT record (the schema version CoreDNS implements). */
export const SCHEMA_VERSION = '1.1.0';

/** The question, split once: names are without the trailing dot. */
export interface Ask {
  /** The name as the client wrote it (owner names echo its case). */
  qname: string;
  /** `qname` in lower case, for matching. */
  name: string;
  qtype: string;
  /** The zone the name is in, lower case, and as the client wrote it. */
  zone: string;
  zoneAsked: string;
}

/** One thing a name stands for (CoreDNS's msg.Service). */
export interface Found {
  /** An address, or a name for CNAME/PTR targets. */
  host: string;
  /** The port for SRV; -1 when the Service or endpoint declares none. */
  port: number;
  ttl: number;
  /** The name an SRV record points at for this finding. */
  name: string;
  text?: string;
}

/** What a lookup gives: the findings (none means NODATA) or NXDOMAIN. */
export type Lookup = Found[] | 'nxdomain';

const isHeadless = (s: DnsService) => s.clusterIPs.length === 0 || s.clusterIPs[0] === 'None';
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const hostnameOf = (e: DnsEndpoint) => e.hostname || dashedIp(e.ip);

type Port = { name?: string; port: number; protocol?: string };
const portsOf = (s: DnsService, e: DnsEndpoint): Port[] => e.ports ?? s.ports;
/** No ports at all still answers A queries; CoreDNS carries port -1 and leaves it out of SRV. */
const orSentinel = (ports: Port[]): Port[] => (ports.length > 0 ? ports : [{ port: -1 }]);
const portMatches = (p: NameParts, port: Port) =>
  (p.port === '' || same(p.port, port.name ?? '')) && (p.protocol === '' || same(p.protocol, port.protocol ?? ''));

/** CoreDNS asks the API whether a namespace exists; a snapshot only knows the ones in use. */
function namespaceExists(records: DnsRecords, ns: string): boolean {
  return records.services.some((s) => same(s.namespace, ns)) || records.pods.some((p) => same(p.namespace, ns));
}

/** Records(): the schema lookup for `svc` and `pod` names. */
function schemaLookup(ask: Ask, records: DnsRecords): Lookup {
  const parts = parseName(ask.name, ask.zone);
  if (!parts) return 'nxdomain';
  if (parts.kind === '') return [];
  // Reverse zones hold only PTR records (lookupReverse), nothing under svc or pod.
  if (/\.(in-addr|ip6)\.arpa$/.test(ask.name)) return 'nxdomain';
  if (!namespaceExists(records, parts.namespace)) return 'nxdomain';
  return parts.kind === 'pod' ? podLookup(parts, ask) : serviceLookup(parts, ask, records);
}

/**
 * `pods insecure`: any address under an existing namespace answers, pod or not. Like
 * CoreDNS, the labels left of the address (an endpoint or port part) are ignored.
 */
function podLookup(parts: NameParts, ask: Ask): Lookup {
  if (parts.service === '') return [];
  const ip = ipFromDashed(parts.service);
  if (!ip) return 'nxdomain';
  return [{ host: ip, port: 0, ttl: TTL, name: `${parts.service}.${parts.namespace}.pod.${ask.zoneAsked}` }];
}

function serviceLookup(parts: NameParts, ask: Ask, records: DnsRecords): Lookup {
  if (parts.service === '') return [];
  let found: Found[] | undefined;
  const add = (f: Found) => (found ??= []).push(f);
  for (const svc of records.services) {
    if (!same(svc.namespace, parts.namespace) || !same(svc.name, parts.service)) continue;
    const svcName = `${svc.name}.${svc.namespace}.svc.${ask.zoneAsked}`;

    if (svc.type === 'ExternalName') {
      // Only the Service name itself is a CNAME; ExternalName has no endpoints or SRV names.
      if (parts.endpoint !== '' || parts.port !== '' || parts.protocol !== '') continue;
      if (svc.externalName && ipFamily(svc.externalName) === 0) add({ host: svc.externalName.replace(/\.$/, ''), port: 0, ttl: TTL, name: svcName });
      continue;
    }

    // Headless Services answer with their ready endpoints; so does `<endpoint>.<service>` for any Service.
    if (isHeadless(svc) || parts.endpoint !== '') {
      for (const ep of svc.endpoints) {
        if (!ep.ready) continue;
        if (parts.endpoint !== '' && !same(parts.endpoint, hostnameOf(ep))) continue;
        for (const port of orSentinel(portsOf(svc, ep))) {
          if (!portMatches(parts, port)) continue;
          add({ host: ep.ip, port: port.port, ttl: TTL, name: `${hostnameOf(ep)}.${svcName}` });
        }
      }
      // Nothing ready, or no such endpoint, leaves `found` unset: NXDOMAIN, which is what
      // the spec asks of a headless Service without ready endpoints.
      continue;
    }

    // A ClusterIP name exists whenever a port matches, ready endpoints or not.
    for (const port of orSentinel(svc.ports)) {
      if (!portMatches(parts, port)) continue;
      found ??= [];
      for (const ip of svc.clusterIPs) add({ host: ip, port: port.port, ttl: TTL, name: svcName });
    }
  }
  return found ?? 'nxdomain';
}

/**
 * The addresses of the DNS server itself, for NS answers. CoreDNS finds the Service whose
 * endpoints hold its own pod IP; the snapshot has no "own IP", and the Service is
 * kube-system/kube-dns in every kind and kubeadm cluster.
 */
export function nameServers(records: DnsRecords, zoneAsked: string): Array<{ ip: string; name: string }> {
  const svc = records.services.find((s) => s.namespace === 'kube-system' && s.name === 'kube-dns');
  if (!svc) return [];
  const name = `${svc.name}.${svc.namespace}.svc.${zoneAsked}`;
  if (!isHeadless(svc)) return svc.clusterIPs.filter((ip) => ipFamily(ip) !== 0).map((ip) => ({ ip, name }));
  return svc.endpoints.filter((e) => e.ready).map((e) => ({ ip: e.ip, name: `${hostnameOf(e)}.${name}` }));
}

/** Services(): the schema lookup plus the names that are not objects (dns-version, NS, ns.dns). */
export function lookup(ask: Ask, records: DnsRecords): Lookup {
  const ns = () => nameServers(records, ask.zoneAsked);
  if (ask.qtype === 'TXT') {
    if (ask.name === `dns-version.${ask.zone}`) return [{ host: '', port: 0, ttl: 28800, name: ask.qname, text: SCHEMA_VERSION }];
    // TXT exists nowhere else: NODATA where a Service or pod answers, NXDOMAIN otherwise.
    const found = schemaLookup(ask, records);
    return found !== 'nxdomain' && found.length > 0 ? [] : 'nxdomain';
  }
  if (ask.qtype === 'NS') return ns().map(({ ip, name }) => ({ host: ip, port: 0, ttl: TTL, name }));
  if (ask.name === `ns.dns.${ask.zone}`) {
    const family = ask.qtype === 'A' ? 4 : ask.qtype === 'AAAA' ? 6 : 0;
    return ns().filter(({ ip }) => ipFamily(ip) === family).map(({ ip }) => ({ host: ip, port: 0, ttl: TTL, name: ask.qname }));
  }
  const found = schemaLookup(ask, records);
  // SRV has no answer for ExternalName (CNAME) findings.
  if (ask.qtype !== 'SRV' || found === 'nxdomain') return found;
  return found.filter((f) => ipFamily(f.host) !== 0);
}

/** Reverse(): the names of a Service ClusterIP, or else of the ready endpoints with that address. */
export function lookupReverse(ask: Ask, records: DnsRecords): Lookup {
  const ip = ipFromReverse(ask.name);
  if (ip === undefined) {
    const found = schemaLookup(ask, records);
    return found === 'nxdomain' ? found : [];
  }
  const domain = records.domain.toLowerCase().replace(/\.$/, '');
  const svc = records.services.find((s) => s.clusterIPs.some((c) => canonicalIp(c) === ip));
  if (svc) return [{ host: `${svc.name}.${svc.namespace}.svc.${domain}`, port: 0, ttl: TTL, name: ask.qname }];
  const found: Found[] = [];
  for (const s of records.services) {
    for (const ep of s.endpoints) {
      if (ep.ready && canonicalIp(ep.ip) === ip) found.push({ host: `${hostnameOf(ep)}.${s.name}.${s.namespace}.svc.${domain}`, port: 0, ttl: TTL, name: ask.qname });
    }
  }
  return found.length > 0 ? found : 'nxdomain';
}
