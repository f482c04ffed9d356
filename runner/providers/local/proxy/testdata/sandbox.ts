/**
 * @module
 * Test helper: starts testdata/sandbox.sh as PID 1 of fresh namespaces and runs commands
 * inside them with nsenter, the way the daemon enters a real node. Stopping closes the
 * script's stdin; it exits and the kernel tears everything down, even if the test dies.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Run } from '../apply.ts';

export interface TestNode {
  /** Pod name → pod IP (backend-a, backend-b, client). */
  pods: Record<string, string>;
  /** The node's own address, on its dummy eth0. */
  nodeIP: string;
  /** Runs a command in the node's network and mount namespaces. */
  run: Run;
  stop(): Promise<void>;
}

/** Why this host cannot run the test, or undefined when it can. */
export function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (unshare --net and iptables)';
  for (const cmd of ['iptables', 'unshare']) {
    if (spawnSync(cmd, ['--version']).error) return `${cmd} is not installed`;
  }
  return undefined;
}

export async function startTestNode(): Promise<TestNode> {
  const script = new URL('./sandbox.sh', import.meta.url).pathname;
  const holder = spawn('unshare', ['--net', '--mount', '--pid', '--fork', '--mount-proc', '--propagation', 'private', 'bash', script], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  holder.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const readyLine = await new Promise<string>((resolve, reject) => {
    let out = '';
    holder.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const line = /^ready .*$/m.exec(out);
      if (line) resolve(line[0]);
    });
    holder.once('exit', (code) => reject(new Error(`sandbox.sh exited (${code}) before it was ready:\n${stderr}`)));
    holder.once('error', reject);
  });
  const pods = Object.fromEntries(readyLine.split(' ').slice(1).map((kv) => kv.split('=') as [string, string]));
  // unshare --fork's child is the script, PID 1 of the new PID namespace.
  const pid = readFileSync(`/proc/${holder.pid}/task/${holder.pid}/children`, 'utf8').trim().split(' ')[0];

  const run: Run = (cmd, args, stdin) =>
    new Promise((resolve, reject) => {
      const child = spawn('nsenter', ['-t', pid!, '-n', '-m', '--', cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let err = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000); // bounded, whatever happens inside
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? 137, stdout, stderr: err });
      });
      child.stdin.on('error', () => {});
      child.stdin.end(stdin ?? '');
    });

  const stop = async () => {
    if (holder.exitCode !== null || holder.signalCode !== null) return;
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    holder.stdin.end();
    await exited;
  };
  return { pods, nodeIP: '10.0.0.10', run, stop };
}
