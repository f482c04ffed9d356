import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildCluster, ip, pod as at } from './engine/index.ts';
import { np, ns, pod } from './engine/testdata/objects.ts';
import { reach, reachResults, type ReachQuery } from './reach.ts';
import { FlatnetError } from './errors.ts';

const world = [
  ns('x'),
  pod('x', 'a', { app: 'a' }, [{ containerPort: 80, name: 'http' }]),
  pod('x', 'b', { app: 'b' }, [{ containerPort: 80, name: 'http' }, { containerPort: 53, name: 'dns', protocol: 'UDP' }]),
  pod('y', 'c', { app: 'c' }, []),
];
const { cluster } = buildCluster([...world, np('x', 'deny', { podSelector: { matchLabels: { app: 'b' } } })]);
const flows = (q: ReachQuery) => [...reach(cluster, q).cells()].map((c) => `${c.from}>${c.to}:${c.protocol}/${c.port}=${c.allowed ? '.' : 'X'}`);

describe('reach: which flows are probed', () => {
  const cases: { name: string; q: ReachQuery; want: string[] }[] = [
    {
      name: 'no filter: distinct pairs, every declared port of the destination',
      q: {},
      want: ['x/a>x/b:UDP/53=X', 'y/c>x/b:UDP/53=X', 'x/a>x/b:TCP/80=X', 'x/b>x/a:TCP/80=.', 'y/c>x/a:TCP/80=.', 'y/c>x/b:TCP/80=X'],
    },
    { name: '--from narrows the rows (still no self-pair)', q: { from: at('x', 'a') }, want: ['x/a>x/b:UDP/53=X', 'x/a>x/b:TCP/80=X'] },
    { name: '--protocol narrows the ports', q: { to: at('x', 'b'), protocol: 'UDP' }, want: ['x/a>x/b:UDP/53=X', 'y/c>x/b:UDP/53=X'] },
    { name: '--port by name resolves per destination', q: { port: 'dns' }, want: ['x/a>x/b:UDP/53=X', 'y/c>x/b:UDP/53=X'] },
    { name: '--port by number probes undeclared ports too (TCP)', q: { from: at('x', 'a'), to: at('y', 'c'), port: 9000 }, want: ['x/a>y/c:TCP/9000=.'] },
    { name: 'an explicit pair may be a pod to itself', q: { from: at('x', 'a'), to: at('x', 'a') }, want: ['x/a>x/a:TCP/80=.'] },
    { name: '--to an outside IP with --port', q: { from: at('x', 'b'), to: ip('192.0.2.1'), port: 443 }, want: ['x/b>192.0.2.1:TCP/443=.'] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(flows(c.q), c.want));

  it('evidence results list the same flows as the matrix', () => {
    const results = reachResults(cluster, {});
    assert.deepEqual(
      results.map((r) => `${r.from}>${r.to}:${r.protocol}/${r.port}=${r.allowed ? '.' : 'X'}`).sort(),
      flows({}).sort(),
    );
    assert.match(results.find((r) => !r.allowed)!.reason, /^denied: x\/b is isolated for ingress by x\/deny/);
  });
});

describe('reach: input mistakes', () => {
  const cases: { name: string; q: ReachQuery; code: string }[] = [
    { name: 'unknown pod', q: { from: at('x', 'nope') }, code: 'UnknownPod' },
    { name: 'port name the destination does not declare', q: { to: at('x', 'a'), port: 'dns' }, code: 'UnknownPortName' },
    { name: 'an outside IP needs --port', q: { to: ip('192.0.2.1') }, code: 'PortRequired' },
  ];
  for (const c of cases) {
    it(c.name, () => assert.throws(() => reach(cluster, c.q), (e: unknown) => e instanceof FlatnetError && e.code === c.code));
  }
});

describe('buildCluster: implicit parts', () => {
  it('creates undeclared namespaces with only the automatic label', () => {
    assert.deepEqual(cluster.namespaces.get('y')?.labels, { 'kubernetes.io/metadata.name': 'y' });
    assert.equal(cluster.namespaces.get('y')?.declared, false);
  });

  it('assigns addresses in 10.244.0.0/16 that do not move when pods are added', () => {
    const before = buildCluster(world).cluster.podByKey.get('x/a')!.ips;
    const after = buildCluster([...world, ...Array.from({ length: 50 }, (_, i) => pod('z', `p${i}`, {}))]).cluster;
    assert.deepEqual(after.podByKey.get('x/a')!.ips, before);
    const addresses = after.pods.map((p) => p.ips[0]!.value);
    assert.equal(new Set(addresses).size, addresses.length, 'every pod has its own address');
    for (const p of after.pods) assert.equal(p.ips[0]!.value >> 16n, 0x0af4n, `${p.name} is in 10.244.0.0/16`);
  });

  it('rejects two pods with the same address', () => {
    const twins = [pod('x', 'a', {}, [], ['10.0.0.1']), pod('x', 'b', {}, [], ['10.0.0.1'])];
    assert.throws(() => buildCluster(twins), (e: unknown) => e instanceof FlatnetError && e.code === 'DuplicatePodIP');
  });

  it('rejects an object defined twice', () => {
    assert.throws(() => buildCluster([ns('x'), ns('x')]), (e: unknown) => e instanceof FlatnetError && e.code === 'DuplicateObject');
  });

  it('warns about rules a missing policyType switches off, and about unknown named ports', () => {
    const { warnings } = buildCluster([
      ...world,
      np('x', 'p', { podSelector: {}, policyTypes: ['Ingress'], egress: [{ ports: [{ port: 'https' }] }] }),
    ]);
    assert.deepEqual(warnings.map((w) => w.code).sort(), ['RulesIgnored', 'UnknownNamedPort']);
  });
});
