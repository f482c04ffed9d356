import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { ProxyInput, ServiceView } from './model.ts';
import { ipsetRestore, ipvsadmDiff, kubeProxyIpvs, parseIpsetSave, parseIpvsadmSave, type IpvsRules } from './ipvs.ts';

const NODE = '172.18.0.2';
const ep = (ip: string, port = 8080, ready = true) => ({ ip, port, ready });
const svc = (name: string, clusterIP: string, port: Partial<ServiceView['ports'][number]>, extra: Partial<ServiceView> = {}): ServiceView => ({
  namespace: 'shop',
  name,
  type: port.nodePort ? 'NodePort' : 'ClusterIP',
  clusterIP,
  ports: [{ name: '', port: 80, protocol: 'TCP', endpoints: [], ...port }],
  ...extra,
});
const input = (...services: ServiceView[]): ProxyInput => ({ services, nodeIPs: [NODE], clusterCIDR: '10.244.0.0/16' });

const servers = (r: IpvsRules) => Object.fromEntries(r.virtualServers.map((vs) => [`${vs.protocol} ${vs.address}:${vs.port}`, vs.realServers.map((rs) => `${rs.address}:${rs.port}`)]));
const members = (r: IpvsRules, set: string) => r.ipsets.find((s) => s.name === set)?.members ?? [];
const natRules = (r: IpvsRules) => r.iptables.nat.split('\n').filter((l) => l.startsWith('-A '));

describe('kubeProxyIpvs: virtual servers and real servers', () => {
  const cases: { name: string; input: ProxyInput; want: Record<string, string[]> }[] = [
    {
      name: 'a ClusterIP Service with 2 endpoints is 1 virtual server with 2 real servers',
      input: input(svc('web', '10.96.0.20', { endpoints: [ep('10.244.0.5'), ep('10.244.0.6')] })),
      want: { 'tcp 10.96.0.20:80': ['10.244.0.5:8080', '10.244.0.6:8080'] },
    },
    {
      name: 'a NodePort Service also gets a virtual server on each node address, with the same real servers',
      input: { ...input(svc('web', '10.96.0.20', { nodePort: 30080, endpoints: [ep('10.244.0.5')] })), nodeIPs: [NODE, '192.168.1.7'] },
      want: { 'tcp 10.96.0.20:80': ['10.244.0.5:8080'], [`tcp ${NODE}:30080`]: ['10.244.0.5:8080'], 'tcp 192.168.1.7:30080': ['10.244.0.5:8080'] },
    },
    {
      name: 'a LoadBalancer Service gets a virtual server on its ingress address and port',
      input: input(svc('lb', '10.96.0.21', { port: 443, nodePort: 30443, endpoints: [ep('10.244.0.7', 8443)] }, { type: 'LoadBalancer', loadBalancerIPs: ['172.18.255.1'] })),
      want: { 'tcp 10.96.0.21:443': ['10.244.0.7:8443'], 'tcp 172.18.255.1:443': ['10.244.0.7:8443'], [`tcp ${NODE}:30443`]: ['10.244.0.7:8443'] },
    },
    {
      name: 'a Service without ready endpoints keeps its virtual server, with no real server (IPVS refuses its connections)',
      input: input(svc('nobody', '10.96.0.22', { endpoints: [ep('10.244.0.9', 8080, false)] })),
      want: { 'tcp 10.96.0.22:80': [] },
    },
    {
      name: 'a UDP port is a UDP virtual server',
      input: input(svc('dns', '10.96.0.10', { port: 53, protocol: 'UDP', endpoints: [ep('10.244.0.3', 53)] })),
      want: { 'udp 10.96.0.10:53': ['10.244.0.3:53'] },
    },
    {
      name: 'headless and ExternalName Services get nothing',
      input: input(svc('headless', 'None', { endpoints: [ep('10.244.0.5')] }), svc('docs', '', {}, { type: 'ExternalName' })),
      want: {},
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(servers(kubeProxyIpvs(c.input)), c.want));

  it('uses the round-robin scheduler by default, and the one asked for', () => {
    const one = input(svc('web', '10.96.0.20', { endpoints: [ep('10.244.0.5')] }));
    assert.deepEqual(kubeProxyIpvs(one).virtualServers.map((vs) => vs.scheduler), ['rr']);
    assert.deepEqual(kubeProxyIpvs(one, { scheduler: 'wlc' }).virtualServers.map((vs) => vs.scheduler), ['wlc']);
    assert.throws(() => kubeProxyIpvs(one, { scheduler: 'rr -D' }), { code: 'BadIpvsScheduler' });
  });

  it('writes the table as `ipvsadm -Sn` does: -A per virtual server, -a per masquerading real server of weight 1', () => {
    const r = kubeProxyIpvs(input(svc('web', '10.96.0.20', { endpoints: [ep('10.244.0.5'), ep('10.244.0.6')] }), svc('dns', '10.96.0.10', { port: 53, protocol: 'UDP', endpoints: [ep('10.244.0.3', 53)] })));
    const lines = r.ipvsadm.trim().split('\n');
    for (const line of ['-A -t 10.96.0.20:80 -s rr', '-a -t 10.96.0.20:80 -r 10.244.0.5:8080 -m -w 1', '-a -t 10.96.0.20:80 -r 10.244.0.6:8080 -m -w 1', '-A -u 10.96.0.10:53 -s rr', '-a -u 10.96.0.10:53 -r 10.244.0.3:53 -m -w 1']) {
      assert.ok(lines.includes(line), `missing ${line} in\n${r.ipvsadm}`);
    }
    assert.equal(lines.length, 5);
  });

  it('rejects input that would change what the restore files mean', () => {
    assert.throws(() => kubeProxyIpvs(input(svc('web', '10.96.0.20', { endpoints: [ep('10.244.0.5 -D', 80)] }))), { code: 'InvalidServiceView' });
  });
});

describe('kubeProxyIpvs: kube-ipvs0 addresses', () => {
  const cases: { name: string; input: ProxyInput; want: string[] }[] = [
    { name: 'every cluster IP, with or without endpoints', input: input(svc('web', '10.96.0.20', { endpoints: [ep('10.244.0.5')] }), svc('nobody', '10.96.0.22', {})), want: ['10.96.0.20', '10.96.0.22'] },
    { name: 'a cluster IP with two ports once', input: input({ ...svc('web', '10.96.0.20', {}), ports: [{ name: 'a', port: 80, protocol: 'TCP', endpoints: [] }, { name: 'b', port: 81, protocol: 'TCP', endpoints: [] }] }), want: ['10.96.0.20'] },
    { name: 'load-balancer IPs too', input: input(svc('lb', '10.96.0.21', { nodePort: 30443 }, { type: 'LoadBalancer', loadBalancerIPs: ['172.18.255.1'] })), want: ['10.96.0.21', '172.18.255.1'] },
    { name: 'not a load-balancer IP the node already has', input: input(svc('lb', '10.96.0.21', { nodePort: 30443 }, { type: 'LoadBalancer', loadBalancerIPs: [NODE] })), want: ['10.96.0.21'] },
    { name: 'never a node address for NodePorts', input: input(svc('np', '10.96.0.23', { nodePort: 30080 })), want: ['10.96.0.23'] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(kubeProxyIpvs(c.input).addresses.sort(), c.want));

  it('not a load-balancer IP the node has on another interface (announced on its loopback)', () => {
    const lb = input(svc('lb', '10.96.0.21', { nodePort: 30443 }, { type: 'LoadBalancer', loadBalancerIPs: ['172.18.255.200'] }));
    assert.deepEqual(kubeProxyIpvs(lb, { localAddresses: ['127.0.0.1', '172.18.255.200'] }).addresses, ['10.96.0.21']);
    assert.ok(kubeProxyIpvs(lb, { localAddresses: ['172.18.255.200'] }).virtualServers.some((vs) => vs.address === '172.18.255.200'), 'its virtual server stays');
  });
});

describe('kubeProxyIpvs: ipset members', () => {
  const r = kubeProxyIpvs(input(
    svc('web', '10.96.0.20', { nodePort: 30080, endpoints: [ep('10.244.0.5'), ep('10.244.0.6')] }),
    svc('dns', '10.96.0.10', { port: 53, protocol: 'UDP', nodePort: 30053, endpoints: [ep('10.244.0.3', 53)] }),
    svc('lb', '10.96.0.21', { port: 443, nodePort: 30443, endpoints: [ep('10.244.0.7', 8443)] }, { type: 'LoadBalancer', loadBalancerIPs: ['172.18.255.1'] }),
    svc('sctp', '10.96.0.24', { port: 9999, protocol: 'SCTP', nodePort: 30999, endpoints: [] }),
  ));
  const cases: [set: string, want: string[]][] = [
    ['KUBE-CLUSTER-IP', ['10.96.0.10,udp:53', '10.96.0.20,tcp:80', '10.96.0.21,tcp:443', '10.96.0.24,sctp:9999']],
    ['KUBE-LOOP-BACK', ['10.244.0.3,udp:53,10.244.0.3', '10.244.0.5,tcp:8080,10.244.0.5', '10.244.0.6,tcp:8080,10.244.0.6', '10.244.0.7,tcp:8443,10.244.0.7']],
    ['KUBE-NODE-PORT-TCP', ['30080', '30443']],
    ['KUBE-NODE-PORT-UDP', ['30053']],
    ['KUBE-NODE-PORT-SCTP-HASH', [`${NODE},sctp:30999`]],
    ['KUBE-LOAD-BALANCER', ['172.18.255.1,tcp:443']],
    ['KUBE-IPVS-IPS', ['10.96.0.10', '10.96.0.20', '10.96.0.21', '10.96.0.24', '172.18.255.1']],
    ['KUBE-EXTERNAL-IP', []],
    ['KUBE-HEALTH-CHECK-NODE-PORT', []],
  ];
  for (const [set, want] of cases) it(set, () => assert.deepEqual(members(r, set), want));

  it('creates all 17 of kube-proxy\'s sets, even the empty ones, as on a real node', () => {
    assert.equal(r.ipsets.length, 17);
    const creates = r.ipsetRestore.split('\n').filter((l) => l.startsWith('create '));
    assert.equal(creates.length, 17);
    assert.ok(creates.includes('create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536 -exist'));
    assert.ok(creates.includes('create KUBE-NODE-PORT-TCP bitmap:port range 0-65535 -exist'));
  });
});

describe('kubeProxyIpvs: iptables rules', () => {
  const web = svc('web', '10.96.0.20', { nodePort: 30080, endpoints: [ep('10.244.0.5')] });

  it('masquerades traffic to a cluster IP from outside the pod network, by set, not per Service', () => {
    const one = natRules(kubeProxyIpvs(input(web)));
    const many = natRules(kubeProxyIpvs(input(web, svc('a', '10.96.0.30', { endpoints: [ep('10.244.0.8')] }), svc('b', '10.96.0.31', {}))));
    assert.ok(one.includes('-A KUBE-SERVICES -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ'));
    assert.deepEqual(many, one, 'more Services, same rules');
  });

  it('masquerades the hairpin (a pod sent back to itself) in KUBE-POSTROUTING, before the mark check', () => {
    const rules = natRules(kubeProxyIpvs(input(web))).filter((l) => l.startsWith('-A KUBE-POSTROUTING'));
    assert.match(rules[0]!, /--match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE$/);
    assert.equal(rules[1], '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN');
  });

  it('marks NodePort traffic through KUBE-NODE-PORT, reached for local destinations', () => {
    const rules = natRules(kubeProxyIpvs(input(web)));
    assert.ok(rules.includes('-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT'));
    assert.ok(rules.includes('-A KUBE-NODE-PORT -p tcp -m comment --comment "Kubernetes nodeport TCP port for masquerade purpose" -m set --match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ'));
  });

  it('writes no rule for a set that is empty', () => {
    const rules = natRules(kubeProxyIpvs(input(svc('c', '10.96.0.20', { endpoints: [ep('10.244.0.5')] }))));
    assert.equal(rules.filter((l) => /KUBE-NODE-PORT-(TCP|UDP)|KUBE-LOAD-BALANCER dst/.test(l)).length, 0);
  });

  it('refuses new connections to other ports of the kube-ipvs0 addresses (filter KUBE-IPVS-FILTER)', () => {
    const filter = kubeProxyIpvs(input(web)).iptables.filter;
    assert.match(filter, /^-A KUBE-IPVS-FILTER -m set --match-set KUBE-CLUSTER-IP dst,dst -j RETURN$/m);
    assert.match(filter, /^-A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -m set --match-set KUBE-IPVS-IPS dst -j REJECT$/m);
  });

  it('declares only kube-proxy\'s chains, never a built-in one', () => {
    const { nat, filter } = kubeProxyIpvs(input(web)).iptables;
    const declared = `${nat}${filter}`.split('\n').filter((l) => l.startsWith(':')).map((l) => l.slice(1).split(' ')[0]);
    assert.ok(declared.every((c) => c?.startsWith('KUBE-')), declared.join(' '));
  });

  it('uses MASQUERADE --random-fully only where iptables has it', () => {
    assert.match(kubeProxyIpvs(input(web)).iptables.nat, /-j MASQUERADE --random-fully$/m);
    assert.doesNotMatch(kubeProxyIpvs(input(web), { randomFully: false }).iptables.nat, /--random-fully/);
  });
});

describe('ipvsadmDiff: only what changed', () => {
  const wanted = kubeProxyIpvs(input(svc('web', '10.96.0.20', { endpoints: [ep('10.244.0.5'), ep('10.244.0.6')] }))).virtualServers;
  const cases: { name: string; current: string; want: string[] }[] = [
    { name: 'an empty node gets everything', current: '', want: ['-A -t 10.96.0.20:80 -s rr', '-a -t 10.96.0.20:80 -r 10.244.0.5:8080 -m -w 1', '-a -t 10.96.0.20:80 -r 10.244.0.6:8080 -m -w 1'] },
    { name: 'the same table needs nothing', current: kubeProxyIpvs(input(svc('web', '10.96.0.20', { endpoints: [ep('10.244.0.6'), ep('10.244.0.5')] }))).ipvsadm, want: [] },
    {
      name: 'a moved endpoint: one real server deleted, one added, the virtual server kept',
      current: '-A -t 10.96.0.20:80 -s rr\n-a -t 10.96.0.20:80 -r 10.244.0.5:8080 -m -w 1\n-a -t 10.96.0.20:80 -r 10.244.0.9:8080 -m -w 1\n',
      want: ['-d -t 10.96.0.20:80 -r 10.244.0.9:8080', '-a -t 10.96.0.20:80 -r 10.244.0.6:8080 -m -w 1'],
    },
    { name: 'a Service that is gone is deleted', current: '-A -u 10.96.0.99:53 -s rr\n-a -u 10.96.0.99:53 -r 10.244.0.3:53 -m -w 1\n' + kubeProxyIpvs(input(svc('web', '10.96.0.20', { endpoints: [ep('10.244.0.5'), ep('10.244.0.6')] }))).ipvsadm, want: ['-D -u 10.96.0.99:53'] },
    {
      name: 'a changed scheduler or persistence is edited in place, a changed weight too',
      current: '-A -t 10.96.0.20:80 -s wlc -p 10800\n-a -t 10.96.0.20:80 -r 10.244.0.5:8080 -m -w 3\n-a -t 10.96.0.20:80 -r 10.244.0.6:8080 -m -w 1\n',
      want: ['-E -t 10.96.0.20:80 -s rr', '-e -t 10.96.0.20:80 -r 10.244.0.5:8080 -m -w 1'],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(ipvsadmDiff(parseIpvsadmSave(c.current), wanted), c.want));
});

describe('ipsetRestore against `ipset save`: only the difference', () => {
  const sets = kubeProxyIpvs(input(svc('web', '10.96.0.20', { endpoints: [ep('10.244.0.5')] }))).ipsets;
  const saved = [
    'create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x1',
    'add KUBE-CLUSTER-IP 10.96.0.20,tcp:80',
    'add KUBE-CLUSTER-IP 10.96.0.99,udp:53',
    'create OTHER hash:ip family inet',
    'add OTHER 1.2.3.4',
  ].join('\n');
  const lines = ipsetRestore(sets, parseIpsetSave(saved)).trim().split('\n');
  it('deletes the stale member', () => assert.ok(lines.includes('del KUBE-CLUSTER-IP 10.96.0.99,udp:53')));
  it('does not re-add the member that stays', () => assert.ok(!lines.some((l) => l.startsWith('add KUBE-CLUSTER-IP 10.96.0.20,'))));
  it('adds the new ones', () => assert.ok(lines.includes('add KUBE-IPVS-IPS 10.96.0.20 -exist')));
  it('leaves sets that are not kube-proxy\'s alone', () => assert.ok(!lines.some((l) => l.includes(' OTHER'))));
});

// The set and rule texts, loaded by the real ipset and iptables into a scratch network
// namespace: the kernel's ipset and xt_set accept them (IPVS itself is not needed for this).
const loadReason = (() => {
  if (process.getuid?.() !== 0) return 'needs root (a scratch network namespace)';
  for (const cmd of ['ipset', 'iptables-restore', 'unshare']) if (spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0) return `${cmd} is not installed (apt-get install ipset iptables util-linux)`;
  const probe = spawnSync('unshare', ['-n', 'sh', '-c', 'ipset create FLATNET-PROBE hash:ip && ipset destroy FLATNET-PROBE'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : `this kernel has no ipset (${probe.stderr.trim()})`;
})();
if (loadReason) console.log(`# ipset/iptables load test skipped: ${loadReason}`);

describe('the ipset and iptables texts load into a real kernel', { skip: loadReason }, () => {
  it('twice in a row (a resync changes nothing and fails on nothing)', () => {
    const r = kubeProxyIpvs(input(
      svc('web', '10.96.0.20', { nodePort: 30080, endpoints: [ep('10.244.0.5'), ep('10.244.0.6')] }),
      svc('dns', '10.96.0.10', { port: 53, protocol: 'UDP', nodePort: 30053, endpoints: [ep('10.244.0.3', 53)] }),
      svc('lb', '10.96.0.21', { port: 443, nodePort: 30443, endpoints: [ep('10.244.0.7', 8443)] }, { type: 'LoadBalancer', loadBalancerIPs: ['172.18.255.1'] }),
      svc('nobody', '10.96.0.22', {}),
    ));
    const script = [
      `printf '%s' "$IPSETS" | ipset restore -exist`,
      `printf '%s' "$IPSETS" | ipset restore -exist`,
      `printf '%s' "$RULES" | iptables-restore -w 5 --noflush --counters`,
      `printf '%s' "$RULES" | iptables-restore -w 5 --noflush --counters`,
      'ipset save; echo ===; iptables-save -t nat; iptables-save -t filter',
    ].join(' && ');
    const out = spawnSync('unshare', ['-n', 'sh', '-c', script], { encoding: 'utf8', env: { ...process.env, IPSETS: r.ipsetRestore, RULES: r.iptables.nat + r.iptables.filter } });
    assert.equal(out.status, 0, out.stderr);
    const [ipsets = '', tables = ''] = out.stdout.split('===\n');
    assert.deepEqual(parseIpsetSave(ipsets).get('KUBE-CLUSTER-IP'), new Set(members(r, 'KUBE-CLUSTER-IP')));
    assert.equal(tables.split('\n').filter((l) => l.startsWith('-A KUBE-')).length, natRules(r).length + r.iptables.filter.split('\n').filter((l) => l.startsWith('-A ')).length);
  });
});
