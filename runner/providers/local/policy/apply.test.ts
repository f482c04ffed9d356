import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildCluster } from '../../../../checkers/engine/index.ts';
import { FlatnetError } from '../../../../checkers/errors.ts';
import { np, ns, pod } from '../../../../checkers/engine/testdata/objects.ts';
import { applyPolicyRules, readFilterTable, restoreInput, type Run } from './apply.ts';
import { familyRules } from './iptables.ts';

/** What the restore adds around policyRules' text, for the node states apply.ts can meet. */
const { cluster } = buildCluster([ns('x'), pod('x', 'a', {}, [{ containerPort: 80 }], ['10.0.0.1']), np('x', 'deny', { podSelector: {} })]);
const text = familyRules(cluster, 4);
const JUMP = '-A FORWARD -m comment --comment "flatnet NetworkPolicy: check each new flow" -j FLATNET-FORWARD';
const KUBE = '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD';
const save = (chains: string[], forward: string[]) =>
  ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ...chains.map((c) => `:${c} - [0:0]`), ...forward, 'COMMIT', ''].join('\n');
/** The lines restoreInput adds: everything not in policyRules' own text. */
const added = (input: string) => input.split('\n').filter((l) => l && !text.split('\n').includes(l));

const cases: { name: string; saved: string; added: string[] }[] = [
  { name: 'a fresh node: insert the jump at the top of FORWARD', saved: save([], []), added: [JUMP.replace('-A FORWARD', '-I FORWARD 1')] },
  { name: 'applied before, nothing stale: nothing to add', saved: save(['FLATNET-FORWARD'], [JUMP, KUBE]), added: [] },
  {
    name: 'a chain nothing uses any more: declared (emptied), then deleted',
    saved: save(['FLATNET-FORWARD', 'FLATNET-INGRESS-AAAAAAAAAAAA', 'KUBE-FORWARD'], [JUMP]),
    added: [':FLATNET-INGRESS-AAAAAAAAAAAA - [0:0]', '-X FLATNET-INGRESS-AAAAAAAAAAAA'],
  },
  {
    name: 'another rule got above the jump: move the jump back to the top',
    saved: save(['FLATNET-FORWARD'], [KUBE, JUMP]),
    added: [JUMP.replace('-A ', '-D '), JUMP.replace('-A FORWARD', '-I FORWARD 1')],
  },
  {
    name: 'duplicate jumps: delete both, insert one',
    saved: save(['FLATNET-FORWARD'], [JUMP, JUMP]),
    added: [JUMP.replace('-A ', '-D '), JUMP.replace('-A ', '-D '), JUMP.replace('-A FORWARD', '-I FORWARD 1')],
  },
];

describe('restoreInput', () => {
  for (const c of cases) {
    it(c.name, () => {
      const input = restoreInput(text, readFilterTable(c.saved));
      assert.deepEqual(added(input), c.added);
      assert.match(input, /\nCOMMIT\n$/);
    });
  }
});

/** A node that answers iptables-save from `tables` and records every restore. */
function fakeNode(tables: { v4?: string | null; v6?: string | null }, restoreCode = 0) {
  const calls: { cmd: string; stdin?: string }[] = [];
  const run: Run = async (cmd, _args, stdin) => {
    calls.push({ cmd, stdin });
    const table = cmd.startsWith('ip6') ? tables.v6 : tables.v4;
    if (cmd.endsWith('-save')) return table === null || table === undefined ? { code: 1, stdout: '', stderr: 'ip6tables: not supported' } : { code: 0, stdout: table, stderr: '' };
    return restoreCode === 0 ? { code: 0, stdout: '', stderr: '' } : { code: restoreCode, stdout: '', stderr: 'iptables-restore: Chain FOO does not exist\nError occurred at line: 4' };
  };
  return { run, calls };
}

describe('applyPolicyRules', () => {
  it('IPv4 only: one save and one restore; ip6tables is not touched on a node that never had IPv6 pods', async () => {
    const node = fakeNode({ v4: save([], []), v6: save([], []) });
    await applyPolicyRules(cluster, node.run);
    assert.deepEqual(node.calls.map((c) => c.cmd), ['iptables-save', 'iptables-restore']);
  });

  it('once a node had IPv6 pods, their chains are cleaned up after they are gone', async () => {
    const dual = buildCluster([ns('x'), pod('x', 'a', {}, [{ containerPort: 80 }], ['10.0.0.1', 'fd00::1'])]).cluster;
    const node = fakeNode({ v4: save([], []), v6: save(['FLATNET-FORWARD', 'FLATNET-INGRESS-AAAAAAAAAAAA'], [JUMP]) });
    await applyPolicyRules(dual, node.run);
    node.calls.length = 0;
    await applyPolicyRules(cluster, node.run);
    assert.deepEqual(node.calls.map((c) => c.cmd), ['iptables-save', 'iptables-restore', 'ip6tables-save', 'ip6tables-restore']);
    assert.match(node.calls[3]?.stdin ?? '', /^-X FLATNET-INGRESS-AAAAAAAAAAAA$/m);
  });

  it('no ip6tables at all is fine without IPv6 pods, an error with them', async () => {
    await applyPolicyRules(cluster, fakeNode({ v4: save([], []), v6: null }).run);
    const dual = buildCluster([ns('x'), pod('x', 'a', {}, [{ containerPort: 80 }], ['10.0.0.1', 'fd00::1'])]).cluster;
    await assert.rejects(applyPolicyRules(dual, fakeNode({ v4: save([], []), v6: null }).run), /reading the ip6tables filter table failed/);
  });

  it('a failed restore names the line it stopped at, and the next apply still runs', async () => {
    const err = await applyPolicyRules(cluster, fakeNode({ v4: save([], []) }, 2).run).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof FlatnetError);
    assert.equal(err.code, 'PolicyRulesFailed');
    assert.match(err.message, /exited 2: .*Error occurred at line: 4 \(at: :FLATNET-/);
    await applyPolicyRules(cluster, fakeNode({ v4: save([], []), v6: save([], []) }).run);
  });
});
