/**
 * `kubectl run -it --rm`, `attach`, `logs -f` and `get -w`, the real kubectl against the local cluster: the
 * classic throw-away debugging shell on a terminal (node-pty plays the learner's terminal),
 * piped stdin without a terminal, stdinOnce, and the container's exit code passed on.
 * Skipped with a message where kubectl is not installed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cannotRunKubectl, cli, until } from './harness.ts';

const skip = cannotRunKubectl();
if (skip) console.log(`# skipped: ${skip}`);

describe('kubectl run -it and attach against the local cluster', { skip, timeout: 120_000 }, () => {
  const c = cli();
  const name = 'attach';
  let env: Record<string, string> = {};
  const kubectl = (args: string[], input?: string) => {
    const r = spawnSync('kubectl', args, { input, env, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  before(() => {
    const kubeconfig = /^export KUBECONFIG=(.+)$/m.exec(c.ok(['cluster', 'up', '--name', name]))![1]!;
    env = { ...(process.env as Record<string, string>), KUBECONFIG: kubeconfig, KUBECACHEDIR: join(c.stateDir, 'kube-cache') };
  });
  after(() => c.run(['cluster', 'down', '--name', name]));

  it('run --rm -it gives a shell on a terminal in a new pod, passes its exit code on, and deletes it', async () => {
    const pty = await import('node-pty');
    const term = pty.spawn('kubectl', ['run', 'shell', '--rm', '-it', '--image=busybox', '--restart=Never', '--', 'sh'], { cols: 100, rows: 30, env });
    let screen = '';
    term.onData((d) => (screen += d));
    const exited = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
    await until('the attach hint', () => screen.includes("If you don't see a command prompt, try pressing enter."));
    term.write('\r');
    await until('a prompt', () => screen.includes('/ # ')); // busybox sh, followed by its line-editing escapes
    term.write('hostname; echo $((6*7)); stty size\r');
    await until('the answers', () => /^shell\r?$/m.test(screen) && /^42\r?$/m.test(screen) && /^30 100\r?$/m.test(screen), 20_000);
    term.write('exit 5\r');
    assert.equal(await exited, 5, screen);
    assert.match(screen, /pod "shell" deleted/);
    assert.match(screen, /pod default\/shell terminated \(Error\)/);
    // Deleted gracefully: gone once the kubelet has seen its (already stopped) container go.
    await until('the pod gone', () => /NotFound/.test(kubectl(['get', 'pod', 'shell']).err));
  });

  it('run -i without a terminal: piped stdin reaches the container once, and it ends', () => {
    const r = kubectl(['run', 'reader', '--rm', '-i', '--image=busybox', '--restart=Never', '--', 'sh', '-c', 'read x; echo "got:$x"; cat; echo eof'], 'hello\nmore\n');
    assert.equal(r.code, 0, r.err);
    // cat sees the rest of the input, then EOF (stdinOnce): the pod completes.
    assert.match(r.out, /^got:hello\nmore\neof\n/m);
  });

  it('attach joins a running container: its output from now on', async () => {
    assert.equal(kubectl(['run', 'ticker', '--image=busybox', '--', 'sh', '-c', 'i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done']).code, 0);
    await until('ticker running', () => /Running/.test(kubectl(['get', 'pod', 'ticker']).out));
    const r = spawnSync('kubectl', ['attach', 'ticker'], { env, encoding: 'utf8', timeout: 1500 });
    const ticks = [...r.stdout.matchAll(/^tick (\d+)$/gm)].map((m) => Number(m[1]));
    assert.ok(ticks.length >= 2, r.stdout + r.stderr);
    assert.ok(ticks[0]! > 1, 'attach does not replay earlier output');
    assert.deepEqual(ticks, ticks.map((_, i) => ticks[0]! + i));
  });

  it('logs -f prints what was written so far, then follows', async () => {
    const before = Number(/^tick (\d+)$/m.exec(kubectl(['logs', '--tail=1', 'ticker']).out)?.[1]);
    const { spawn } = await import('node:child_process');
    const follow = spawn('kubectl', ['logs', '-f', 'ticker'], { env });
    let out = '';
    follow.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const ticks = () => [...out.matchAll(/^tick (\d+)$/gm)].map((m) => Number(m[1]));
    await until('ticks written after logs -f started', () => (ticks().at(-1) ?? 0) > before + 2);
    follow.kill();
    assert.deepEqual(ticks(), ticks().map((_, i) => i + 1), 'from the first tick, none missing');
  });

  it('get -w prints a line for each change of a pod', async () => {
    const { spawn } = await import('node:child_process');
    const watch = spawn('kubectl', ['get', 'pods', '-w'], { env });
    let out = '';
    watch.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await until('the first listing', () => /^ticker\s+1\/1\s+Running/m.test(out));
    assert.equal(kubectl(['run', 'late', '--image=busybox', '--', 'sleep', '3600']).code, 0);
    await until('the new pod, up to Running', () => /^late\s+0\/1\s+(Pending|ContainerCreating)/m.test(out) && /^late\s+1\/1\s+Running/m.test(out));
    watch.kill();
  });
});
