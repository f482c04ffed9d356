/**
 * The postgres DNS-egress lab, graded live: its setup runs in a real local cluster, and the
 * reference, every accepted answer and every known-wrong answer are graded there by the live
 * grader (real packets, a real lookup) — the reference and accepted answers pass, each wrong
 * answer fails with its hint, and on every flow the packets agree with the engine. Between
 * answers the prober's reset takes the answer away again. The CLI's `grade --live` is run once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gradeLive, gradeStatic } from '../../checkers/grade/index.ts';
import { startLabCluster } from '../../runner/lab/cluster.ts';
import { LocalProvider } from '../../runner/providers/local/provider.ts';
import { LABS_ROOT, loadLab } from '../../runner/lab/load.ts';
import { cannotRunCluster, cli } from './harness.ts';
import { knownAnswers } from './lab-answers.ts';

const skip = cannotRunCluster();
if (skip) console.log(`# skipped: ${skip}`);

const NAME = 'pglab';
const LAB = join(LABS_ROOT, 'netpol-postgres-dns-egress');
const bundle = loadLab(LAB);
const task = bundle.lab.tasks[0]!;
const answers = knownAnswers(bundle);

describe('postgres DNS-egress lab, graded live', { skip, timeout: 300_000 }, () => {
  const provider = new LocalProvider();
  const prober = provider.prober(NAME);

  before(async () => {
    process.env.FLATNET_STATE_DIR = mkdtempSync(join(tmpdir(), 'flatnet-pglab-'));
    await startLabCluster(provider, { name: NAME }, bundle, 0, () => {});
  });
  after(() => provider.destroy(NAME));

  for (const a of answers) {
    it(a.id, async () => {
      const answer = a.answer;
      const live = await gradeLive(bundle, task.id, answer, prober);
      await prober.reset();
      assert.equal(live.mode, 'live');
      assert.equal(live.passed, a.hint === undefined, `live grade of ${a.id}: ${live.checks.filter((c) => !c.passed).map((c) => `${c.id}: ${c.explanation}`).join('; ')}`);
      assert.equal(live.hint, a.hint ?? null);
      // The same verdicts as the engine, check by check, and every flow to a pod measured.
      const fixed = gradeStatic(bundle, task.id, answer);
      assert.deepEqual(live.checks.map((c) => [c.id, c.passed, c.skipped]), fixed.checks.map((c) => [c.id, c.passed, c.skipped]));
      const flows = live.checks.flatMap((c) => c.flows.map((f) => ({ check: c.id, ...f })));
      const toPods = flows.filter((f) => f.to.includes('/') && f.protocol !== 'SCTP');
      for (const f of toPods) {
        assert.match(f.reason, /measured/, `${f.check}: ${f.from} -> ${f.to} ${f.protocol}/${f.port} was not measured: ${f.reason}`);
        assert.doesNotMatch(f.reason, /yet the policies say/, `${f.check}: live and engine disagree: ${f.reason}`);
      }
      if (!live.checks.some((c) => c.skipped)) assert.ok(toPods.length > 5, `${toPods.length} flows measured`);
      // Flows to addresses outside the cluster are never sent: the engine decides them, and says so.
      for (const f of flows.filter((x) => !x.to.includes('/'))) assert.match(f.reason, /not measured: .*outside the cluster/);
    });
  }
});

describe('flatnet grade --live', { skip, timeout: 120_000 }, () => {
  const c = cli();
  it('grades the reference in a throw-away cluster: passed, live, and no cluster left behind', () => {
    const r = c.run(['grade', LAB, '--live', '-o', 'json', '-f', join(LAB, 'solution', 'postgres-policy.yaml')]);
    assert.equal(r.code, 0, r.err);
    const result = JSON.parse(r.out) as { mode: string; passed: boolean; checks: { flows: { reason: string }[] }[] };
    assert.equal(result.mode, 'live');
    assert.equal(result.passed, true);
    assert.ok(result.checks.some((x) => x.flows.some((f) => /^allowed: measured/.test(f.reason))));
    assert.match(r.err, /Setting up the lab[\s\S]*Grading with real packets/);
    assert.equal(c.run(['cluster', 'status']).out.includes('grade-'), false);
  });

  it('a reader that goes away (| head -1) does not leave the throw-away cluster behind', () => {
    const bin = fileURLToPath(new URL('../../bin/flatnet.js', import.meta.url));
    // The shell waits for both sides of the pipe: grade runs on after head has gone.
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" grade "${LAB}" --live -f "${join(LAB, 'solution', 'postgres-policy.yaml')}" 2>&1 | head -1`], { env: { ...process.env, FLATNET_STATE_DIR: c.stateDir }, encoding: 'utf8', timeout: 90_000 });
    assert.match(r.stdout, /Starting/);
    assert.match(c.ok(['cluster', 'status']), /^No clusters\./);
  });
});
