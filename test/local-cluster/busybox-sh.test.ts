/**
 * `wget -T` in a busybox pod, everywhere a learner types it: run directly, inside `sh -c`, and
 * in an interactive `sh`. Debian's static busybox (what the pods run) crashes on `-T` without
 * flatnet's wrapper, and ash runs its own applet for a bare `wget`; each way must time out as
 * wget says it does, never "Segmentation fault" (native/busybox-sh.c).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cannotRunCluster, cli, pods, until } from './harness.ts';

const skip = cannotRunCluster();
if (skip) console.log(`# skipped: ${skip}`);

describe('wget -T in a busybox pod', { skip, timeout: 120_000 }, () => {
  const c = cli();
  const name = 'bbsh';
  const exec = (flags: string[], argv: string[], input?: string) => c.run(['cluster', 'exec', '--name', name, ...flags, 'default/c', '--', ...argv], input);
  // No pod has this address: the connection hangs until wget's timeout.
  const nowhere = 'http://10.244.0.250/';

  before(async () => {
    c.ok(['cluster', 'up', '--name', name]);
    c.ok(['cluster', 'apply', '--name', name, '-f', '-'], 'apiVersion: v1\nkind: Pod\nmetadata: {name: c, namespace: default}\nspec: {containers: [{name: c, image: "busybox:1.36", args: [sleep, "3600"]}]}');
    await until('the pod Running', () => pods(c, name).some((p) => p.name === 'c' && p.status === 'Running'));
  });
  after(() => c.run(['cluster', 'down', '--name', name]));

  const cases: { how: string; flags: string[]; argv: string[]; input: string | undefined }[] = [
    { how: 'run directly', flags: [], argv: ['wget', '-T', '1', '-qO-', nowhere], input: undefined },
    { how: 'inside sh -c', flags: [], argv: ['sh', '-c', `wget -T 1 -qO- ${nowhere}; echo "rc=$?"`], input: undefined },
    { how: 'inside sh -ec, as the last command', flags: [], argv: ['sh', '-ec', `echo start; wget -qO- -T1 ${nowhere}`], input: undefined },
    { how: 'typed into an interactive sh', flags: ['-i'], argv: ['sh', '-i'], input: `wget -T 1 -qO- ${nowhere}; echo "rc=$?"; env | grep -c '^ENV=' ; exit\n` },
  ];
  for (const k of cases) {
    it(k.how, () => {
      const r = exec(k.flags, k.argv, k.input);
      assert.doesNotMatch(r.out + r.err, /Segmentation fault/);
      assert.match(r.err + r.out, /wget: download timed out/);
      if (k.argv.join(' ').includes('rc=')) assert.match(r.out, /rc=1/);
      // The interactive shell's $ENV (which defines the function) is gone again for its children.
      if (k.flags.includes('-i')) assert.match(r.out, /^0$/m);
    });
  }

  it('leaves the shell as it was otherwise: $0, exit codes, set -e', () => {
    assert.equal(exec([], ['sh', '-c', 'echo $0']).out.trim(), 'sh');
    assert.equal(exec([], ['sh', '-c', 'exit 3']).code, 3);
    const e = exec([], ['sh', '-c', 'set -e; false; echo not-reached']);
    assert.equal(e.out, '');
    assert.equal(exec([], ['sh', '-c', 'echo "$1-$2"', 'argv0', 'a', 'b']).out.trim(), 'a-b');
  });
});
