/**
 * @module
 * Helpers for tests that run real local clusters: the real CLI as a user runs it, each test
 * file in its own state folder, and the reason a host cannot run them (printed, not hidden).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../../bin/flatnet.js', import.meta.url).pathname;

/** Why this host cannot run a local cluster, or undefined when it can. */
export function cannotRunCluster(): string | undefined {
  if (process.platform !== 'linux') return 'local clusters need Linux namespaces';
  const tools = ['unshare', 'nsenter', 'iptables', 'iptables-restore', 'curl', 'socat'];
  const missing = tools.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
  if (!existsSync('/usr/lib/cni/ptp')) missing.push('/usr/lib/cni/ptp (containernetworking-plugins)');
  if (!existsSync('/bin/busybox')) missing.push('/bin/busybox (busybox-static)');
  if (missing.length) return `missing on this host: ${missing.join(', ')} — run \`npx flatnet doctor\``;
  if (process.getuid?.() !== 0 && spawnSync('unshare', ['-Urn', 'true']).status !== 0) return 'not root, and unprivileged user namespaces are disabled';
  return undefined;
}

/** As cannotRunCluster, and the real kubectl must be installed too. */
export function cannotRunKubectl(): string | undefined {
  return cannotRunCluster() ?? (spawnSync('sh', ['-c', 'command -v kubectl']).status === 0 ? undefined : 'kubectl is not installed (these tests need the real kubectl >= 1.30)');
}

export interface Cli {
  stateDir: string;
  env: NodeJS.ProcessEnv;
  run(args: string[], input?: string): { code: number; out: string; err: string };
  /** Runs and fails the test with stderr when the exit code is not 0. */
  ok(args: string[], input?: string): string;
}

export function cli(): Cli {
  const stateDir = mkdtempSync(join(tmpdir(), 'flatnet-it-'));
  const env = { ...process.env, FLATNET_STATE_DIR: stateDir };
  const run = (args: string[], input?: string) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { env, input, encoding: 'utf8', timeout: 120_000 });
    return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
  };
  return {
    stateDir,
    env,
    run,
    ok(args, input) {
      const r = run(args, input);
      if (r.code !== 0) throw new Error(`flatnet ${args.join(' ')} exited ${r.code}\n${r.err}${r.out}`);
      return r.out;
    },
  };
}

export async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `flatnet cluster status` rows as objects. */
export function pods(c: Cli, name: string): { namespace: string; name: string; status: string; ip: string }[] {
  const out = c.ok(['cluster', 'status']);
  const section = out.split(/\n(?=\S+: )/).find((s) => s.startsWith(`${name}: `)) ?? '';
  return section
    .split('\n')
    .slice(2)
    .filter(Boolean)
    .map((l) => {
      const [namespace, pod, status, ip] = l.trim().split(/\s+/) as [string, string, string, string];
      return { namespace, name: pod, status, ip };
    });
}

export type Kubectl = (...args: string[]) => { code: number | null; out: string; err: string };

/** The real kubectl against one cluster's kubeconfig, as a learner runs it. */
export function kubectlFor(kubeconfig: string): Kubectl {
  return (...args) => {
    const r = spawnSync('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig }, encoding: 'utf8' });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
}
