import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildCluster, evaluate, ip, pod as at, ruleName, type Flow, type Protocol } from './index.ts';
import { np, ns, pod } from './testdata/objects.ts';

/**
 * The spec, point by point. A world of two namespaces (x with pods a,b; y with pod c) plus
 * per-case policies; each case names one rule of the NetworkPolicy API and checks one flow.
 */
const world = [
  ns('x', { team: 'red' }),
  ns('y', { team: 'blue' }),
  pod('x', 'a', { app: 'a', role: 'web' }, [{ containerPort: 80, name: 'http' }, { containerPort: 53, name: 'dns', protocol: 'UDP' }], ['10.0.1.1', 'fd00::1:1']),
  pod('x', 'b', { app: 'b' }, [{ containerPort: 80 }, { containerPort: 81, name: 'http' }, { containerPort: 5000, protocol: 'SCTP' }], ['10.0.1.2', 'fd00::1:2']),
  pod('y', 'c', { app: 'c', role: 'web' }, [{ containerPort: 80, name: 'http' }, { containerPort: 8080 }], ['10.0.2.1', 'fd00::2:1']),
];

const denyIngress = (namespace: string, name = 'deny-in') => np(namespace, name, { podSelector: {}, policyTypes: ['Ingress'] });
const denyEgress = (namespace: string, name = 'deny-out') => np(namespace, name, { podSelector: {}, policyTypes: ['Egress'] });
const allowIn = (namespace: string, name: string, rule: Record<string, unknown>, podSelector: Record<string, unknown> = {}) =>
  np(namespace, name, { podSelector, policyTypes: ['Ingress'], ingress: [rule] });
const allowOut = (namespace: string, name: string, rule: Record<string, unknown>, podSelector: Record<string, unknown> = {}) =>
  np(namespace, name, { podSelector, policyTypes: ['Egress'], egress: [rule] });

type Case = {
  name: string;
  policies: unknown[];
  flow: [from: Flow['from'], to: Flow['to'], port: number, protocol?: Protocol];
  allowed: boolean;
  /** Rules expected to admit the flow, as `ns/policy direction[i]`. */
  by?: string[];
};

const a = at('x', 'a');
const b = at('x', 'b');
const c = at('y', 'c');

const cases: Case[] = [
  // Isolation, per direction, and policyTypes defaulting.
  { name: 'no policy: everything is allowed', policies: [], flow: [a, c, 80], allowed: true },
  { name: 'a policy with policyTypes [Ingress] and no rules isolates ingress', policies: [denyIngress('y')], flow: [a, c, 80], allowed: false },
  { name: 'ingress isolation does not touch egress', policies: [denyIngress('x')], flow: [a, c, 80], allowed: true },
  { name: 'policyTypes omitted, no rules: Ingress only', policies: [np('x', 'p', { podSelector: {} })], flow: [a, c, 80], allowed: true },
  { name: 'policyTypes omitted, no rules: ingress is isolated', policies: [np('y', 'p', { podSelector: {} })], flow: [a, c, 80], allowed: false },
  {
    name: 'policyTypes omitted with egress rules: Egress is added',
    policies: [np('x', 'p', { podSelector: {}, egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] })],
    flow: [a, c, 80],
    allowed: false,
  },
  { name: 'policyTypes omitted with egress: [] adds nothing', policies: [np('x', 'p', { podSelector: {}, egress: [] })], flow: [a, c, 80], allowed: true },
  { name: 'policyTypes: [] is defaulted like omitted', policies: [np('x', 'p', { podSelector: {}, policyTypes: [], egress: [] })], flow: [a, c, 80], allowed: true },
  {
    name: 'policyTypes [Egress] ignores ingress rules and leaves ingress open',
    policies: [np('y', 'p', { podSelector: {}, policyTypes: ['Egress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'nobody' } } }] }] })],
    flow: [a, c, 80],
    allowed: true,
  },
  { name: 'a policy only isolates pods its podSelector selects', policies: [np('y', 'p', { podSelector: { matchLabels: { app: 'zzz' } } })], flow: [a, c, 80], allowed: true },
  { name: 'a policy only isolates pods of its own namespace', policies: [denyIngress('x')], flow: [b, c, 80], allowed: true },

  // Union of policies and rules.
  {
    name: 'policies are a union: deny-all plus an allow is allowed',
    policies: [denyIngress('y'), allowIn('y', 'allow', { from: [{ namespaceSelector: {} }] })],
    flow: [a, c, 80],
    allowed: true,
    by: ['y/allow ingress[0]'],
  },
  {
    name: 'every admitting rule is reported',
    policies: [allowIn('y', 'p1', { ports: [{ port: 80 }] }), allowIn('y', 'p2', { from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] })],
    flow: [a, c, 80],
    allowed: true,
    by: ['y/p1 ingress[0]', 'y/p2 ingress[0]'],
  },
  { name: 'ingress: [] denies everything', policies: [np('y', 'p', { podSelector: {}, ingress: [] })], flow: [a, c, 80], allowed: false },
  { name: 'ingress: [{}] allows everything', policies: [np('y', 'p', { podSelector: {}, ingress: [{}] })], flow: [a, c, 80], allowed: true, by: ['y/p ingress[0]'] },
  { name: 'from absent: every source', policies: [allowIn('y', 'p', { ports: [{ port: 80 }] })], flow: [a, c, 80], allowed: true },
  { name: 'from: [] is the same as absent', policies: [allowIn('y', 'p', { from: [], ports: [{ port: 80 }] })], flow: [a, c, 80], allowed: true },
  { name: 'from absent admits outside addresses too', policies: [allowIn('y', 'p', { ports: [{ port: 80 }] })], flow: [ip('192.0.2.7'), c, 80], allowed: true },
  { name: 'ports absent: every port', policies: [allowIn('y', 'p', { from: [{ namespaceSelector: {} }] })], flow: [a, c, 8080], allowed: true },
  { name: 'ports: [] is the same as absent', policies: [allowIn('y', 'p', { from: [{ namespaceSelector: {} }], ports: [] })], flow: [a, c, 8080, 'UDP'], allowed: true },
  { name: 'ports: [{}] is every TCP port', policies: [allowIn('y', 'p', { ports: [{}] })], flow: [a, c, 8080], allowed: true },
  { name: 'ports: [{}] is not UDP', policies: [allowIn('y', 'p', { ports: [{}] })], flow: [a, c, 8080, 'UDP'], allowed: false },
  { name: 'ports: [{protocol: UDP}] is every UDP port', policies: [allowIn('y', 'p', { ports: [{ protocol: 'UDP' }] })], flow: [a, c, 9999, 'UDP'], allowed: true },

  // Peers: podSelector, namespaceSelector, AND vs OR.
  { name: 'empty podSelector peer: all pods of the policy namespace', policies: [allowIn('x', 'p', { from: [{ podSelector: {} }] })], flow: [a, b, 80], allowed: true },
  { name: 'empty podSelector peer: not pods of other namespaces', policies: [allowIn('y', 'p', { from: [{ podSelector: {} }] })], flow: [a, c, 80], allowed: false },
  { name: 'podSelector alone: same namespace as the policy', policies: [allowIn('y', 'p', { from: [{ podSelector: { matchLabels: { app: 'a' } } }] })], flow: [a, c, 80], allowed: false },
  { name: 'podSelector alone matches in its namespace', policies: [allowIn('x', 'p', { from: [{ podSelector: { matchLabels: { app: 'a' } } }] })], flow: [a, b, 80], allowed: true },
  { name: 'namespaceSelector alone: every pod there', policies: [allowIn('y', 'p', { from: [{ namespaceSelector: { matchLabels: { team: 'red' } } }] })], flow: [b, c, 80], allowed: true },
  { name: 'namespaceSelector alone: not other namespaces', policies: [allowIn('x', 'p', { from: [{ namespaceSelector: { matchLabels: { team: 'blue' } } }] })], flow: [a, b, 80], allowed: false },
  { name: 'namespaceSelector {}: every namespace', policies: [allowIn('y', 'p', { from: [{ namespaceSelector: {} }] })], flow: [b, c, 80], allowed: true },
  {
    name: 'both selectors in ONE peer: AND (right pod, right namespace)',
    policies: [allowIn('y', 'p', { from: [{ namespaceSelector: { matchLabels: { team: 'red' } }, podSelector: { matchLabels: { app: 'a' } } }] })],
    flow: [a, c, 80],
    allowed: true,
  },
  {
    name: 'both selectors in ONE peer: AND (right namespace, wrong pod)',
    policies: [allowIn('y', 'p', { from: [{ namespaceSelector: { matchLabels: { team: 'red' } }, podSelector: { matchLabels: { app: 'a' } } }] })],
    flow: [b, c, 80],
    allowed: false,
  },
  {
    name: 'selectors in TWO peers: OR (namespace alone suffices)',
    policies: [allowIn('y', 'p', { from: [{ namespaceSelector: { matchLabels: { team: 'red' } } }, { podSelector: { matchLabels: { app: 'a' } } }] })],
    flow: [b, c, 80],
    allowed: true,
  },
  {
    name: 'matchExpressions In on namespaces',
    policies: [allowIn('y', 'p', { from: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['red', 'green'] }] } }] })],
    flow: [a, c, 80],
    allowed: true,
  },
  {
    name: 'matchExpressions NotIn on pods',
    policies: [allowIn('x', 'p', { from: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['a'] }] } }] })],
    flow: [a, b, 80],
    allowed: false,
  },
  {
    name: 'matchExpressions Exists',
    policies: [allowIn('x', 'p', { from: [{ podSelector: { matchExpressions: [{ key: 'role', operator: 'Exists' }] } }] })],
    flow: [a, b, 80],
    allowed: true,
  },
  {
    name: 'matchExpressions DoesNotExist',
    policies: [allowIn('x', 'p', { from: [{ podSelector: { matchExpressions: [{ key: 'role', operator: 'DoesNotExist' }] } }] })],
    flow: [a, b, 80],
    allowed: false,
  },
  {
    name: 'policy podSelector with matchExpressions selects only those pods',
    policies: [np('x', 'p', { podSelector: { matchExpressions: [{ key: 'role', operator: 'Exists' }] }, policyTypes: ['Ingress'] })],
    flow: [c, b, 80],
    allowed: true,
  },
  {
    name: 'the automatic namespace label kubernetes.io/metadata.name',
    policies: [allowIn('y', 'p', { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'x' } } }] })],
    flow: [a, c, 80],
    allowed: true,
  },
  {
    name: 'the automatic label of an undeclared namespace',
    policies: [allowIn('y', 'p', { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'x' } } }] })],
    flow: [b, c, 80],
    allowed: true,
  },

  // Ports.
  { name: 'numeric port matches', policies: [allowIn('y', 'p', { ports: [{ port: 8080 }] })], flow: [a, c, 8080], allowed: true },
  { name: 'numeric port does not match another port', policies: [allowIn('y', 'p', { ports: [{ port: 8080 }] })], flow: [a, c, 80], allowed: false },
  { name: 'protocol defaults to TCP', policies: [allowIn('y', 'p', { ports: [{ port: 8080 }] })], flow: [a, c, 8080, 'UDP'], allowed: false },
  { name: 'UDP port', policies: [allowIn('x', 'p', { ports: [{ port: 53, protocol: 'UDP' }] })], flow: [c, a, 53, 'UDP'], allowed: true },
  { name: 'SCTP port', policies: [allowIn('x', 'p', { ports: [{ port: 5000, protocol: 'SCTP' }] })], flow: [c, b, 5000, 'SCTP'], allowed: true },
  { name: 'SCTP rule does not admit TCP', policies: [allowIn('x', 'p', { ports: [{ port: 5000, protocol: 'SCTP' }] })], flow: [c, b, 5000, 'TCP'], allowed: false },
  { name: 'named port resolves against the destination pod', policies: [allowIn('x', 'p', { ports: [{ port: 'http' }] })], flow: [c, b, 81], allowed: true },
  { name: 'named port: same name, other pod, other number', policies: [allowIn('x', 'p', { ports: [{ port: 'http' }] })], flow: [c, a, 80], allowed: true },
  { name: 'named port does not admit an unnamed port', policies: [allowIn('x', 'p', { ports: [{ port: 'http' }] })], flow: [c, b, 80], allowed: false },
  { name: 'named port is protocol-aware (dns is UDP, rule says TCP)', policies: [allowIn('x', 'p', { ports: [{ port: 'dns' }] })], flow: [c, a, 53, 'UDP'], allowed: false },
  { name: 'named port with the right protocol', policies: [allowIn('x', 'p', { ports: [{ port: 'dns', protocol: 'UDP' }] })], flow: [c, a, 53, 'UDP'], allowed: true },
  { name: 'named port in an egress rule resolves against the destination', policies: [allowOut('y', 'p', { ports: [{ port: 'http' }] })], flow: [c, b, 81], allowed: true },
  { name: 'named port never matches an outside address', policies: [allowOut('y', 'p', { ports: [{ port: 'http' }] })], flow: [c, ip('192.0.2.1'), 80], allowed: false },
  { name: 'endPort range, lower bound', policies: [allowIn('y', 'p', { ports: [{ port: 8000, endPort: 8080 }] })], flow: [a, c, 8000], allowed: true },
  { name: 'endPort range, upper bound', policies: [allowIn('y', 'p', { ports: [{ port: 8000, endPort: 8080 }] })], flow: [a, c, 8080], allowed: true },
  { name: 'endPort range, outside', policies: [allowIn('y', 'p', { ports: [{ port: 8000, endPort: 8080 }] })], flow: [a, c, 8081], allowed: false },

  // ipBlock.
  { name: 'ipBlock matches a pod IP', policies: [allowIn('y', 'p', { from: [{ ipBlock: { cidr: '10.0.1.0/24' } }] })], flow: [a, c, 80], allowed: true },
  {
    name: 'ipBlock except carves out a pod',
    policies: [allowIn('y', 'p', { from: [{ ipBlock: { cidr: '10.0.1.0/24', except: ['10.0.1.1/32'] } }] })],
    flow: [a, c, 80],
    allowed: false,
  },
  { name: 'ipBlock matches an outside address', policies: [allowIn('y', 'p', { from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] })], flow: [ip('203.0.113.9'), c, 80], allowed: true },
  { name: 'ipBlock except on an outside address', policies: [allowIn('y', 'p', { from: [{ ipBlock: { cidr: '192.0.2.0/24', except: ['192.0.2.128/25'] } }] })], flow: [ip('192.0.2.200'), c, 80], allowed: false },
  { name: 'egress ipBlock to an outside address', policies: [allowOut('x', 'p', { to: [{ ipBlock: { cidr: '192.0.2.0/24' } }] })], flow: [a, ip('192.0.2.10'), 443], allowed: true },
  { name: 'egress isolation denies other outside addresses', policies: [allowOut('x', 'p', { to: [{ ipBlock: { cidr: '192.0.2.0/24' } }] })], flow: [a, ip('198.51.100.1'), 443], allowed: false },
  { name: 'IPv6 ipBlock matches the pod\'s IPv6 address', policies: [allowIn('y', 'p', { from: [{ ipBlock: { cidr: 'fd00::1:0/112' } }] })], flow: [a, ip('fd00::2:1'), 80], allowed: true },
  {
    name: 'IPv6 ipBlock except',
    policies: [allowIn('y', 'p', { from: [{ ipBlock: { cidr: 'fd00::/16', except: ['fd00::1:0/112'] } }] })],
    flow: [a, ip('fd00::2:1'), 80],
    allowed: false,
  },
  { name: 'IPv4 ipBlock does not match IPv6 traffic', policies: [allowIn('y', 'p', { from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] })], flow: [a, ip('fd00::2:1'), 80], allowed: false },
  { name: 'an IP that is a pod\'s is that pod', policies: [denyIngress('y')], flow: [a, ip('10.0.2.1'), 80], allowed: false },

  // Both sides.
  { name: 'egress denied at the source blocks the flow', policies: [denyEgress('x'), allowIn('y', 'p', {})], flow: [a, c, 80], allowed: false },
  { name: 'ingress denied at the destination blocks the flow', policies: [allowOut('x', 'p', {}), denyIngress('y')], flow: [a, c, 80], allowed: false },
  {
    name: 'allowed only when egress AND ingress allow',
    policies: [denyEgress('x'), denyIngress('y'), allowOut('x', 'out', { to: [{ namespaceSelector: { matchLabels: { team: 'blue' } } }] }), allowIn('y', 'in', { from: [{ namespaceSelector: { matchLabels: { team: 'red' } } }] })],
    flow: [a, c, 80],
    allowed: true,
    by: ['x/out egress[0]', 'y/in ingress[0]'],
  },
  { name: 'an outside destination has no ingress side', policies: [], flow: [a, ip('192.0.2.1'), 80], allowed: true },
];

describe('evaluate: the NetworkPolicy spec, point by point', () => {
  for (const k of cases) {
    it(k.name, () => {
      const { cluster } = buildCluster([...world, ...k.policies]);
      const [from, to, port, protocol = 'TCP'] = k.flow;
      const flow = { from, to, port, protocol };
      const v = evaluate(cluster, flow);
      assert.equal(v.allowed, k.allowed, v.reason);
      if (k.by) assert.deepEqual([...v.egress.allowedBy, ...v.ingress.allowedBy].map(ruleName), k.by);
    });
  }
});

describe('explain', () => {
  it('names the isolating policy and the direction that denied', () => {
    const { cluster } = buildCluster([...world, denyEgress('x', 'default-deny-all')]);
    const flow = { from: a, to: c, port: 80, protocol: 'TCP' as const };
    assert.equal(evaluate(cluster, flow).reason, 'denied: x/a is isolated for egress by x/default-deny-all and no egress rule allows y/c on TCP 80');
  });
  it('names the admitting rules', () => {
    const { cluster } = buildCluster([...world, allowIn('y', 'web', { ports: [{ port: 80 }] })]);
    const flow = { from: a, to: c, port: 80, protocol: 'TCP' as const };
    assert.equal(evaluate(cluster, flow).reason, 'allowed: no policy isolates x/a for egress; ingress of y/c allowed by y/web ingress[0]');
  });
});
