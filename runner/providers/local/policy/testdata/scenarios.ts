/**
 * @module
 * What the kernel test runs: a representative subset of the upstream netpol e2e cases
 * (test/netpol-upstream, as data) plus cases upstream lacks — endPort ranges, ipBlock
 * `except` on ingress, named ports that differ per pod, and IPv6. Every scenario uses the
 * upstream model's pods (x|y|z)/(a|b|c) at 10.244.<ns>.<pod>, and fd00:10:244::<ns>:<pod>
 * for IPv6, so one set of sandbox pods serves them all.
 */
import { np, ns, pod } from '../../../../../checkers/engine/testdata/objects.ts';
import { cases } from '../../../../../test/netpol-upstream/cases.ts';
import { buildModel, NAMESPACES, podIP } from '../../../../../test/netpol-upstream/model.ts';
import type { PodString } from '../../../../../test/netpol-upstream/reachability.ts';

export interface Scenario {
  name: string;
  /** Namespaces, Pods and NetworkPolicies for buildCluster. */
  objects: unknown[];
}

/** The sandbox's pods: every model pod, both families. */
export const MODEL_PODS: PodString[] = NAMESPACES.flatMap((n) => ['a', 'b', 'c'].map((p) => `${n}/${p}` as PodString));
export const podIPv6 = (p: PodString): string => podIP(p).replace(/^10\.244\.(\d+)\.(\d+)$/, 'fd00:10:244::$1:$2');
/** What every agent serves: a superset of every port any scenario's pods declare. */
export const SERVED = { tcp: [80, 81, 8080], udp: [53, 80, 81] };

const TCP = 'NetworkPolicy between server and client';
const UDP = `${TCP} using UDP`;

const upstreamPicks: [context: string, name: string][] = [
  [TCP, "should support a 'default-deny-ingress' policy"],
  [TCP, "should support a 'default-deny-all' policy"],
  [TCP, 'should deny egress from all pods in a namespace'],
  [TCP, 'should enforce policy to allow traffic from pods within server namespace based on PodSelector'],
  [TCP, 'should enforce policy to allow traffic only from a different namespace, based on NamespaceSelector'],
  [TCP, 'should enforce policy based on PodSelector or NamespaceSelector'],
  [TCP, 'should enforce policy based on PodSelector and NamespaceSelector'],
  [TCP, 'should enforce multiple, stacked policies with overlapping podSelectors [step 1]'],
  [TCP, 'should allow ingress access on one named port'],
  [TCP, 'should allow egress access on one named port'],
  [TCP, 'should work with Ingress, Egress specified together'],
  [TCP, 'should support denying of egress traffic on the client side (even if the server explicitly allows this traffic)'],
  [TCP, 'should enforce except clause while egress access to server in CIDR block'],
  [TCP, 'should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed [step 1]'],
  [TCP, 'should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed [step 2]'],
  [TCP, 'should enforce ingress policy allowing any port traffic to a server on a specific protocol'],
  [UDP, 'should enforce policy based on Ports'],
];

function upstream(): Scenario[] {
  return upstreamPicks.map(([context, name]) => {
    const c = cases.find((k) => k.context === context && k.name === name);
    if (!c) throw new Error(`no upstream case "${name}" in "${context}"`);
    return { name: `upstream${context === UDP ? ' UDP' : ''}: ${name}`, objects: [...buildModel(c), ...c.policies] };
  });
}

type Port = { containerPort: number; name?: string; protocol?: string };
const namespaces = () => NAMESPACES.map((n) => ns(n, { ns: n }));
/** A model pod with its sandbox addresses; IPv6 first makes reach() probe over IPv6. */
const model = (p: PodString, ports: Port[], v6First = false) => {
  const [namespace, name] = p.split('/') as [string, string];
  const ips = v6First ? [podIPv6(p), podIP(p)] : [podIP(p)];
  return pod(namespace, name, { pod: name }, ports, ips);
};
const web: Port[] = [{ containerPort: 80, name: 'serve-80-tcp' }, { containerPort: 81 }, { containerPort: 8080 }, { containerPort: 80, protocol: 'UDP' }, { containerPort: 81, protocol: 'UDP' }];

const custom: Scenario[] = [
  {
    name: 'endPort ranges (TCP ingress, UDP egress) and protocol-only ports',
    objects: [
      ...namespaces(),
      ...(['x/a', 'x/b', 'y/a'] as const).map((p) => model(p, web)),
      np('x', 'range-in', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ port: 81, endPort: 8080 }] }, { from: [{ namespaceSelector: {} }], ports: [{ protocol: 'UDP' }] }] }),
      np('y', 'range-out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 80, endPort: 81, protocol: 'UDP' }, { port: 8000, endPort: 8080 }] }] }),
    ],
  },
  {
    name: 'ipBlock with except over pod addresses, ingress and egress',
    objects: [
      ...namespaces(),
      ...(['x/a', 'x/b', 'y/a', 'y/b', 'z/a'] as const).map((p) => model(p, [{ containerPort: 80 }])),
      np('x', 'not-from-y', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.244.0.0/16', except: ['10.244.2.0/24'] } }] }] }),
      np('z', 'to-x-but-b', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.244.1.0/24', except: ['10.244.1.2/32'] } }, { ipBlock: { cidr: '10.244.2.2/32' } }] }] }),
    ],
  },
  {
    name: 'a named port with a different number on each pod, ingress and egress',
    objects: [
      ...namespaces(),
      model('x/a', [{ containerPort: 80, name: 'web' }, { containerPort: 81 }]),
      model('x/b', [{ containerPort: 81, name: 'web' }, { containerPort: 80 }]),
      model('y/a', [{ containerPort: 8080, name: 'web' }, { containerPort: 80 }]),
      model('z/a', [{ containerPort: 80 }, { containerPort: 53, name: 'web', protocol: 'UDP' }]),
      np('x', 'web-in', { podSelector: {}, ingress: [{ ports: [{ port: 'web' }] }] }),
      np('z', 'web-out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'x' } } }, { podSelector: {}, namespaceSelector: { matchLabels: { ns: 'y' } } }], ports: [{ port: 'web' }] }] }),
    ],
  },
  {
    name: 'several policies on one pod add up; AND and OR peers side by side',
    objects: [
      ...namespaces(),
      ...(['x/a', 'x/b', 'y/a', 'y/b', 'z/a', 'z/b'] as const).map((p) => model(p, web)),
      np('x', 'from-y-b', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }], ports: [{ port: 80 }] }] }),
      np('x', 'from-z-or-b', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'z' } } }, { podSelector: { matchLabels: { pod: 'b' } } }], ports: [{ port: 81 }, { port: 80, protocol: 'UDP' }] }] }),
      np('y', 'egress-to-x', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'x' } } }] }] }),
    ],
  },
  {
    name: 'IPv6 first: pod selectors, an IPv6 ipBlock with except, named ports',
    objects: [
      ...namespaces(),
      ...(['x/a', 'x/b', 'y/a', 'z/a'] as const).map((p) => model(p, web, true)),
      np('x', 'v6-in', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: 'fd00:10:244::/64', except: ['fd00:10:244::3:0/112'] } }], ports: [{ port: 'serve-80-tcp' }, { port: 81, protocol: 'UDP' }] }] }),
      np('y', 'v6-out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { pod: 'a' } }, namespaceSelector: { matchLabels: { ns: 'x' } } }] }] }),
      np('z', 'v6-deny-in', { podSelector: {}, policyTypes: ['Ingress'] }),
    ],
  },
];

export function scenarios(): Scenario[] {
  return [...upstream(), ...custom];
}
