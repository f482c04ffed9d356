/**
 * The upstream netpol e2e scenarios (test/netpol-upstream) in a real local cluster: the nine
 * model pods stay up, and for every case state the namespace and pod labels and the policies
 * are set, then every ordered pair of the case's pods is probed with real packets. Each
 * measured cell must equal the engine's verdict — and upstream's expectation.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCluster, evaluate } from '../../checkers/engine/index.ts';
import type { ProbeResult } from '../../checkers/truth-table.ts';
import { call, settle } from '../../runner/providers/local/client.ts';
import { down, up } from '../../runner/providers/local/lifecycle.ts';
import type { ClusterOptions } from '../../runner/providers/local/daemon.ts';
import { nodeName } from '../../runner/providers/local/topology.ts';
import { cases } from '../netpol-upstream/cases.ts';
import { buildModel, NAMESPACES, podIP } from '../netpol-upstream/model.ts';
import type { PodString } from '../netpol-upstream/reachability.ts';
import { cannotRunCluster } from './harness.ts';

const skip = cannotRunCluster();
if (skip) console.log(`# skipped: ${skip}`);

const NAME = 'upstream';
const ALL_PODS = NAMESPACES.flatMap((n) => ['a', 'b', 'c'].map((p) => `${n}/${p}` as PodString));
const ref = (p: PodString) => ({ namespace: p.split('/')[0]!, name: p.split('/')[1]! });

/**
 * Two clusters, one truth table: one node (every flow stays on it), and four nodes over VXLAN
 * with namespace x on the first worker, y on the second, z on the third (node n owns
 * 10.244.n.0/24, where the model puts that namespace's pods) — so every flow between
 * namespaces crosses the overlay, and is held to the same expectations.
 */
const SHAPES: { label: string; options: ClusterOptions; nodeOf?: (namespace: string) => string }[] = [
  { label: 'one node', options: { podSubnets: ['10.244.0.0/16'] } },
  { label: '4 nodes over vxlan, a namespace per worker', options: { nodes: 4, network: 'vxlan' }, nodeOf: (ns) => nodeName(NAME, NAMESPACES.indexOf(ns as 'x') + 1) },
];

for (const shape of SHAPES) describe(`upstream netpol scenarios, live (${shape.label})`, { skip }, () => {
  /** Model pods go to their namespace's node when the shape says so. */
  const placed = <T extends { kind: string; metadata?: { namespace?: string }; spec?: object }>(objects: T[]): T[] =>
    shape.nodeOf ? objects.map((o) => (o.kind === 'Pod' ? { ...o, spec: { ...o.spec, nodeName: shape.nodeOf!(o.metadata!.namespace!) } } : o)) : objects;

  before(async () => {
    process.env.FLATNET_STATE_DIR = mkdtempSync(join(tmpdir(), 'flatnet-upstream-'));
    await up(NAME, { stage: () => {} }, shape.options);
    // Every pod serves every port and protocol any case probes.
    const model = buildModel({ pods: ALL_PODS, protocols: ['TCP', 'UDP', 'SCTP'], ports: [80, 81] }) as { kind: string; status?: unknown }[];
    await call(NAME, 'POST', '/apply', { objects: placed(model) });
    for (;;) {
      const s = await call<{ pods: { namespace: string; ready: boolean; ip: string | null }[] }>(NAME, 'GET', '/status');
      const ready = s.pods.filter((p) => NAMESPACES.includes(p.namespace as 'x') && p.ready);
      if (ready.length === 9) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  after(() => down(NAME));

  it('the pods have the model\'s addresses', async () => {
    const s = await call<{ pods: { namespace: string; name: string; ip: string | null }[] }>(NAME, 'GET', '/status');
    for (const p of ALL_PODS) assert.equal(s.pods.find((x) => `${x.namespace}/${x.name}` === p)?.ip, podIP(p));
  });

  for (const c of cases) {
    it(`${c.context} ${c.name}`, async () => {
      const objects = buildModel({ ...c, pods: ALL_PODS }) as { kind: string }[];
      await call(NAME, 'POST', '/apply', { objects: placed(objects.map(withoutStatus)) });
      for (const ns of NAMESPACES) {
        const { objects: old } = await call<{ objects: { metadata: { name: string } }[] }>(NAME, 'GET', `/objects?resource=networkpolicies&namespace=${ns}`);
        for (const p of old) await call(NAME, 'POST', '/delete', { resource: 'networkpolicies', namespace: ns, name: p.metadata.name });
      }
      await call(NAME, 'POST', '/apply', { objects: c.policies });
      await settle(NAME); // throws if the kernel refused the rules

      const { cluster } = buildCluster([...buildModel(c), ...c.policies]);
      const wrong: string[] = [];
      for (const probe of c.probes.filter((p) => p.protocol !== 'SCTP')) {
        const pairs = c.pods.flatMap((from) => c.pods.filter((to) => to !== from).map((to) => ({ from, to })));
        const flows = pairs.map(({ from, to }) => ({ from: ref(from), to: ref(to), port: probe.port, protocol: probe.protocol }));
        const { results } = await call<{ results: ProbeResult[] }>(NAME, 'POST', '/probe', { flows });
        pairs.forEach(({ from, to }, i) => {
          const live = results[i]!;
          const engine = evaluate(cluster, { from: { kind: 'pod', ...ref(from) }, to: { kind: 'pod', ...ref(to) }, port: probe.port, protocol: probe.protocol });
          const upstream = probe.reachability.Expected.Get(from, to);
          if (live.allowed !== engine.allowed || live.allowed !== upstream) {
            wrong.push(`${probe.protocol}/${probe.port} ${from} -> ${to}: live ${live.allowed} (${live.reason}); engine ${engine.allowed} (${engine.reason}); upstream ${upstream}`);
          }
        });
      }
      assert.deepEqual(wrong, []);
    });
  }
});

function withoutStatus<T extends { kind: string }>(o: T): T {
  // Pods keep the address they were created with; re-applying only changes labels.
  if (o.kind !== 'Pod') return o;
  const { status: _status, ...rest } = o as T & { status?: unknown };
  return rest as T;
}
