/**
 * The postgres DNS-egress lab, live: its setup runs in a real local cluster, and for the
 * reference, every accepted answer and every known-wrong answer, each flow the grader's checks
 * look at is measured with real packets. Live must agree with the engine on every flow — so
 * the reference passes live and each wrong answer fails live, with the same hint.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gradeStatic } from '../../checkers/grade/index.ts';
import { setupObjects } from '../../checkers/lab/setup.ts';
import { sourceManifests, sourceText } from '../../checkers/lab/sources.ts';
import type { ProbeResult } from '../../checkers/truth-table.ts';
import { call } from '../../runner/providers/local/client.ts';
import { down, up } from '../../runner/providers/local/lifecycle.ts';
import { LABS_ROOT, loadLab } from '../../runner/lab/load.ts';
import { cannotRunCluster } from './harness.ts';

const skip = cannotRunCluster();
if (skip) console.log(`# skipped: ${skip}`);

const NAME = 'pglab';
const bundle = loadLab(join(LABS_ROOT, 'netpol-postgres-dns-egress'));
const task = bundle.lab.tasks[0]!;
const answers = [
  { id: 'reference', src: task.reference, at: ['tasks', 0, 'reference'], hint: undefined as string | undefined },
  ...task.accepted.map((a, i) => ({ id: `accepted ${a.id}`, src: a, at: ['tasks', 0, 'accepted', i], hint: undefined })),
  ...task.wrong.map((w, i) => ({ id: `wrong ${w.id}`, src: w, at: ['tasks', 0, 'wrong', i], hint: w.hint as string | undefined })),
];
const ref = (key: string) => ({ namespace: key.split('/')[0]!, name: key.split('/')[1]! });

describe('postgres DNS-egress lab, live', { skip }, () => {
  const setup = setupObjects(bundle.lab.setup) as { kind: string; metadata: { name: string; namespace?: string } }[];
  const namespaces = [...new Set([...setup.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name), 'kube-system', 'default'])];

  before(async () => {
    process.env.FLATNET_STATE_DIR = mkdtempSync(join(tmpdir(), 'flatnet-pglab-'));
    await up(NAME, { stage: () => {} });
    await call(NAME, 'POST', '/apply', { objects: setup });
    const pods = setup.filter((o) => o.kind === 'Pod').length + 2;
    for (;;) {
      const s = await call<{ pods: { ready: boolean }[] }>(NAME, 'GET', '/status');
      if (s.pods.filter((p) => p.ready).length >= pods) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  after(() => down(NAME));

  for (const a of answers) {
    it(a.id, async () => {
      for (const ns of namespaces) {
        const { objects } = await call<{ objects: { metadata: { name: string } }[] }>(NAME, 'GET', `/objects?resource=networkpolicies&namespace=${ns}`);
        for (const p of objects) await call(NAME, 'POST', '/delete', { resource: 'networkpolicies', namespace: ns, name: p.metadata.name });
      }
      const text = sourceText(bundle, a.src, a.at);
      const graded = gradeStatic(bundle, task.id, text);
      assert.equal(graded.passed, a.hint === undefined, `static grade of ${a.id}`);
      if (a.hint) assert.equal(graded.hint, a.hint);
      await call(NAME, 'POST', '/apply', { objects: sourceManifests(text).map((m) => m.object) });
      assert.equal((await call<{ error: string | null }>(NAME, 'POST', '/settle')).error, null);

      // Every flow a check decided, measured — except SCTP (not in this kernel) and flows to
      // addresses outside the cluster, which flatnet never sends (live reports them as null).
      const flows = new Map<string, { check: string; flow: ProbeResult }>();
      for (const c of graded.checks) for (const f of c.flows) if (f.protocol !== 'SCTP' && f.to.includes('/')) flows.set(`${f.from} ${f.to} ${f.protocol}/${f.port}`, { check: c.id, flow: f });
      const list = [...flows.values()];
      const { results } = await call<{ results: ProbeResult[] }>(NAME, 'POST', '/probe', {
        flows: list.map(({ flow }) => ({ from: ref(flow.from), to: ref(flow.to), port: flow.port, protocol: flow.protocol })),
      });
      const differ = list
        .map(({ check, flow }, i) => ({ check, flow, live: results[i]! }))
        .filter(({ flow, live }) => flow.allowed !== live.allowed)
        .map(({ check, flow, live }) => `${check}: ${flow.from} -> ${flow.to} ${flow.protocol}/${flow.port}: live ${live.allowed} (${live.reason}); engine ${flow.allowed} (${flow.reason})`);
      assert.deepEqual(differ, []);
      // An answer that does not apply where it should (wrong namespace) fails before any flow is looked at.
      if (graded.checks.some((c) => c.skipped)) assert.equal(graded.checks.find((c) => c.kind === 'applied')?.passed, false);
      else assert.ok(list.length > 5, `${list.length} flows measured`);
    });
  }
});
