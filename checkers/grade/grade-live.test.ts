import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseLab } from '../lab/parse.ts';
import type { LabBundle } from '../lab/sources.ts';
import { MINI_LAB } from '../lab/testdata/mini.ts';
import { formatIP } from '../net/ip.ts';
import type { ProbeResult } from '../truth-table.ts';
import { startLayers } from './grade.ts';
import { combine, gradeLive } from './grade-live.ts';
import type { LiveProber } from './live.ts';
import type { GradeResult } from './result.ts';
import { buildWorld } from './world.ts';

const flow = { from: 'data/api', to: 'data/postgres', port: 5432, protocol: 'TCP' as const };
const engine = (allowed: boolean): ProbeResult => ({ ...flow, allowed, reason: allowed ? 'allowed: ingress of data/postgres from data/api allowed by data/p ingress[0]' : 'denied: data/postgres is isolated for ingress by data/p' });
const live = (allowed: boolean | null, reason: string): ProbeResult => ({ ...flow, allowed, reason });

describe('combine: a live verdict with the engine as evidence', () => {
  const cases: { name: string; engine: ProbeResult; live: ProbeResult | undefined; side?: 'egress' | 'ingress'; allowed: boolean | null; reason: RegExp }[] = [
    { name: 'they agree: the packet decides, the policies explain', engine: engine(true), live: live(true, 'connected to 10.244.0.5:5432'), allowed: true, reason: /^allowed: measured, connected to 10\.244\.0\.5:5432; the policies: ingress of data\/postgres/ },
    { name: 'they disagree: the packet still decides, and the difference is shown', engine: engine(true), live: live(false, 'TCP connect to 10.244.0.5:5432 timed out (dropped)'), allowed: false, reason: /^denied: measured, TCP connect .* timed out \(dropped\); yet the policies say: ingress of data\/postgres/ },
    { name: 'not measurable (outside address): the engine decides, and says why', engine: engine(false), live: live(null, '203.0.113.10 is outside the cluster'), allowed: false, reason: /^denied: .* \(not measured: 203\.0\.113\.10 is outside the cluster; decided by the policies\)$/ },
    { name: 'one side of a flow: the engine decides', engine: engine(true), live: live(false, 'dropped'), side: 'ingress', allowed: true, reason: /one side of a flow cannot be measured alone/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = combine(c.engine, c.live, c.side);
      assert.equal(r.allowed, c.allowed);
      assert.match(r.reason, c.reason);
      assert.deepEqual([r.from, r.to, r.port, r.protocol], [flow.from, flow.to, flow.port, flow.protocol]);
    });
  }
});

describe('gradeLive on a CNI where ipBlock does not match pods (Cilium)', () => {
  // No Cilium can run here: this prober answers as Cilium does for an answer whose only way in
  // for web is an ipBlock of web's address — web's packets are dropped, other's too.
  const bundle: LabBundle = { ...parseLab(MINI_LAB, 'labs/mini/lab.yaml'), files: new Map() };
  const web = buildWorld(startLayers(bundle, 0)).cluster.podByKey.get('shop/web')!.ips[0]!;
  const answer = { file: 'answer.yaml', lineOffset: 0, text: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: db, namespace: shop }
spec:
  podSelector: { matchLabels: { app: db } }
  ingress: [{ from: [{ ipBlock: { cidr: ${formatIP(web)}/32 } }], ports: [{ port: 5432 }] }]
` };
  const asCilium: LiveProber = {
    apply: async () => ({ ok: true, problems: [] }),
    probe: async (flows) => flows.map((f) => ({ from: `${f.from.namespace}/${f.from.name}`, to: 'ip' in f.to ? f.to.ip : `${f.to.namespace}/${f.to.name}`, port: f.port, protocol: f.protocol, allowed: false, reason: 'TCP connect timed out (dropped)' })),
    resolve: async () => ({ error: 'unused' }),
    httpGet: async () => ({ error: 'unused' }),
    ingressRequest: async () => ({ error: 'unused' }),
    getObject: async () => undefined,
    reset: async () => {},
  };
  const webToDb = (r: GradeResult) => r.checks.find((c) => c.id === 'web-to-db')!;

  it('explains the drop from the answer as the CNI reads it, and says so', async () => {
    const r = await gradeLive(bundle, 'db-policy', answer, asCilium, { ipBlockMatchesPods: false });
    assert.equal(webToDb(r).passed, false);
    assert.match(webToDb(r).explanation, /the policies: .*\(read as this CNI enforces it: an ipBlock does not match traffic between pods\)/);
    assert.doesNotMatch(webToDb(r).explanation, /yet the policies say/);
  });

  it('without that knowledge the packets and the policies disagree', async () => {
    const r = await gradeLive(bundle, 'db-policy', answer, asCilium);
    assert.match(webToDb(r).explanation, /yet the policies say/);
  });
});
