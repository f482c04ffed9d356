import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ProbeResult } from '../truth-table.ts';
import { combine } from './grade-live.ts';

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
