/*
 * applyIpvsRules against a recording fake node: which commands run, in which order, with
 * which input — no kernel needed. The fake keeps just enough state (kube-ipvs0's addresses,
 * ipset members, the IPVS table, the jumps in the built-in chains) for a second apply to see
 * what the first one did.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FlatnetError } from '../../../../checkers/errors.ts';
import { withJumps, type Run } from './apply.ts';
import { applyIpvsRules, needsConnReuseModeZero, parseAddresses } from './apply-ipvs.ts';
import { IPVS_JUMP_CHAINS, kubeProxyIpvs, parseIpsetSave } from './ipvs.ts';
import type { ProxyInput } from './model.ts';

type Result = { code: number; stdout: string; stderr: string };
const ok = (stdout = ''): Result => ({ code: 0, stdout, stderr: '' });

class FakeNode {
  calls: { cmd: string; args: string[]; stdin?: string }[] = [];
  device = false;
  addresses = new Set<string>();
  /** On the node's other interfaces: its own address, and a load-balancer IP it announces. */
  others: [dev: string, cidr: string][] = [['lo', '127.0.0.1/8'], ['eth0', '172.18.0.2/16']];
  ipsets = new Map<string, Set<string>>();
  ipvs = new Map<string, string[]>(); // `-t ip:port` → its `-a` lines
  jumps: string[] = []; // `*table -A SRC ...`: the jumps in the built-in chains
  kernel = '6.1.0-18-amd64';
  fail: { cmd: string; args?: string; result: Result } | undefined;

  run: Run = async (cmd, args, stdin) => {
    this.calls.push({ cmd, args, ...(stdin === undefined ? {} : { stdin }) });
    await new Promise((resolve) => setImmediate(resolve)); // a real command takes a while: let others interleave if they can
    if (this.fail && this.fail.cmd === cmd && (!this.fail.args || args.join(' ') === this.fail.args)) return this.fail.result;
    const line = `${cmd} ${args.join(' ')}`;
    if (cmd === 'sh' && args[1]?.startsWith('sysctl')) return ok(`${this.kernel}\niptables v1.8.9 (nf_tables)\n`);
    if (cmd === 'sysctl') return ok();
    if (line === 'ip -o -4 address show') {
      const all: [string, string][] = [...this.others, ...[...this.addresses].map((a): [string, string] => ['kube-ipvs0', `${a}/32`])];
      return ok(all.map(([dev, cidr], i) => `${i + 1}: ${dev}    inet ${cidr} scope global ${dev}\\       valid_lft forever preferred_lft forever`).join('\n'));
    }
    if (line === 'ip -o link show dev kube-ipvs0') {
      if (!this.device) return { code: 1, stdout: '', stderr: 'Device "kube-ipvs0" does not exist.\n' };
      return ok('7: kube-ipvs0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000');
    }
    if (line === 'ip link add kube-ipvs0 type dummy') return ((this.device = true), ok());
    if (line === 'ip -batch -') {
      for (const l of stdin!.trim().split('\n')) {
        const [, op, addr] = /^address (add|del) (\S+)\/32 dev kube-ipvs0$/.exec(l)!;
        if (op === 'add') this.addresses.add(addr!);
        else this.addresses.delete(addr!);
      }
      return ok();
    }
    if (line === 'ipset save') return ok([...this.ipsets].flatMap(([set, ms]) => [`create ${set} x`, ...[...ms].map((m) => `add ${set} ${m}`)]).join('\n'));
    if (line === 'ipset restore -exist') {
      for (const l of stdin!.trim().split('\n')) {
        const [op, set, member] = l.split(' ');
        if (op === 'create' && !this.ipsets.has(set!)) this.ipsets.set(set!, new Set());
        if (op === 'add') this.ipsets.get(set!)!.add(member!);
        if (op === 'del') this.ipsets.get(set!)!.delete(member!);
      }
      return ok();
    }
    if (cmd === 'sh' && args[1]?.startsWith('iptables-save')) {
      const rules = (table: string) => this.jumps.filter((j) => j.startsWith(`*${table} `)).map((j) => j.slice(table.length + 2));
      return ok(['*filter', ':INPUT ACCEPT [0:0]', ...rules('filter'), 'COMMIT', '*nat', ':PREROUTING ACCEPT [0:0]', ...rules('nat'), 'COMMIT', ''].join('\n'));
    }
    if (cmd === 'iptables-restore') {
      let table = '';
      for (const l of stdin!.split('\n')) {
        if (l.startsWith('*')) table = l;
        if (l.startsWith('-I ')) this.jumps.push(`${table} ${l.replace(/^-I (\S+) 1 /, '-A $1 ')}`);
      }
      return ok();
    }
    if (line === 'ipvsadm -Sn') return ok([...this.ipvs].flatMap(([vs, reals]) => [`-A ${vs} -s rr`, ...reals]).join('\n'));
    if (line === 'ipvsadm -R') {
      for (const l of stdin!.trim().split('\n')) {
        const [op, flag, target, , real] = l.split(' ');
        const vs = `${flag} ${target}`;
        if (op === '-A') this.ipvs.set(vs, []);
        else if (op === '-D') this.ipvs.delete(vs);
        else if (op === '-a') this.ipvs.get(vs)!.push(l);
        else if (op === '-d') this.ipvs.set(vs, this.ipvs.get(vs)!.filter((a) => !a.includes(` -r ${real} `)));
      }
      return ok();
    }
    return { code: 127, stdout: '', stderr: `fake node: unexpected ${line}` };
  };

  /** The commands run, without the repeated reads: what an apply changed and how. */
  get names() {
    return this.calls.map((c) => (c.cmd === 'sh' ? `sh ${c.args[1]!.split(' ')[0]}` : `${c.cmd} ${c.args.join(' ')}`));
  }
}

const NODE = '172.18.0.2';
const web = (endpoints: string[]) => ({
  namespace: 'shop', name: 'web', type: 'NodePort' as const, clusterIP: '10.96.0.20',
  ports: [{ name: '', port: 80, protocol: 'TCP' as const, nodePort: 30080, endpoints: endpoints.map((ip) => ({ ip, port: 8080, ready: true })) }],
});
const nobody = { namespace: 'shop', name: 'nobody', type: 'ClusterIP' as const, clusterIP: '10.96.0.22', ports: [{ name: '', port: 80, protocol: 'TCP' as const, endpoints: [] }] };
const input = (...services: ProxyInput['services']): ProxyInput => ({ services, nodeIPs: [NODE], clusterCIDR: '10.244.0.0/16' });

describe('applyIpvsRules on a new node', () => {
  it('prepares the node, makes kube-ipvs0, binds, loads sets, then rules, then virtual servers', async () => {
    const node = new FakeNode();
    await applyIpvsRules(input(web(['10.244.0.5', '10.244.0.6']), nobody), node.run);
    assert.deepEqual(node.names, [
      'sh sysctl',
      'ip -o -4 address show',
      'ip -o link show dev kube-ipvs0',
      'ip link add kube-ipvs0 type dummy',
      'ip -batch -',
      'ipset save',
      'ipset restore -exist',
      'sh iptables-save',
      'iptables-restore -w 5 --noflush --counters',
      'ipvsadm -Sn',
      'ipvsadm -R',
    ]);
    assert.match(node.calls[0]!.args[1]!, /sysctl -qw net\.ipv4\.vs\.conntrack=1 net\.ipv4\.vs\.expire_nodest_conn=1 net\.ipv4\.vs\.expire_quiescent_template=1 net\.ipv4\.ip_forward=1/);
    assert.deepEqual([...node.addresses].sort(), ['10.96.0.20', '10.96.0.22']);
    assert.deepEqual(node.ipvs.get('-t 10.96.0.20:80'), ['-a -t 10.96.0.20:80 -r 10.244.0.5:8080 -m -w 1', '-a -t 10.96.0.20:80 -r 10.244.0.6:8080 -m -w 1']);
    assert.deepEqual(node.ipvs.get(`-t ${NODE}:30080`)?.length, 2);
    assert.deepEqual(node.ipvs.get('-t 10.96.0.22:80'), [], 'no endpoint: a virtual server with no real server');
    assert.deepEqual([...node.ipsets.get('KUBE-NODE-PORT-TCP')!], ['30080']);
    assert.equal(node.jumps.length, 9, 'every jump of kube-proxy\'s IPVS mode, once');
  });

  it('never runs ipvsadm-restore or ipvsadm --clear (both would drop every virtual server)', async () => {
    const node = new FakeNode();
    await applyIpvsRules(input(web(['10.244.0.5'])), node.run);
    await applyIpvsRules(input(web(['10.244.0.6'])), node.run);
    assert.ok(!node.calls.some((c) => c.cmd === 'ipvsadm-restore' || c.args.includes('--clear') || c.args.includes('-C')));
  });
});

describe('applyIpvsRules again', () => {
  it('with nothing changed: reads, writes no address, no IPVS change, no new jump, no second preparation', async () => {
    const node = new FakeNode();
    await applyIpvsRules(input(web(['10.244.0.5'])), node.run);
    node.calls = [];
    const jumps = node.jumps.length;
    await applyIpvsRules(input(web(['10.244.0.5'])), node.run);
    assert.deepEqual(node.names, ['ip -o -4 address show', 'ipset save', 'ipset restore -exist', 'sh iptables-save', 'iptables-restore -w 5 --noflush --counters', 'ipvsadm -Sn']);
    assert.ok(!node.calls.find((c) => c.cmd === 'ipset' && c.args[0] === 'restore')!.stdin!.match(/^(add|del) /m), 'only the creates');
    assert.equal(node.jumps.length, jumps);
  });

  it('with a moved endpoint: one real server out, one in, the set member swapped', async () => {
    const node = new FakeNode();
    await applyIpvsRules(input(web(['10.244.0.5'])), node.run);
    node.calls = [];
    await applyIpvsRules(input(web(['10.244.0.6'])), node.run);
    const restore = node.calls.find((c) => c.cmd === 'ipvsadm' && c.args[0] === '-R')!.stdin!.trim().split('\n');
    assert.deepEqual(restore.sort(), [
      `-a -t ${NODE}:30080 -r 10.244.0.6:8080 -m -w 1`,
      '-a -t 10.96.0.20:80 -r 10.244.0.6:8080 -m -w 1',
      `-d -t ${NODE}:30080 -r 10.244.0.5:8080`,
      '-d -t 10.96.0.20:80 -r 10.244.0.5:8080',
    ].sort());
    const sets = node.calls.find((c) => c.cmd === 'ipset' && c.args[0] === 'restore')!.stdin!;
    assert.match(sets, /^del KUBE-LOOP-BACK 10\.244\.0\.5,tcp:8080,10\.244\.0\.5$/m);
    assert.match(sets, /^add KUBE-LOOP-BACK 10\.244\.0\.6,tcp:8080,10\.244\.0\.6 -exist$/m);
  });

  it('with a Service deleted: its virtual server is deleted, then its address is removed from kube-ipvs0', async () => {
    const node = new FakeNode();
    await applyIpvsRules(input(web(['10.244.0.5']), nobody), node.run);
    node.calls = [];
    await applyIpvsRules(input(web(['10.244.0.5'])), node.run);
    const names = node.names;
    assert.deepEqual(names.slice(-2), ['ipvsadm -R', 'ip -batch -']);
    assert.equal(node.calls.at(-2)!.stdin, '-D -t 10.96.0.22:80\n');
    assert.equal(node.calls.at(-1)!.stdin, 'address del 10.96.0.22/32 dev kube-ipvs0\n');
    assert.deepEqual([...node.addresses], ['10.96.0.20']);
    assert.deepEqual([...parseIpsetSave((await node.run('ipset', ['save'])).stdout).get('KUBE-IPVS-IPS')!], ['10.96.0.20']);
  });
});

describe('applyIpvsRules: load-balancer addresses', () => {
  const lb = { ...web(['10.244.0.5']), name: 'lb', type: 'LoadBalancer' as const, clusterIP: '10.96.0.30', loadBalancerIPs: ['172.18.255.200'] };
  it('binds a load-balancer IP to kube-ipvs0 on a node that does not carry it', async () => {
    const node = new FakeNode();
    await applyIpvsRules(input(lb), node.run);
    assert.deepEqual([...node.addresses].sort(), ['10.96.0.30', '172.18.255.200']);
    assert.ok(node.ipvs.has('-t 172.18.255.200:80'));
  });
  it('not on the node that announces it (it is on its loopback already), which still serves it', async () => {
    const node = new FakeNode();
    node.others.push(['lo', '172.18.255.200/32']);
    await applyIpvsRules(input(lb), node.run);
    assert.deepEqual([...node.addresses], ['10.96.0.30']);
    assert.ok(node.ipvs.has('-t 172.18.255.200:80'));
  });
});

describe('applyIpvsRules: one node, one apply at a time', () => {
  it('queues concurrent applies on one node (each reads what the one before wrote)', async () => {
    const node = new FakeNode();
    await Promise.all([applyIpvsRules(input(web(['10.244.0.5'])), node.run), applyIpvsRules(input(web(['10.244.0.6'])), node.run)]);
    const creates = node.names.filter((n) => n === 'ip link add kube-ipvs0 type dummy');
    assert.equal(creates.length, 1, 'the second apply saw the device the first made');
    assert.equal(node.jumps.length, 9, 'and the jumps it inserted');
    assert.deepEqual(node.ipvs.get('-t 10.96.0.20:80'), ['-a -t 10.96.0.20:80 -r 10.244.0.6:8080 -m -w 1'], 'the last apply wins');
  });
});

describe('applyIpvsRules: failures say what, why and what next', () => {
  const cases: { name: string; fail: FakeNode['fail'] & object; what: RegExp; fix: RegExp; touched: string }[] = [
    { name: 'no IPVS sysctls (no ip_vs module)', fail: { cmd: 'sh', result: { code: 255, stdout: '', stderr: 'sysctl: cannot stat /proc/sys/net/ipv4/vs/conntrack: No such file or directory' } }, what: /preparing the node for IPVS failed: .*cannot stat \/proc\/sys\/net\/ipv4\/vs\/conntrack/, fix: /modprobe ip_vs/, touched: 'sh' },
    { name: 'no dummy interfaces', fail: { cmd: 'ip', args: 'link add kube-ipvs0 type dummy', result: { code: 2, stdout: '', stderr: 'Error: Unknown device type.' } }, what: /creating kube-ipvs0 failed: ip link add kube-ipvs0 type dummy exited 2: Error: Unknown device type\./, fix: /modprobe dummy/, touched: 'ip' },
    { name: 'no ipset in the kernel', fail: { cmd: 'ipset', args: 'restore -exist', result: { code: 1, stdout: '', stderr: "ipset v7.17: Kernel error received: Operation not supported" } }, what: /loading the ipsets failed: ipset restore -exist exited 1: .*Operation not supported/, fix: /modprobe ip_set/, touched: 'ipset' },
    { name: 'a kernel that refuses a virtual server', fail: { cmd: 'ipvsadm', args: '-R', result: { code: 1, stdout: '', stderr: 'Memory allocation problem' } }, what: /loading the virtual servers failed: ipvsadm -R exited 1: Memory allocation problem/, fix: /ipvsadm -Ln/, touched: 'ipvsadm' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const node = new FakeNode();
      node.fail = c.fail;
      const err = await applyIpvsRules(input(web(['10.244.0.5'])), node.run).then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof FlatnetError, String(err));
      assert.equal(err.code, 'ProxyRulesFailed');
      assert.match(err.message, c.what);
      assert.match(err.fix ?? '', c.fix);
      assert.equal(node.calls.at(-1)!.cmd, c.touched, 'it stops at the step that failed');
    });
  }

  it('invalid input fails before the node is touched', async () => {
    const node = new FakeNode();
    const bad = input({ ...web([]), clusterIP: '10.96.0.20; ipvsadm -C' });
    await assert.rejects(applyIpvsRules(bad, node.run), { code: 'InvalidServiceView' });
    assert.equal(node.calls.length, 0);
  });
});

describe('needsConnReuseModeZero: kube-proxy sets conn_reuse_mode=0 on kernels 4.1 to 5.8', () => {
  const cases: [string, boolean][] = [['3.10.0-1160.el7.x86_64', false], ['4.1.0', true], ['4.19.0-26-amd64', true], ['5.8.18', true], ['5.9.0', false], ['6.1.0-18-amd64', false], ['', false]];
  for (const [release, want] of cases) it(release || '(unknown)', () => assert.equal(needsConnReuseModeZero(release), want));

  it('is set on such a kernel, and only there', async () => {
    const old = new FakeNode();
    old.kernel = '4.19.0-26-amd64';
    await applyIpvsRules(input(web(['10.244.0.5'])), old.run);
    assert.ok(old.names.includes('sysctl -qw net.ipv4.vs.conn_reuse_mode=0'));
    const recent = new FakeNode();
    await applyIpvsRules(input(web(['10.244.0.5'])), recent.run);
    assert.ok(!recent.names.some((n) => n.includes('conn_reuse_mode')));
  });
});

describe('parseAddresses', () => {
  it('reads `ip -o -4 address show`, device names without their @peer', () => {
    const text = '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n3: eth0@if9    inet 172.18.0.2/16 brd 172.18.255.255 scope global eth0\\       valid_lft forever preferred_lft forever\n7: kube-ipvs0    inet 10.96.0.10/32 scope global kube-ipvs0\\       valid_lft forever preferred_lft forever';
    assert.deepEqual(parseAddresses(text), [{ dev: 'lo', ip: '127.0.0.1', prefix: 8 }, { dev: 'eth0', ip: '172.18.0.2', prefix: 16 }, { dev: 'kube-ipvs0', ip: '10.96.0.10', prefix: 32 }]);
  });
});

describe('withJumps with ipvs mode\'s jumps', () => {
  const { nat, filter } = kubeProxyIpvs(input(web(['10.244.0.5']))).iptables;
  it('inserts every missing jump into its table, after the chain declarations', () => {
    const text = withJumps(nat + filter, '', IPVS_JUMP_CHAINS);
    const natPart = text.slice(0, text.indexOf('*filter'));
    assert.match(natPart, /:KUBE-MARK-MASQ - \[0:0\]\n-I OUTPUT 1 -m comment --comment "kubernetes service portals" -j KUBE-SERVICES\n/);
    assert.match(natPart, /^-I POSTROUTING 1 -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING$/m);
    assert.match(text.slice(text.indexOf('*filter')), /^-I INPUT 1 -m comment --comment "kubernetes ipvs access filter" -j KUBE-IPVS-FILTER$/m);
    assert.equal(text.split('\n').filter((l) => l.startsWith('-I ')).length, 9);
  });
  it('leaves out the jumps the node has', () => {
    const save = '*nat\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES\nCOMMIT\n';
    const text = withJumps(nat + filter, save, IPVS_JUMP_CHAINS);
    assert.doesNotMatch(text, /-I OUTPUT 1 -m comment --comment "kubernetes service portals"/);
    assert.match(text, /-I PREROUTING 1 -m comment --comment "kubernetes service portals" -j KUBE-SERVICES/);
  });
});
