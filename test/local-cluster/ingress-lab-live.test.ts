/**
 * The Ingress lab, graded live: a local cluster with the ingress controller in the task's start
 * state (setup and the given TLS Secret), where the reference, the accepted answer and every
 * known-wrong answer are graded by the live grader — each `route` check a real request from
 * outside the cluster to the controller, judged by the pod the controller's access log says
 * answered and by the certificate it served. Live and static agree check by check. Then one
 * answer the static grader cannot see through: a NetworkPolicy on the api pod that admits only
 * the controller's namespace lets Ingress traffic in, one that admits nobody does not.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gradeLive, gradeStatic } from '../../checkers/grade/index.ts';
import { startLabCluster } from '../../runner/lab/cluster.ts';
import { LocalProvider } from '../../runner/providers/local/provider.ts';
import { LABS_ROOT, loadLab } from '../../runner/lab/load.ts';
import { cannotRunCluster, cli } from './harness.ts';
import { knownAnswers } from './lab-answers.ts';

const skip = cannotRunCluster();
if (skip) console.log(`# skipped: ${skip}`);

const NAME = 'inglab';
const LAB = join(LABS_ROOT, 'ingress-host-path-tls');
const bundle = loadLab(LAB);
const task = bundle.lab.tasks[0]!;
const answers = knownAnswers(bundle);
const answerOf = (id: string) => answers.find((a) => a.id === id)!.answer;
const reference = answerOf('reference');
const policy = (from: string) => `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-ingress-only, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Ingress]
  ingress: [${from}]
`;

describe('Ingress lab, graded live', { skip, timeout: 300_000 }, () => {
  const provider = new LocalProvider();
  const prober = provider.prober(NAME);

  before(async () => {
    process.env.FLATNET_STATE_DIR = mkdtempSync(join(tmpdir(), 'flatnet-inglab-'));
    await startLabCluster(provider, { name: NAME }, bundle, 0, () => {});
  });
  after(() => provider.destroy(NAME));

  for (const a of answers) {
    it(a.id, async () => {
      const answer = a.answer;
      const live = await gradeLive(bundle, task.id, answer, prober);
      await prober.reset();
      const why = live.checks.filter((c) => !c.passed).map((c) => `${c.id}: ${c.explanation}`).join('; ');
      assert.equal(live.mode, 'live');
      assert.equal(live.passed, a.hint === undefined, `live grade of ${a.id}: ${why}`);
      assert.equal(live.hint, a.hint ?? null, why);
      const fixed = gradeStatic(bundle, task.id, answer);
      assert.deepEqual(live.checks.map((c) => [c.id, c.passed]), fixed.checks.map((c) => [c.id, c.passed]));
      // Each route that passed was decided by a pod the controller logged, not by the rules alone.
      for (const c of live.checks.filter((x) => x.kind === 'route' && x.passed && x.observed.startsWith('reaches'))) {
        assert.match(c.explanation, /from outside: status \d{3} from 10\.244\.\d+\.\d+:8080 \[shop-(api|web)-service-(80|http)\], a pod of Service shop\/(api|web)-service/, c.explanation);
      }
    });
  }

  it('graded again over an earlier answer, as a session grades (the answer stays applied): the Ingress keeps its default class', async () => {
    const first = await gradeLive(bundle, task.id, answerOf('wrong no-tls'), prober);
    assert.equal(first.hint, 'tls');
    const second = await gradeLive(bundle, task.id, reference, prober);
    await prober.reset();
    assert.equal(second.passed, true, second.checks.map((c) => `${c.id}: ${c.explanation}`).join('; '));
  });

  it('a policy admitting only the controller\'s namespace keeps the route; one admitting nobody breaks it, live and static alike', async () => {
    // This task's answers are Ingresses only: here the checks also accept the policy beside it.
    const lab = { ...bundle, lab: { ...bundle.lab, tasks: [{ ...task, checks: task.checks.map((c) => (c.kind === 'applied' ? { ...c, kinds: ['Ingress', 'NetworkPolicy'] } : c)) }] } };
    const admitted = { ...reference, text: reference.text + policy('{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-flatnet}}}]}') };
    const pass = await gradeLive(lab, task.id, admitted, prober);
    await prober.reset();
    assert.equal(pass.passed, true, pass.checks.map((c) => `${c.id}: ${c.explanation}`).join('; '));
    const nobody = { ...reference, text: reference.text + policy('') };
    const blocked = await gradeLive(lab, task.id, nobody, prober);
    await prober.reset();
    const api = blocked.checks.find((c) => c.id === 'api-path')!;
    assert.equal(api.passed, false);
    assert.match(api.explanation, /status 50[24] from the controller itself|no pod answered/, api.explanation);
    assert.match(api.explanation, /the controller proxies to the pods, and the policies stop it/);
    assert.equal(gradeStatic(lab, task.id, nobody).checks.find((c) => c.id === 'api-path')!.passed, false);
    assert.equal(blocked.checks.find((c) => c.id === 'web-path')!.passed, true);
  });
});

describe('flatnet grade --live (Ingress lab)', { skip, timeout: 180_000 }, () => {
  const c = cli();
  it('grades the reference in a throw-away cluster with the controller: passed, live', () => {
    const r = c.run(['grade', LAB, '--live', '-o', 'json', '-f', join(LAB, 'solution', 'shop.yaml')]);
    assert.equal(r.code, 0, r.err);
    const result = JSON.parse(r.out) as { mode: string; passed: boolean };
    assert.deepEqual([result.mode, result.passed], ['live', true]);
    assert.match(c.ok(['cluster', 'status']), /^No clusters\./);
  });
});
