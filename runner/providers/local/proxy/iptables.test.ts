import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FlatnetError } from '../../../../checkers/errors.ts';
import { kubeProxyRules } from './iptables.ts';
import type { ProxyInput, ServiceView } from './model.ts';

type Port = ServiceView['ports'][number];
const ep = (ip: string, port = 80, ready = true) => ({ ip, port, ready });
const svc = (ns: string, name: string, clusterIP: string, ports: Partial<Port>[], type: ServiceView['type'] = 'ClusterIP'): ServiceView => ({
  namespace: ns, name, type, clusterIP,
  ports: ports.map((p) => ({ name: 'p80', port: 80, protocol: 'TCP', endpoints: [], ...p })),
});
const input = (services: ServiceView[]): ProxyInput => ({ services, nodeIPs: ['192.168.0.2'], clusterCIDR: '10.0.0.0/8' });

/** A section as kube-proxy's tests compare it: chain declarations as a set, rules in order per chain. */
function byChain(section: string): { chains: string[]; rules: Record<string, string[]> } {
  const lines = section.trim().split('\n');
  const rules: Record<string, string[]> = {};
  for (const l of lines.filter((l) => l.startsWith('-'))) (rules[l.split(' ')[1]!] ??= []).push(l);
  return { chains: lines.filter((l) => l.startsWith(':')).sort(), rules };
}

const rulesOf = (section: string, chain: string) => byChain(section).rules[chain] ?? [];

describe('kubeProxyRules against kube-proxy', () => {
  /*
   * The expected text is TestOverallIPTablesRules' from kubernetes/kubernetes
   * pkg/proxy/iptables/proxier_test.go, cut to what ServiceView can express: svc1 (ClusterIP),
   * svc3 (NodePort 3003), svc4 (two endpoints; its externalIP rules dropped) and svc6 (no
   * endpoints). Also dropped: the `-d 127.0.0.0/8 … -m nfacct` NodePort rules and the nfacct
   * match on the INVALID rule, which kube-proxy writes only when it could create nfacct
   * counters (we create none). The fake iptables there has no --random-fully.
   */
  const expectedFilter = `*filter
:KUBE-NODEPORTS - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-EXTERNAL-SERVICES - [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-PROXY-FIREWALL - [0:0]
-A KUBE-SERVICES -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.46 --dport 80 -j REJECT
-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
COMMIT
`;
  const expectedNat = `*nat
:KUBE-NODEPORTS - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-EXT-X27LE4BHSL4DOUIK - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-SEP-C6EBXVWJJZMIWKLZ - [0:0]
:KUBE-SEP-OYPFS5VJICHGATKP - [0:0]
:KUBE-SEP-SXIVWICOYRO3J4NJ - [0:0]
:KUBE-SEP-UKSFD7AGPMPPLUHC - [0:0]
:KUBE-SVC-4SW47YFZTEDKD3PK - [0:0]
:KUBE-SVC-X27LE4BHSL4DOUIK - [0:0]
:KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]
-A KUBE-NODEPORTS -m comment --comment ns3/svc3:p80 -m tcp -p tcp --dport 3003 -j KUBE-EXT-X27LE4BHSL4DOUIK
-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
-A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 -j KUBE-SVC-X27LE4BHSL4DOUIK
-A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 -j KUBE-SVC-4SW47YFZTEDKD3PK
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-EXT-X27LE4BHSL4DOUIK -m comment --comment "masquerade traffic for ns3/svc3:p80 external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-X27LE4BHSL4DOUIK -j KUBE-SVC-X27LE4BHSL4DOUIK
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE
-A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -s 10.180.0.5 -j KUBE-MARK-MASQ
-A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.5:80
-A KUBE-SEP-OYPFS5VJICHGATKP -m comment --comment ns3/svc3:p80 -s 10.180.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-OYPFS5VJICHGATKP -m comment --comment ns3/svc3:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80
-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ
-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80
-A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -s 10.180.0.4 -j KUBE-MARK-MASQ
-A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.4:80
-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.4:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-UKSFD7AGPMPPLUHC
-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.5:80" -j KUBE-SEP-C6EBXVWJJZMIWKLZ
-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 -> 10.180.0.3:80" -j KUBE-SEP-OYPFS5VJICHGATKP
-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j KUBE-SEP-SXIVWICOYRO3J4NJ
COMMIT
`;
  // Endpoints in a scrambled order with a not-ready one: kube-proxy sorts and skips them.
  const rules = kubeProxyRules(input([
    svc('ns6', 'svc6', '172.30.0.46', [{}]),
    svc('ns4', 'svc4', '172.30.0.44', [{ endpoints: [ep('10.180.0.5'), ep('10.180.0.9', 80, false), ep('10.180.0.4')] }], 'NodePort'),
    svc('ns3', 'svc3', '172.30.0.43', [{ nodePort: 3003, endpoints: [ep('10.180.0.3')] }], 'NodePort'),
    svc('ns1', 'svc1', '172.30.0.41', [{ endpoints: [ep('10.180.0.1')] }]),
  ]), { randomFully: false });

  it('filter table', () => assert.deepEqual(byChain(rules.filter), byChain(expectedFilter)));
  it('nat table', () => assert.deepEqual(byChain(rules.nat), byChain(expectedNat)));
  it('each section is one restore transaction', () => {
    for (const [table, text] of Object.entries(rules)) {
      assert.match(text, new RegExp(`^\\*${table}\\n`));
      assert.match(text, /\nCOMMIT\n$/);
    }
  });
});

describe('load balancing: rule i matches with probability 1/(n-i)', () => {
  const cases: { n: number; want: (string | null)[] }[] = [
    { n: 1, want: [null] },
    { n: 2, want: ['0.5000000000', null] },
    { n: 3, want: ['0.3333333333', '0.5000000000', null] },
    { n: 4, want: ['0.2500000000', '0.3333333333', '0.5000000000', null] },
  ];
  for (const { n, want } of cases) {
    it(`${n} endpoint${n === 1 ? '' : 's'}`, () => {
      const endpoints = Array.from({ length: n }, (_, i) => ep(`10.244.0.${i + 2}`, 8080));
      const { nat } = kubeProxyRules(input([svc('default', 'web', '10.96.0.50', [{ endpoints }])]));
      const svcChain = /-j (KUBE-SVC-\S+)$/.exec(rulesOf(nat, 'KUBE-SERVICES')[0]!)![1]!;
      const picks = rulesOf(nat, svcChain).filter((r) => r.includes('-j KUBE-SEP-'));
      assert.deepEqual(picks.map((r) => /--probability (\S+)/.exec(r)?.[1] ?? null), want);
      // Every endpoint is picked by exactly one rule, in endpoint order.
      assert.deepEqual(picks.map((r) => /"default\/web:p80 -> (\S+)"/.exec(r)![1]), endpoints.map((e) => `${e.ip}:8080`));
    });
  }
});

describe('what gets rules', () => {
  const cases: { name: string; services: ServiceView[]; nat: RegExp[]; filter: RegExp[]; notNat?: RegExp[] }[] = [
    {
      name: 'no endpoints: REJECT in filter KUBE-SERVICES, nothing in nat',
      services: [svc('default', 'empty', '10.96.0.51', [{}])],
      nat: [], notNat: [/10\.96\.0\.51/, /KUBE-SVC-/],
      filter: [/^-A KUBE-SERVICES -m comment --comment "default\/empty:p80 has no endpoints" -m tcp -p tcp -d 10.96.0.51 --dport 80 -j REJECT$/m],
    },
    {
      name: 'only not-ready endpoints count as none',
      services: [svc('default', 'starting', '10.96.0.52', [{ endpoints: [ep('10.244.0.9', 80, false)] }])],
      nat: [], notNat: [/10\.244\.0\.9/],
      filter: [/"default\/starting:p80 has no endpoints" .* -j REJECT$/m],
    },
    {
      name: 'NodePort with no endpoints: REJECT in KUBE-EXTERNAL-SERVICES on local addresses',
      services: [svc('default', 'np', '10.96.0.53', [{ nodePort: 30080 }], 'NodePort')],
      nat: [], notNat: [/30080/],
      filter: [/^-A KUBE-EXTERNAL-SERVICES -m comment --comment "default\/np:p80 has no endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30080 -j REJECT$/m],
    },
    {
      name: 'headless and ExternalName Services get nothing',
      services: [
        svc('default', 'headless', 'None', [{ endpoints: [ep('10.244.0.2')] }]),
        svc('default', 'external', '', [{}], 'ExternalName'),
      ],
      nat: [], notNat: [/default\//], filter: [],
    },
    {
      name: 'an unnamed port hashes and comments as ns/name',
      services: [svc('default', 'web', '10.96.0.50', [{ name: '', endpoints: [ep('10.244.0.2', 8080)] }])],
      nat: [/^-A KUBE-SERVICES -m comment --comment "default\/web cluster IP" .* -j KUBE-SVC-\w{16}$/m, /^-A KUBE-SEP-\w{16} -m comment --comment default\/web -m tcp -p tcp -j DNAT --to-destination 10.244.0.2:8080$/m],
      filter: [],
    },
    {
      name: 'UDP and SCTP are matched by their own modules',
      services: [svc('kube-system', 'kube-dns', '10.96.0.10', [
        { name: 'dns', port: 53, protocol: 'UDP', endpoints: [ep('10.244.0.5', 53)] },
        { name: 'sctp', port: 9999, protocol: 'SCTP', endpoints: [ep('10.244.0.5', 9999)] },
      ])],
      nat: [/-m udp -p udp -d 10.96.0.10 --dport 53 -j KUBE-SVC-/, /-m udp -p udp -j DNAT --to-destination 10.244.0.5:53$/m, /-m sctp -p sctp -d 10.96.0.10 --dport 9999 -j KUBE-SVC-/],
      filter: [],
    },
    {
      name: 'LoadBalancer without an ingress address is a NodePort Service',
      services: [svc('default', 'lb', '10.96.0.54', [{ nodePort: 31000, endpoints: [ep('10.244.0.2')] }], 'LoadBalancer')],
      nat: [/^-A KUBE-NODEPORTS -m comment --comment default\/lb:p80 -m tcp -p tcp --dport 31000 -j KUBE-EXT-\w{16}$/m],
      filter: [],
    },
    {
      // kube-proxy's "Capture load-balancer ingress": into KUBE-EXT, which masquerades and goes on to KUBE-SVC.
      name: 'LoadBalancer with an ingress address: a KUBE-SERVICES rule for it into the external chain',
      services: [{ ...svc('default', 'lb', '10.96.0.56', [{ nodePort: 31001, endpoints: [ep('10.244.0.2')] }], 'LoadBalancer'), loadBalancerIPs: ['172.18.255.200'] }],
      nat: [/^-A KUBE-SERVICES -m comment --comment "default\/lb:p80 loadbalancer IP" -m tcp -p tcp -d 172.18.255.200 --dport 80 -j (KUBE-EXT-\w{16})$/m, /^-A KUBE-EXT-\w{16} -m comment --comment "masquerade traffic for default\/lb:p80 external destinations" -j KUBE-MARK-MASQ$/m],
      filter: [],
    },
    {
      name: 'LoadBalancer address with no endpoints: REJECT in KUBE-EXTERNAL-SERVICES',
      services: [{ ...svc('default', 'lb', '10.96.0.57', [{ nodePort: 31002 }], 'LoadBalancer'), loadBalancerIPs: ['172.18.255.201'] }],
      nat: [], notNat: [/172\.18\.255\.201/],
      filter: [/^-A KUBE-EXTERNAL-SERVICES -m comment --comment "default\/lb:p80 has no endpoints" -m tcp -p tcp -d 172.18.255.201 --dport 80 -j REJECT$/m],
    },
    {
      name: 'IPv6 Services and endpoints are left to ip6tables',
      services: [svc('default', 'v6', 'fd00:10:96::1', [{ endpoints: [ep('fd00:10:244::2')] }]), svc('default', 'mixed', '10.96.0.55', [{ endpoints: [ep('fd00:10:244::3'), ep('10.244.0.3')] }])],
      nat: [/--to-destination 10.244.0.3:80/], notNat: [/fd00/, /default\/v6/], filter: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { nat, filter } = kubeProxyRules(input(c.services));
      for (const re of c.nat) assert.match(nat, re);
      for (const re of c.notNat ?? []) assert.doesNotMatch(nat, re);
      for (const re of c.filter) assert.match(filter, re);
      if (c.filter.length === 0) assert.doesNotMatch(filter, /REJECT/);
    });
  }
});

describe('options', () => {
  const one = input([svc('default', 'web', '10.96.0.50', [{ endpoints: [ep('10.244.0.2')] }])]);

  it('--random-fully by default, as kube-proxy when iptables has it', () => {
    assert.match(kubeProxyRules(one).nat, /^-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully$/m);
    assert.doesNotMatch(kubeProxyRules(one, { randomFully: false }).nat, /random-fully/);
  });

  it('without localhost NodePorts, 127.0.0.0/8 is excluded and KUBE-FIREWALL is not written', () => {
    const { nat, filter } = kubeProxyRules(one, { localhostNodePorts: false });
    assert.match(nat, /--dst-type LOCAL ! -d 127.0.0.0\/8 -j KUBE-NODEPORTS$/m);
    assert.doesNotMatch(filter, /KUBE-FIREWALL/);
  });

  it('stale service chains are flushed and deleted before the NodePort rule; others are left alone', () => {
    const live = kubeProxyRules(one).nat;
    const liveSvc = /:(KUBE-SVC-\w+)/.exec(live)![1]!;
    const { nat } = kubeProxyRules(one, { existingNatChains: ['KUBE-SVC-OLDOLDOLDOLDOLDO', 'KUBE-SEP-OLDOLDOLDOLDOLDO', liveSvc, 'KUBE-SERVICES', 'CNI-abc', 'PREROUTING'] });
    const lines = nat.trim().split('\n');
    assert.deepEqual(lines.filter((l) => l.startsWith('-X')), ['-X KUBE-SEP-OLDOLDOLDOLDOLDO', '-X KUBE-SVC-OLDOLDOLDOLDOLDO']);
    assert.ok(lines.includes(':KUBE-SVC-OLDOLDOLDOLDOLDO - [0:0]'));
    assert.equal(lines.filter((l) => l === `:${liveSvc} - [0:0]`).length, 1);
    assert.match(lines.at(-2)!, /NOTE: this must be the last rule in this chain/);
    assert.doesNotMatch(nat, /CNI-abc|:PREROUTING/);
  });

  it('over 1000 endpoints, per-endpoint comments are dropped (largeClusterMode)', () => {
    const endpoints = Array.from({ length: 1001 }, (_, i) => ep(`10.244.${i >> 8}.${i & 255}`));
    const { nat } = kubeProxyRules(input([svc('default', 'big', '10.96.0.60', [{ endpoints }])]));
    assert.match(nat, /^-A KUBE-SEP-\w+ -s 10.244.0.0 -j KUBE-MARK-MASQ$/m);
    assert.match(nat, /^-A KUBE-SVC-\w+ -m statistic --mode random --probability 0.0009990010 -j KUBE-SEP-/m);
    assert.match(nat, /--comment "default\/big:p80 cluster IP"/); // the service-level comments stay
  });
});

describe('input that would corrupt the restore file is refused', () => {
  const cases: { name: string; view: ProxyInput }[] = [
    { name: 'a quote in a name', view: input([svc('default', 'web" -j ACCEPT', '10.96.0.50', [{}])]) },
    { name: 'a space in a port name', view: input([svc('default', 'web', '10.96.0.50', [{ name: 'a b' }])]) },
    { name: 'a cluster IP that is not one', view: input([svc('default', 'web', '10.96.0.500', [{}])]) },
    { name: 'port 0', view: input([svc('default', 'web', '10.96.0.50', [{ port: 0 }])]) },
    { name: 'a bad endpoint', view: input([svc('default', 'web', '10.96.0.50', [{ endpoints: [ep('pod-a')] }])]) },
    { name: 'a bad cluster CIDR', view: { ...input([]), clusterCIDR: '10.244.0.0' } },
    { name: 'a bad node IP', view: { ...input([]), nodeIPs: ['node-1'] } },
  ];
  for (const c of cases) {
    it(c.name, () => assert.throws(() => kubeProxyRules(c.view), (e: unknown) => e instanceof FlatnetError && e.code === 'InvalidServiceView'));
  }
});
