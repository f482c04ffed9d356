import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildCluster, type Cluster } from '../../../../checkers/engine/index.ts';
import { formatIP } from '../../../../checkers/net/ip.ts';
import { reach } from '../../../../checkers/reach.ts';
import { compareTables, TruthTable, type Cell } from '../../../../checkers/truth-table.ts';
import { podIP } from '../../../../test/netpol-upstream/model.ts';
import { applyPolicyRules } from './apply.ts';
import { policyRules } from './iptables.ts';
import { missingPrerequisite, PolicySandbox, type Agent } from './testdata/sandbox.ts';
import { MODEL_PODS, podIPv6, scenarios, SERVED, type Scenario } from './testdata/scenarios.ts';

/**
 * Real packets through real rules: a throwaway node (testdata/sandbox.ts) with the nine
 * upstream model pods wired by CNI ptp, each serving TCP and UDP. For every scenario the
 * engine's cluster is compiled and applied with applyPolicyRules, every flow of the
 * engine's truth table is probed from inside the source pod (1 s timeout, all in
 * parallel), and the measured table must equal the engine's cell for cell.
 */
const TIMEOUT_MS = 1000;
const skip = missingPrerequisite();
if (skip) console.log(`# kernel NetworkPolicy test skipped: ${skip}`);

const netns = (pod: string) => pod.replace('/', '-');
const fmt = (c: Cell) => `${c.from} -> ${c.to} ${c.protocol}/${c.port}: measured ${c.allowed === null ? 'nothing' : c.allowed ? 'allowed' : 'denied'}`;

/** Every cell of `expected`, probed from its source pod's agent. */
async function measure(cluster: Cluster, expected: TruthTable, agents: Map<string, Agent>): Promise<TruthTable> {
  const bySource = new Map<string, Cell[]>();
  for (const cell of expected.cells()) {
    const list = bySource.get(cell.from);
    if (list) list.push(cell);
    else bySource.set(cell.from, [cell]);
  }
  const measured: Cell[] = [];
  await Promise.all(
    [...bySource].map(async ([from, cells]) => {
      const agent = agents.get(from)!;
      const probes = cells.map((c) => ({ ip: formatIP(cluster.podByKey.get(c.to)!.ips[0]!), port: c.port, protocol: c.protocol as 'TCP' | 'UDP' }));
      const results = await agent.probe(probes, TIMEOUT_MS);
      cells.forEach((c, i) => measured.push({ ...c, allowed: results[i]! }));
    }),
  );
  return TruthTable.fromResults(measured);
}

/** Every port a scenario's pods declare must be one the agents serve, or a probe would fail for the wrong reason. */
function checkServed(s: Scenario, cluster: Cluster): void {
  for (const p of cluster.pods) {
    for (const d of p.ports) {
      const served = d.protocol === 'TCP' ? SERVED.tcp : d.protocol === 'UDP' ? SERVED.udp : [];
      assert.ok(served.includes(d.port), `${s.name}: ${p.namespace}/${p.name} declares ${d.protocol}/${d.port}, which the test pods do not serve`);
    }
  }
}

const flatnetLines = (save: string) => save.split('\n').filter((l) => l.startsWith('-A FLATNET-')).sort();

describe('kernel: iptables enforces what the engine decides (netns pods, CNI ptp, real packets)', { skip: skip ?? false, timeout: 120_000 }, () => {
  let node: PolicySandbox | undefined;
  const agents = new Map<string, Agent>();
  const tally = { scenarios: 0, flows: 0, agree: 0, denied: 0 };

  before(async () => {
    node = await PolicySandbox.start();
    const sandbox = node;
    await Promise.all(MODEL_PODS.map((p) => sandbox.addPod(netns(p), [podIP(p), podIPv6(p)])));
    const started = await Promise.all(MODEL_PODS.map((p) => sandbox.startAgent(netns(p), SERVED.tcp, SERVED.udp)));
    MODEL_PODS.forEach((p, i) => agents.set(p, started[i]!));
  });

  after(async () => {
    await node?.stop();
    console.log(`# kernel vs engine: ${tally.agree}/${tally.flows} flows agree (${tally.denied} denied) over ${tally.scenarios} scenarios`);
  });

  for (const s of scenarios()) {
    it(s.name, async (t) => {
      const { cluster } = buildCluster(s.objects);
      checkServed(s, cluster);
      await applyPolicyRules(cluster, node!.run);
      const expected = reach(cluster, {});
      const { correct, wrong, missing } = compareTables(expected, await measure(cluster, expected, agents));
      const { total, denied } = expected.counts();
      tally.scenarios++;
      tally.flows += total;
      tally.agree += correct;
      tally.denied += denied;
      t.diagnostic(`${correct}/${total} flows agree with the engine (${denied} of them denied)`);
      assert.deepEqual([...wrong, ...missing].map(fmt), []);
      assert.ok(total > 0);
    });
  }

  it('iptables-save shows the generated rules verbatim; applies are idempotent; the jump stays first; stale chains go', async () => {
    const run = node!.run;
    const last = scenarios().at(-1)!; // IPv6 first: both families have rules
    const { cluster } = buildCluster(last.objects);
    const rules = policyRules(cluster);

    // Someone puts a rule above ours, then we apply twice.
    await run('iptables', ['-w', '5', '-I', 'FORWARD', '1', '-m', 'comment', '--comment', 'test: an earlier rule', '-j', 'RETURN']);
    await applyPolicyRules(cluster, run);
    const first = (await run('iptables-save', ['-t', 'filter'])).stdout;
    await applyPolicyRules(cluster, run);
    const second = (await run('iptables-save', ['-t', 'filter'])).stdout;

    assert.deepEqual(flatnetLines(first), flatnetLines(rules.v4));
    assert.deepEqual(flatnetLines(second), flatnetLines(first));
    const forward = second.split('\n').filter((l) => l.startsWith('-A FORWARD '));
    assert.equal(forward.filter((l) => l.endsWith('-j FLATNET-FORWARD')).length, 1);
    assert.match(forward[0]!, /-j FLATNET-FORWARD$/);
    const v6 = (await run('ip6tables-save', ['-t', 'filter'])).stdout;
    assert.deepEqual(flatnetLines(v6), flatnetLines(rules.v6));

    // No policies left: every per-pod and per-policy chain is deleted, in both families.
    await applyPolicyRules(buildCluster(last.objects.filter((o) => (o as { kind: string }).kind !== 'NetworkPolicy')).cluster, run);
    for (const tool of ['iptables-save', 'ip6tables-save']) {
      const chains = (await run(tool, ['-t', 'filter'])).stdout.split('\n').filter((l) => l.startsWith(':FLATNET-'));
      assert.deepEqual(chains, [':FLATNET-FORWARD - [0:0]'], tool);
    }
  });
});
