import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ProxyInput } from './model.ts';
import { hashedName, kubeProxyNftables } from './nftables.ts';

describe('hashedName: kube-proxy nftables chain names', () => {
  // Hashes from kubernetes' pkg/proxy/nftables/proxier_test.go and a real node's ruleset.
  const cases: [string, string][] = [
    ['ns1/svc1/tcp/p80', 'ULMVA6XW'],
    ['ns1/svc1/tcp/p80__10.180.0.1/80', '5OJB2KTY'],
    ['ns4/svc4/tcp/p80', 'LAUZTJTB'],
    ['ns4/svc4/tcp/p80__10.180.0.4/80', 'UNZV3OEC'],
    ['riset/hellopod-np-svc/tcp/', 'P6J77WGM'],
    ['kube-system/kube-dns/udp/dns', 'FY5PMXPG'],
  ];
  for (const [name, hash] of cases) it(name, () => assert.equal(hashedName(name), `${hash}-${name}`));
});

describe('kubeProxyNftables', () => {
  const input: ProxyInput = {
    nodeIPs: ['172.18.0.2'],
    clusterCIDR: '10.244.0.0/16',
    services: [
      { namespace: 'ns4', name: 'svc4', type: 'NodePort', clusterIP: '172.30.0.44', ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 30080, endpoints: [{ ip: '10.180.0.4', port: 80, ready: true }, { ip: '10.180.0.5', port: 80, ready: true }] }] },
      { namespace: 'ns6', name: 'svc6', type: 'NodePort', clusterIP: '172.30.0.46', ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 30046, endpoints: [] }] },
    ],
  };
  const text = kubeProxyNftables(input, { serviceCIDR: '172.30.0.0/16', existingChains: ['services', 'service-AAAAAAAA-gone/svc/tcp/', 'endpoint-BBBBBBBB-gone/svc/tcp/__10.1.1.1/80'] });
  const lines = text.trim().split('\n');

  it('writes the Service with endpoints as kube-proxy does: a vmap entry, a numgen pick, DNAT per endpoint', () => {
    for (const line of [
      'add element ip kube-proxy service-ips { 172.30.0.44 . tcp . 80 : goto service-LAUZTJTB-ns4/svc4/tcp/p80 }',
      'add element ip kube-proxy service-nodeports { tcp . 30080 : goto external-LAUZTJTB-ns4/svc4/tcp/p80 }',
      'add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 ip daddr 172.30.0.44 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade',
      'add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 numgen random mod 2 vmap { 0 : goto endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 , 1 : goto endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 }',
      'add rule ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80 jump mark-for-masquerade',
      'add rule ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80 goto service-LAUZTJTB-ns4/svc4/tcp/p80',
      'add rule ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 ip saddr 10.180.0.4 jump mark-for-masquerade',
      'add rule ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 meta l4proto tcp dnat to 10.180.0.4:80',
      'add element ip kube-proxy nodeport-ips { 172.18.0.2 }',
      'add rule ip kube-proxy cluster-ips-check ip daddr { 172.30.0.0/16 } drop comment "Drop traffic to unallocated ClusterIPs"',
    ]) assert.ok(lines.includes(line), line);
  });

  it('gives a Service with no endpoints map entries to reject-chain and no chains', () => {
    assert.ok(lines.includes('add element ip kube-proxy no-endpoint-services { 172.30.0.46 . tcp . 80 comment "ns6/svc6:p80" : goto reject-chain }'));
    assert.ok(lines.includes('add element ip kube-proxy no-endpoint-nodeports { tcp . 30046 comment "ns6/svc6:p80" : goto reject-chain }'));
    assert.ok(!text.includes('ns6/svc6/'), 'no chain for svc6');
  });

  it('declares every chain before any rule or element names it', () => {
    const declared = new Set<string>();
    for (const line of lines) {
      const decl = /^add chain ip kube-proxy (\S+)/.exec(line);
      if (decl) declared.add(decl[1]!);
      for (const m of line.matchAll(/(?:goto|jump) (\S+?)(?= |$)/g)) assert.ok(declared.has(m[1]!) || !/^add (rule|element)/.test(line), `${m[1]} used before it is declared: ${line}`);
    }
  });

  it('flushes every stale per-service chain before deleting any, and leaves stock chains alone', () => {
    const flushed = lines.findIndex((l) => l === 'flush chain ip kube-proxy service-AAAAAAAA-gone/svc/tcp/');
    const deleted = lines.findIndex((l) => l.startsWith('delete chain'));
    assert.ok(flushed >= 0 && deleted > flushed);
    assert.deepEqual(lines.filter((l) => l.startsWith('delete chain')), ['delete chain ip kube-proxy endpoint-BBBBBBBB-gone/svc/tcp/__10.1.1.1/80', 'delete chain ip kube-proxy service-AAAAAAAA-gone/svc/tcp/']);
  });

  it('sends a load-balancer address into the external chain, or to reject-chain without endpoints', () => {
    const lb: ProxyInput = {
      ...input,
      services: input.services.map((svc) => ({ ...svc, type: 'LoadBalancer' as const, loadBalancerIPs: [svc.name === 'svc4' ? '172.18.255.200' : '172.18.255.201'] })),
    };
    const got = kubeProxyNftables(lb).split('\n');
    assert.ok(got.includes('add element ip kube-proxy service-ips { 172.18.255.200 . tcp . 80 : goto external-LAUZTJTB-ns4/svc4/tcp/p80 }'));
    assert.ok(got.includes('add element ip kube-proxy no-endpoint-services { 172.18.255.201 . tcp . 80 comment "ns6/svc6:p80" : goto reject-chain }'));
  });
});
