import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Packet, RecordType, SoaAnswer } from 'dns-packet';
import { answer } from './answer.ts';
import { serialOf } from './soa.ts';
import { fixture, flagsOf, ip6arpa, query, rcodeOf, show } from './testdata/show.ts';

const records = fixture();
const SOA = 'cluster.local 5 SOA ns.dns.cluster.local hostmaster.cluster.local 7200 1800 86400 5';
const SOA_V4 = 'in-addr.arpa 5 SOA ns.dns.in-addr.arpa hostmaster.in-addr.arpa 7200 1800 86400 5';
const NODATA = { rcode: 'NOERROR', authority: [SOA] };
const NXDOMAIN = { rcode: 'NXDOMAIN', authority: [SOA] };

interface Case {
  name: string;
  q: [RecordType | `UNKNOWN_${number}`, string];
  rcode: string;
  answers?: string[];
  authority?: string[];
  additional?: string[];
  /** dig's flags line; 'qr aa rd' when left out. */
  flags?: string;
}

const cases: Case[] = [
  // Services with a ClusterIP
  { name: 'ClusterIP Service', q: ['A', 'web.lab.svc.cluster.local'], rcode: 'NOERROR', answers: ['web.lab.svc.cluster.local 5 A 10.96.1.10'] },
  { name: 'names match in any case; the owner keeps the case asked', q: ['A', 'WEB.Lab.Svc.Cluster.Local'], rcode: 'NOERROR', answers: ['WEB.Lab.Svc.Cluster.Local 5 A 10.96.1.10'] },
  { name: 'a trailing dot is the same name', q: ['A', 'web.lab.svc.cluster.local.'], rcode: 'NOERROR', answers: ['web.lab.svc.cluster.local 5 A 10.96.1.10'] },
  { name: 'AAAA of an IPv4-only Service is NODATA', q: ['AAAA', 'web.lab.svc.cluster.local'], ...NODATA },
  { name: 'dual-stack Service, A', q: ['A', 'dual.lab.svc.cluster.local'], rcode: 'NOERROR', answers: ['dual.lab.svc.cluster.local 5 A 10.96.1.30'] },
  { name: 'dual-stack Service, AAAA', q: ['AAAA', 'dual.lab.svc.cluster.local'], rcode: 'NOERROR', answers: ['dual.lab.svc.cluster.local 5 AAAA fd00:10:96::1e'] },
  { name: 'a Service without ports still has its address', q: ['A', 'bare.lab.svc.cluster.local'], rcode: 'NOERROR', answers: ['bare.lab.svc.cluster.local 5 A 10.96.1.40'] },
  { name: 'an endpoint of a ClusterIP Service by dashed address (CoreDNS answers these too)', q: ['A', '10-244-1-5.web.lab.svc.cluster.local'], rcode: 'NOERROR', answers: ['10-244-1-5.web.lab.svc.cluster.local 5 A 10.244.1.5'] },
  { name: 'a not-ready endpoint has no name', q: ['A', '10-244-1-6.web.lab.svc.cluster.local'], ...NXDOMAIN },

  // Headless Services
  { name: 'headless: the ready endpoints, IPv4', q: ['A', 'db.lab.svc.cluster.local'], rcode: 'NOERROR', answers: ['db.lab.svc.cluster.local 5 A 10.244.2.1', 'db.lab.svc.cluster.local 5 A 10.244.2.2'] },
  { name: 'headless: the ready endpoints, IPv6', q: ['AAAA', 'db.lab.svc.cluster.local'], rcode: 'NOERROR', answers: ['db.lab.svc.cluster.local 5 AAAA fd00:10:244::5'] },
  { name: 'headless: an endpoint by hostname', q: ['A', 'db-0.db.lab.svc.cluster.local'], rcode: 'NOERROR', answers: ['db-0.db.lab.svc.cluster.local 5 A 10.244.2.1'] },
  { name: 'headless: hostnames match in any case', q: ['A', 'DB-1.db.lab.svc.cluster.local'], rcode: 'NOERROR', answers: ['DB-1.db.lab.svc.cluster.local 5 A 10.244.2.2'] },
  { name: 'headless: an endpoint without hostname by dashed IPv6', q: ['AAAA', 'fd00-10-244--5.db.lab.svc.cluster.local'], rcode: 'NOERROR', answers: ['fd00-10-244--5.db.lab.svc.cluster.local 5 AAAA fd00:10:244::5'] },
  { name: 'headless: a not-ready endpoint is NXDOMAIN', q: ['A', 'db-2.db.lab.svc.cluster.local'], ...NXDOMAIN },
  { name: 'headless with nothing ready is NXDOMAIN (the spec)', q: ['A', 'idle.lab.svc.cluster.local'], ...NXDOMAIN },

  // ExternalName
  { name: 'ExternalName outside the cluster: the CNAME alone', q: ['A', 'ext.lab.svc.cluster.local'], rcode: 'NOERROR', answers: ['ext.lab.svc.cluster.local 5 CNAME example.com'] },
  { name: 'ExternalName, AAAA', q: ['AAAA', 'ext.lab.svc.cluster.local'], rcode: 'NOERROR', answers: ['ext.lab.svc.cluster.local 5 CNAME example.com'] },
  { name: 'ExternalName, CNAME', q: ['CNAME', 'ext.lab.svc.cluster.local'], rcode: 'NOERROR', answers: ['ext.lab.svc.cluster.local 5 CNAME example.com'] },
  { name: 'ExternalName inside the cluster is followed', q: ['A', 'alias.lab.svc.cluster.local'], rcode: 'NOERROR', answers: ['alias.lab.svc.cluster.local 5 CNAME web.lab.svc.cluster.local', 'web.lab.svc.cluster.local 5 A 10.96.1.10'] },
  { name: 'ExternalName inside the cluster leading nowhere is NODATA, CNAME and all', q: ['AAAA', 'alias.lab.svc.cluster.local'], ...NODATA },
  { name: 'a ClusterIP Service has no CNAME', q: ['CNAME', 'web.lab.svc.cluster.local'], ...NODATA },

  // SRV
  { name: 'SRV, named port of a ClusterIP Service', q: ['SRV', '_http._tcp.web.lab.svc.cluster.local'], rcode: 'NOERROR', answers: ['_http._tcp.web.lab.svc.cluster.local 5 SRV 0 100 80 web.lab.svc.cluster.local'], additional: ['web.lab.svc.cluster.local 5 A 10.96.1.10'] },
  { name: 'SRV, in any case', q: ['SRV', '_HTTP._TCP.web.lab.svc.cluster.local'], rcode: 'NOERROR', answers: ['_HTTP._TCP.web.lab.svc.cluster.local 5 SRV 0 100 80 web.lab.svc.cluster.local'], additional: ['web.lab.svc.cluster.local 5 A 10.96.1.10'] },
  { name: 'SRV, wrong protocol', q: ['SRV', '_http._udp.web.lab.svc.cluster.local'], ...NXDOMAIN },
  { name: 'SRV, an unnamed port has none', q: ['SRV', '_8080._tcp.web.lab.svc.cluster.local'], ...NXDOMAIN },
  {
    name: 'SRV on the Service name: every port, named or not, weights shared',
    q: ['SRV', 'web.lab.svc.cluster.local'],
    rcode: 'NOERROR',
    answers: ['web.lab.svc.cluster.local 5 SRV 0 50 80 web.lab.svc.cluster.local', 'web.lab.svc.cluster.local 5 SRV 0 50 8080 web.lab.svc.cluster.local'],
    additional: ['web.lab.svc.cluster.local 5 A 10.96.1.10'],
  },
  {
    name: 'SRV, headless: one target per ready endpoint, addresses additional',
    q: ['SRV', '_pg._tcp.db.lab.svc.cluster.local'],
    rcode: 'NOERROR',
    answers: [
      '_pg._tcp.db.lab.svc.cluster.local 5 SRV 0 33 5432 db-0.db.lab.svc.cluster.local',
      '_pg._tcp.db.lab.svc.cluster.local 5 SRV 0 33 5432 db-1.db.lab.svc.cluster.local',
      '_pg._tcp.db.lab.svc.cluster.local 5 SRV 0 33 5432 fd00-10-244--5.db.lab.svc.cluster.local',
    ],
    additional: ['db-0.db.lab.svc.cluster.local 5 A 10.244.2.1', 'db-1.db.lab.svc.cluster.local 5 A 10.244.2.2', 'fd00-10-244--5.db.lab.svc.cluster.local 5 AAAA fd00:10:244::5'],
  },
  {
    name: 'SRV, dual-stack: one record, both addresses (and CoreDNS\'s weight of 50)',
    q: ['SRV', '_http._tcp.dual.lab.svc.cluster.local'],
    rcode: 'NOERROR',
    answers: ['_http._tcp.dual.lab.svc.cluster.local 5 SRV 0 50 80 dual.lab.svc.cluster.local'],
    additional: ['dual.lab.svc.cluster.local 5 A 10.96.1.30', 'dual.lab.svc.cluster.local 5 AAAA fd00:10:96::1e'],
  },
  {
    name: 'SRV of one endpoint: its own (target) ports',
    q: ['SRV', '10-244-1-5.web.lab.svc.cluster.local'],
    rcode: 'NOERROR',
    answers: ['10-244-1-5.web.lab.svc.cluster.local 5 SRV 0 50 8000 10-244-1-5.web.lab.svc.cluster.local', '10-244-1-5.web.lab.svc.cluster.local 5 SRV 0 50 8080 10-244-1-5.web.lab.svc.cluster.local'],
    additional: ['10-244-1-5.web.lab.svc.cluster.local 5 A 10.244.1.5'],
  },
  { name: 'A on an SRV name gives the Service address (as CoreDNS)', q: ['A', '_http._tcp.web.lab.svc.cluster.local'], rcode: 'NOERROR', answers: ['_http._tcp.web.lab.svc.cluster.local 5 A 10.96.1.10'] },
  { name: 'SRV of an ExternalName is NODATA', q: ['SRV', 'ext.lab.svc.cluster.local'], ...NODATA },
  { name: 'SRV of a portless Service is NODATA', q: ['SRV', 'bare.lab.svc.cluster.local'], ...NODATA },

  // Pods (pods insecure)
  { name: 'pod by dashed address', q: ['A', '10-244-1-9.lab.pod.cluster.local'], rcode: 'NOERROR', answers: ['10-244-1-9.lab.pod.cluster.local 5 A 10.244.1.9'] },
  { name: 'pods insecure: any address answers, pod or not', q: ['A', '10-244-99-99.lab.pod.cluster.local'], rcode: 'NOERROR', answers: ['10-244-99-99.lab.pod.cluster.local 5 A 10.244.99.99'] },
  { name: 'pod IPv6', q: ['AAAA', 'fd00-10-244--44.empty-ns.pod.cluster.local'], rcode: 'NOERROR', answers: ['fd00-10-244--44.empty-ns.pod.cluster.local 5 AAAA fd00:10:244::44'] },
  { name: 'pod in a namespace that does not exist', q: ['A', '10-244-1-9.nope.pod.cluster.local'], ...NXDOMAIN },
  { name: 'pod by name is not a record', q: ['A', 'client.lab.pod.cluster.local'], ...NXDOMAIN },
  { name: 'AAAA of an IPv4 pod name is NODATA', q: ['AAAA', '10-244-1-9.lab.pod.cluster.local'], ...NODATA },
  { name: 'the pod namespace name exists', q: ['A', 'lab.pod.cluster.local'], ...NODATA },

  // PTR
  { name: 'PTR of a ClusterIP', q: ['PTR', '10.1.96.10.in-addr.arpa'], rcode: 'NOERROR', answers: ['10.1.96.10.in-addr.arpa 5 PTR web.lab.svc.cluster.local'] },
  { name: 'PTR of an endpoint without hostname', q: ['PTR', '5.1.244.10.in-addr.arpa'], rcode: 'NOERROR', answers: ['5.1.244.10.in-addr.arpa 5 PTR 10-244-1-5.web.lab.svc.cluster.local'] },
  { name: 'PTR of a headless endpoint with hostname', q: ['PTR', '1.2.244.10.in-addr.arpa'], rcode: 'NOERROR', answers: ['1.2.244.10.in-addr.arpa 5 PTR db-0.db.lab.svc.cluster.local'] },
  { name: 'PTR of an IPv6 ClusterIP', q: ['PTR', ip6arpa('fd00:0010:0096:0000:0000:0000:0000:001e')], rcode: 'NOERROR', answers: [`${ip6arpa('fd00:0010:0096:0000:0000:0000:0000:001e')} 5 PTR dual.lab.svc.cluster.local`] },
  { name: 'PTR of an IPv6 endpoint', q: ['PTR', ip6arpa('fd00:0010:0244:0000:0000:0000:0000:0005')], rcode: 'NOERROR', answers: [`${ip6arpa('fd00:0010:0244:0000:0000:0000:0000:0005')} 5 PTR fd00-10-244--5.db.lab.svc.cluster.local`] },
  { name: 'PTR of a pod behind no Service: CoreDNS has none', q: ['PTR', '9.1.244.10.in-addr.arpa'], rcode: 'NXDOMAIN', authority: [SOA_V4] },
  { name: 'PTR of a not-ready endpoint', q: ['PTR', '6.1.244.10.in-addr.arpa'], rcode: 'NXDOMAIN', authority: [SOA_V4] },
  { name: 'PTR of a partial reverse name', q: ['PTR', '10.in-addr.arpa'], rcode: 'NXDOMAIN', authority: [SOA_V4] },
  { name: 'reverse names hold only PTR', q: ['A', '10.1.96.10.in-addr.arpa'], rcode: 'NXDOMAIN', authority: [SOA_V4] },

  // Names that do not exist, or exist without the type asked
  { name: 'no such Service', q: ['A', 'nope.lab.svc.cluster.local'], ...NXDOMAIN },
  { name: 'the SOA keeps the case the zone was asked in', q: ['A', 'nope.lab.svc.CLUSTER.Local'], rcode: 'NXDOMAIN', authority: ['CLUSTER.Local 5 SOA ns.dns.CLUSTER.Local hostmaster.CLUSTER.Local 7200 1800 86400 5'] },
  { name: 'no such namespace', q: ['A', 'web.nope.svc.cluster.local'], ...NXDOMAIN },
  { name: 'a namespace name exists', q: ['A', 'lab.svc.cluster.local'], ...NODATA },
  { name: 'a namespace that does not exist', q: ['A', 'nope.svc.cluster.local'], ...NXDOMAIN },
  { name: 'svc.<zone> exists', q: ['A', 'svc.cluster.local'], ...NODATA },
  { name: 'the zone apex has no A', q: ['A', 'cluster.local'], ...NODATA },
  { name: 'neither svc nor pod', q: ['A', 'foo.cluster.local'], ...NXDOMAIN },
  { name: 'MX of a Service is NODATA', q: ['MX', 'web.lab.svc.cluster.local'], ...NODATA },
  { name: 'MX of nothing is NXDOMAIN', q: ['MX', 'nope.lab.svc.cluster.local'], ...NXDOMAIN },
  { name: 'an unknown type (HTTPS) of a Service is NODATA', q: ['UNKNOWN_65', 'web.lab.svc.cluster.local'], ...NODATA },
  { name: 'an unknown type of nothing is NXDOMAIN', q: ['UNKNOWN_65', 'nope.lab.svc.cluster.local'], ...NXDOMAIN },
  { name: 'search-path expansion inside the zone is too long to exist', q: ['A', 'web.lab.svc.cluster.local.lab.svc.cluster.local'], ...NXDOMAIN },

  // The zone's own records
  { name: 'dns-version TXT', q: ['TXT', 'dns-version.cluster.local'], rcode: 'NOERROR', answers: ['dns-version.cluster.local 28800 TXT 1.1.0'] },
  { name: 'TXT of a Service is NODATA', q: ['TXT', 'web.lab.svc.cluster.local'], ...NODATA },
  { name: 'TXT of nothing is NXDOMAIN', q: ['TXT', 'nope.lab.svc.cluster.local'], ...NXDOMAIN },
  { name: 'SOA at the apex', q: ['SOA', 'cluster.local'], rcode: 'NOERROR', answers: [SOA] },
  { name: 'SOA below the apex is NODATA, existing or not (as CoreDNS)', q: ['SOA', 'nope.lab.svc.cluster.local'], ...NODATA },
  { name: 'NS at the apex: the kube-dns Service', q: ['NS', 'cluster.local'], rcode: 'NOERROR', answers: ['cluster.local 5 NS kube-dns.kube-system.svc.cluster.local'], additional: ['kube-dns.kube-system.svc.cluster.local 5 A 10.96.0.10'] },
  { name: 'the name server name', q: ['A', 'ns.dns.cluster.local'], rcode: 'NOERROR', answers: ['ns.dns.cluster.local 5 A 10.96.0.10'] },
  { name: 'NS below the apex is NODATA', q: ['NS', 'web.lab.svc.cluster.local'], ...NODATA },
  { name: 'zone transfers are refused', q: ['AXFR', 'cluster.local'], rcode: 'REFUSED', flags: 'qr rd' },

  // Outside the cluster's zones: no forwarding, a quick NXDOMAIN
  { name: 'an internet name', q: ['A', 'google.com'], rcode: 'NXDOMAIN', flags: 'qr rd ra' },
  { name: 'a search-path expansion outside the zone', q: ['A', 'web.lab.svc.cluster.local.corp.example'], rcode: 'NXDOMAIN', flags: 'qr rd ra' },
  { name: 'the root', q: ['NS', '.'], rcode: 'NXDOMAIN', flags: 'qr rd ra' },
  { name: 'a zone that only ends like ours', q: ['A', 'web.lab.svc.notcluster.local'], rcode: 'NXDOMAIN', flags: 'qr rd ra' },
];

describe('answer', () => {
  for (const c of cases) {
    it(c.name, () => {
      const reply = answer(query(c.q[0], c.q[1]), records);
      assert.deepEqual(
        {
          rcode: rcodeOf(reply),
          flags: flagsOf(reply),
          answers: (reply.answers ?? []).map(show),
          authority: (reply.authorities ?? []).map(show),
          additional: (reply.additionals ?? []).map(show),
        },
        { rcode: c.rcode, flags: c.flags ?? 'qr aa rd', answers: c.answers ?? [], authority: c.authority ?? [], additional: c.additional ?? [] },
      );
    });
  }

  it('echoes the ID and the question as asked', () => {
    const reply = answer({ id: 7, flags: 0, questions: [{ type: 'A', name: 'Web.LAB.svc.cluster.local', class: 'IN' }] }, records);
    assert.equal(reply.id, 7);
    assert.deepEqual(reply.questions, [{ type: 'A', name: 'Web.LAB.svc.cluster.local', class: 'IN' }]);
    assert.equal(flagsOf(reply), 'qr aa', 'RD is echoed, so not set when not asked');
  });

  it('echoes EDNS0: an OPT with the client\'s buffer size and DO bit, only when asked with one', () => {
    const opt = { type: 'OPT' as const, name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0x8000, flag_do: true, options: [] };
    const withOpt = answer(query('A', 'web.lab.svc.cluster.local', { additionals: [opt] }), records);
    assert.deepEqual((withOpt.additionals ?? []).map(show), ['OPT udp=1232 do=true']);
    assert.deepEqual(answer(query('A', 'web.lab.svc.cluster.local'), records).additionals, []);
  });

  const headerOnly: Array<{ name: string; q: Packet; rcode: string; questions: number }> = [
    { name: 'EDNS version 1 gets BADVERS', q: query('A', 'web.lab.svc.cluster.local', { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 1, flags: 0, flag_do: false, options: [] }] }), rcode: 'BADVERS', questions: 1 },
    { name: 'two questions get FORMERR', q: { ...query('A', 'a.cluster.local'), questions: [{ type: 'A', name: 'a.cluster.local' }, { type: 'A', name: 'b.cluster.local' }] }, rcode: 'FORMERR', questions: 0 },
    { name: 'no question gets FORMERR', q: { ...query('A', 'a.cluster.local'), questions: [] }, rcode: 'FORMERR', questions: 0 },
    { name: 'opcode STATUS gets NOTIMP', q: { ...query('A', 'web.lab.svc.cluster.local'), flags: 2 << 11 }, rcode: 'NOTIMP', questions: 0 },
    { name: 'class CH gets REFUSED', q: { ...query('TXT', 'version.bind'), questions: [{ type: 'TXT', name: 'version.bind', class: 'CH' }] }, rcode: 'REFUSED', questions: 1 },
  ];
  for (const c of headerOnly) {
    it(c.name, () => {
      const reply = answer(c.q, records);
      assert.equal(rcodeOf(reply), c.rcode);
      assert.equal(reply.questions?.length, c.questions);
      assert.deepEqual([reply.answers, reply.authorities], [[], []]);
    });
  }

  it('SOA serial: the same for the same snapshot, new when it changes', () => {
    const serial = (r: typeof records) => ((answer(query('SOA', 'cluster.local'), r).answers ?? [])[0] as SoaAnswer).data.serial;
    assert.equal(serial(records), serialOf(records));
    assert.equal(serial(records), serial(fixture()));
    assert.notEqual(serial(records), serial({ ...records, pods: [] }));
  });

  it('follows the records domain, whatever it is', () => {
    const reply = answer(query('A', 'web.lab.svc.k8s.example'), { ...records, domain: 'k8s.example' });
    assert.deepEqual((reply.answers ?? []).map(show), ['web.lab.svc.k8s.example 5 A 10.96.1.10']);
    assert.equal(rcodeOf(answer(query('A', 'web.lab.svc.cluster.local'), { ...records, domain: 'k8s.example' })), 'NXDOMAIN');
  });
});
