import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildCluster } from '../../../../checkers/engine/index.ts';
import { np, ns, pod } from '../../../../checkers/engine/testdata/objects.ts';
import { chainName, MAX_CHAIN_NAME } from './chain-names.ts';
import { familyRules, policyRules } from './iptables.ts';

/**
 * The generated text, line by line, for small clusters. Lines are written out in full, as
 * iptables-save prints them (kernel.test.ts checks that it does), because they are what a
 * learner reads in the node shell.
 */
const world = [
  ns('x', { team: 'red' }),
  ns('y', { team: 'blue' }),
  pod('x', 'a', { app: 'a' }, [{ containerPort: 80, name: 'http' }, { containerPort: 53, name: 'dns', protocol: 'UDP' }], ['10.0.1.1', 'fd00::1:1']),
  pod('x', 'b', { app: 'b' }, [{ containerPort: 80 }, { containerPort: 81, name: 'http' }], ['10.0.1.2', 'fd00::1:2']),
  pod('y', 'c', { app: 'c' }, [{ containerPort: 80, name: 'http' }, { containerPort: 8080 }], ['10.0.2.1']),
];

const denyIn = (namespace: string) => np(namespace, 'deny-in', { podSelector: {}, policyTypes: ['Ingress'] });
const denyOut = (namespace: string) => np(namespace, 'deny-out', { podSelector: {}, policyTypes: ['Egress'] });
const allowIn = (namespace: string, name: string, rule: object, podSelector: object = {}) => np(namespace, name, { podSelector, policyTypes: ['Ingress'], ingress: [rule] });
const allowOut = (namespace: string, name: string, rule: object, podSelector: object = {}) => np(namespace, name, { podSelector, policyTypes: ['Egress'], egress: [rule] });

const IN = (pod: string) => chainName('podIngress', pod);
const OUT = (pod: string) => chainName('podEgress', pod);
const NP_IN = (policy: string) => chainName('policyIngress', policy);
const NP_OUT = (policy: string) => chainName('policyEgress', policy);
const MARK = 'MARK --set-xmark 0x10000/0x10000';
const line = (chain: string, args: string, comment: string, target: string) => `-A ${chain}${args ? ` ${args}` : ''} -m comment --comment "${comment}" -j ${target}`;
const REPLIES = line('FLATNET-FORWARD', '-m conntrack --ctstate RELATED,ESTABLISHED', 'replies and related packets: policy was checked on the first packet of their flow', 'RETURN');

function rules(policies: object[], family: 4 | 6 = 4): string[] {
  const { cluster } = buildCluster([...world, ...policies]);
  return familyRules(cluster, family).split('\n').filter((l) => l.startsWith('-A '));
}

type Case = { name: string; policies: object[]; family?: 4 | 6; has: string[]; lacks?: RegExp[]; exactly?: boolean };

const cases: Case[] = [
  { name: 'no policy: only the replies rule', policies: [], has: [REPLIES], exactly: true },
  {
    name: 'deny ingress: FORWARD sends traffic to each isolated pod to its chain, which drops it',
    policies: [denyIn('x')],
    has: [
      line('FLATNET-FORWARD', '-d 10.0.1.1/32', 'x/a ingress: isolated by x/deny-in', IN('x/a')),
      line('FLATNET-FORWARD', '-d 10.0.1.2/32', 'x/b ingress: isolated by x/deny-in', IN('x/b')),
      line(IN('x/a'), '', 'x/a ingress: isolated by x/deny-in and no rule allows this', 'DROP'),
    ],
    lacks: [/FLATNET-EGRESS-/, /10\.0\.2\.1/, /MARK/],
  },
  {
    name: 'deny egress: FORWARD matches the isolated pod as the source',
    policies: [denyOut('x')],
    has: [
      line('FLATNET-FORWARD', '-s 10.0.1.1/32', 'x/a egress: isolated by x/deny-out', OUT('x/a')),
      line(OUT('x/a'), '', 'x/a egress: isolated by x/deny-out and no rule allows this', 'DROP'),
    ],
    lacks: [/FLATNET-INGRESS-/],
  },
  {
    name: 'egress jumps come before ingress jumps, replies first of all',
    policies: [denyIn('x'), denyOut('x')],
    has: [REPLIES, line('FLATNET-FORWARD', '-s 10.0.1.1/32', 'x/a egress: isolated by x/deny-out', OUT('x/a'))],
  },
  {
    name: 'an allowing policy: clear the mark, run its chain, RETURN if marked, else DROP',
    policies: [allowIn('x', 'from-blue', { from: [{ namespaceSelector: { matchLabels: { team: 'blue' } } }] }, { matchLabels: { app: 'a' } })],
    has: [
      line(IN('x/a'), '', 'x/a ingress: not allowed until a rule says so', 'MARK --set-xmark 0x0/0x10000'),
      line(IN('x/a'), '', 'x/a ingress: rules of x/from-blue', NP_IN('x/from-blue')),
      line(IN('x/a'), '-m mark --mark 0x10000/0x10000', 'x/a ingress: allowed by x/from-blue', 'RETURN'),
      line(IN('x/a'), '', 'x/a ingress: isolated by x/from-blue and no rule allows this', 'DROP'),
      // One pod in the peer: matched inline.
      line(NP_IN('x/from-blue'), '-s 10.0.2.1/32', 'x/from-blue ingress[0]: from y/c, any port', MARK),
    ],
    lacks: [new RegExp(IN('x/b'))],
  },
  {
    name: 'several pods in a peer: a shared FROM set chain, one line per pod',
    policies: [allowIn('y', 'from-red', { from: [{ namespaceSelector: { matchLabels: { team: 'red' } } }], ports: [{ port: 80 }] })],
    has: [
      line(NP_IN('y/from-red'), '-p tcp -m tcp --dport 80', 'y/from-red ingress[0]: from all pods in namespaces team=red, TCP 80', chainName('from', 'pods:x/a,x/b')),
      line(chainName('from', 'pods:x/a,x/b'), '-s 10.0.1.1/32', 'x/a', MARK),
      line(chainName('from', 'pods:x/a,x/b'), '-s 10.0.1.2/32', 'x/b', MARK),
    ],
  },
  {
    name: 'a peer that selects no pod matches nothing: no line',
    policies: [allowIn('y', 'nobody', { from: [{ podSelector: { matchLabels: { app: 'zzz' } } }] })],
    has: [line(IN('y/c'), '', 'y/c ingress: isolated by y/nobody and no rule allows this', 'DROP')],
    lacks: [/y\/nobody ingress\[0\]/, /FLATNET-NP-IN-/],
  },
  {
    name: 'ipBlock without except is inline',
    policies: [allowOut('x', 'to-net', { to: [{ ipBlock: { cidr: '10.0.2.7/16' } }] })],
    has: [line(NP_OUT('x/to-net'), '-d 10.0.0.0/16', 'x/to-net egress[0]: to ipBlock 10.0.0.0/16, any port', MARK)],
  },
  {
    name: 'ipBlock with except: a TO chain RETURNs for each hole before marking the block',
    policies: [allowOut('x', 'to-net', { to: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.2.0/24', '10.0.3.0/24'] } }], ports: [{ port: 80 }, { port: 443 }] })],
    has: [
      line(NP_OUT('x/to-net'), '-p tcp -m tcp --dport 80', 'x/to-net egress[0]: to ipBlock 10.0.0.0/16 except 10.0.2.0/24, 10.0.3.0/24, TCP 80', chainName('to', 'ipBlock 10.0.0.0/16 except 10.0.2.0/24, 10.0.3.0/24')),
      line(NP_OUT('x/to-net'), '-p tcp -m tcp --dport 443', 'x/to-net egress[0]: to ipBlock 10.0.0.0/16 except 10.0.2.0/24, 10.0.3.0/24, TCP 443', chainName('to', 'ipBlock 10.0.0.0/16 except 10.0.2.0/24, 10.0.3.0/24')),
      line(chainName('to', 'ipBlock 10.0.0.0/16 except 10.0.2.0/24, 10.0.3.0/24'), '-d 10.0.2.0/24', 'ipBlock 10.0.0.0/16 except 10.0.2.0/24, 10.0.3.0/24: 10.0.2.0/24 is cut out of the block', 'RETURN'),
      line(chainName('to', 'ipBlock 10.0.0.0/16 except 10.0.2.0/24, 10.0.3.0/24'), '-d 10.0.0.0/16', 'ipBlock 10.0.0.0/16 except 10.0.2.0/24, 10.0.3.0/24', MARK),
    ],
  },
  {
    name: 'ports: protocol only, range (endPort), SCTP',
    policies: [allowIn('y', 'ports', { ports: [{ protocol: 'UDP' }, { port: 8000, endPort: 8080 }, { port: 5000, protocol: 'SCTP' }] })],
    has: [
      line(NP_IN('y/ports'), '-p udp', 'y/ports ingress[0]: from anywhere, UDP, any port', MARK),
      line(NP_IN('y/ports'), '-p tcp -m tcp --dport 8000:8080', 'y/ports ingress[0]: from anywhere, TCP 8000-8080', MARK),
      line(NP_IN('y/ports'), '-p sctp -m sctp --dport 5000', 'y/ports ingress[0]: from anywhere, SCTP 5000', MARK),
    ],
  },
  {
    name: 'named ingress port, same number on every selected pod: no address needed',
    policies: [allowIn('x', 'http', { ports: [{ port: 'http' }] }, { matchLabels: { app: 'a' } })],
    has: [line(NP_IN('x/http'), '-p tcp -m tcp --dport 80', 'x/http ingress[0]: from anywhere, http (TCP 80)', MARK)],
  },
  {
    name: 'named ingress port with a different number per pod: one line per pod',
    policies: [allowIn('x', 'http', { ports: [{ port: 'http' }] })],
    has: [
      line(NP_IN('x/http'), '-d 10.0.1.1/32 -p tcp -m tcp --dport 80', 'x/http ingress[0]: from anywhere to x/a, http (TCP 80)', MARK),
      line(NP_IN('x/http'), '-d 10.0.1.2/32 -p tcp -m tcp --dport 81', 'x/http ingress[0]: from anywhere to x/b, http (TCP 81)', MARK),
    ],
  },
  {
    name: 'named ingress port only some selected pods declare: only those pods',
    policies: [allowIn('x', 'dns', { ports: [{ port: 'dns', protocol: 'UDP' }] })],
    has: [line(NP_IN('x/dns'), '-d 10.0.1.1/32 -p udp -m udp --dport 53', 'x/dns ingress[0]: from anywhere to x/a, dns (UDP 53)', MARK)],
    lacks: [/10\.0\.1\.2\/32 -p udp/],
  },
  {
    name: 'named egress port: per destination pod that declares it, never an outside address',
    policies: [allowOut('y', 'dns', { ports: [{ port: 'dns', protocol: 'UDP' }] })],
    has: [line(NP_OUT('y/dns'), '-d 10.0.1.1/32 -p udp -m udp --dport 53', 'y/dns egress[0]: to x/a, dns (UDP 53)', MARK)],
    lacks: [/^-A FLATNET-NP-OUT-\S+ -p udp/],
  },
  {
    name: 'named egress port: the peers are decided per destination pod (the except hole drops y/c)',
    policies: [allowOut('x', 'web', { to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.2.0/24'] } }], ports: [{ port: 'http' }] })],
    has: [
      line(NP_OUT('x/web'), '-d 10.0.1.1/32 -p tcp -m tcp --dport 80', 'x/web egress[0]: to x/a, http (TCP 80)', MARK),
      line(NP_OUT('x/web'), '-d 10.0.1.2/32 -p tcp -m tcp --dport 81', 'x/web egress[0]: to x/b, http (TCP 81)', MARK),
    ],
    lacks: [/10\.0\.2\.1/],
  },
  {
    name: 'named egress port shared by several pods: a TO set chain per number',
    policies: [allowOut('y', 'web', { ports: [{ port: 'http' }] })],
    has: [
      line(NP_OUT('y/web'), '-p tcp -m tcp --dport 80', 'y/web egress[0]: to the 2 pods where http is TCP 80', chainName('to', 'pods:x/a,y/c')),
      line(NP_OUT('y/web'), '-d 10.0.1.2/32 -p tcp -m tcp --dport 81', 'y/web egress[0]: to x/b, http (TCP 81)', MARK),
    ],
  },
  {
    name: 'several policies: one jump and one mark check each, in order; deny-all has no chain',
    policies: [denyIn('y'), allowIn('y', 'web', { ports: [{ port: 80 }] })],
    has: [
      line('FLATNET-FORWARD', '-d 10.0.2.1/32', 'y/c ingress: isolated by y/deny-in, y/web', IN('y/c')),
      line(IN('y/c'), '', 'y/c ingress: rules of y/web', NP_IN('y/web')),
      line(IN('y/c'), '', 'y/c ingress: isolated by y/deny-in, y/web and no rule allows this', 'DROP'),
    ],
    lacks: [new RegExp(NP_IN('y/deny-in'))],
  },
  {
    name: 'IPv6: pod addresses of that family, IPv4 ipBlocks dropped, single-stack pods absent',
    policies: [denyIn('x'), allowIn('x', 'mixed', { from: [{ ipBlock: { cidr: '10.0.0.0/8' } }, { ipBlock: { cidr: 'fd00::/64', except: ['fd00::1:0/112'] } }] })],
    family: 6,
    has: [
      line('FLATNET-FORWARD', '-d fd00::1:1/128', 'x/a ingress: isolated by x/deny-in, x/mixed', IN('x/a')),
      line(chainName('from', 'ipBlock fd00::/64 except fd00::1:0/112'), '-s fd00::1:0/112', 'ipBlock fd00::/64 except fd00::1:0/112: fd00::1:0/112 is cut out of the block', 'RETURN'),
    ],
    lacks: [/10\.0\./],
  },
];

describe('policyRules: the generated text', () => {
  for (const c of cases) {
    it(c.name, () => {
      const got = rules(c.policies, c.family);
      if (c.exactly) assert.deepEqual(got, c.has);
      for (const want of c.has) assert.ok(got.includes(want), `missing line:\n  ${want}\ngot:\n  ${got.join('\n  ')}`);
      for (const bad of c.lacks ?? []) assert.equal(got.find((l) => bad.test(l)), undefined, `unexpected match for ${bad}`);
    });
  }

  it('every rule carries a comment, every chain name fits iptables (28 chars) and is declared', () => {
    const all = cases.flatMap((c) => [familyRules(buildCluster([...world, ...c.policies]).cluster, c.family ?? 4)]);
    for (const text of all) {
      const declared = new Set(text.split('\n').filter((l) => l.startsWith(':')).map((l) => l.slice(1).split(' ')[0]!));
      for (const name of declared) assert.ok(name.length <= MAX_CHAIN_NAME, name);
      for (const l of text.split('\n').filter((l) => l.startsWith('-A '))) {
        assert.match(l, / -m comment --comment "[^"]+" -j /, l);
        assert.ok(declared.has(l.split(' ')[1]!), l);
        const target = l.split(' -j ')[1]!.split(' ')[0]!;
        if (target.startsWith('FLATNET-')) assert.ok(declared.has(target), `jump to undeclared ${target}`);
      }
    }
  });

  it('a pod keeps its chain names whatever else changes', () => {
    const before = rules([denyIn('x')]).filter((l) => l.includes('x/a ingress'));
    const after = rules([denyIn('x'), denyIn('y'), allowOut('x', 'any', {})]).filter((l) => l.includes(`-j ${IN('x/a')}`));
    assert.equal(after.length, 1);
    assert.ok(before.some((l) => l.endsWith(`-j ${IN('x/a')}`)));
  });

  it('v6 of a cluster without IPv6 pods is only the replies rule', () => {
    const { cluster } = buildCluster([ns('x'), pod('x', 'a', {}, [{ containerPort: 80 }], ['10.0.0.1']), denyIn('x')]);
    const { v4, v6 } = policyRules(cluster);
    assert.match(v4, /-d 10\.0\.0\.1\/32/);
    assert.deepEqual(
      v6.split('\n').filter((l) => l.startsWith('-A ')),
      [REPLIES],
    );
  });

  it('is a section iptables-restore --noflush can take: *filter, declarations, rules, COMMIT', () => {
    const text = familyRules(buildCluster([...world, denyIn('x')]).cluster, 4);
    const kinds = text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => (l.startsWith(':') ? ':' : l.startsWith('-A') ? 'A' : l));
    const squeezed = kinds.filter((k, i) => k !== kinds[i - 1]);
    assert.deepEqual(squeezed, ['*filter', ':', 'A', 'COMMIT']);
  });
});
