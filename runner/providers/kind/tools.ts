/**
 * @module
 * The host tools the kind provider drives — kind, docker, helm, kubectl — behind one small
 * seam: every call goes through a Runner, so a test can record the exact command sequence,
 * and a missing tool is reported as such instead of as a spawn error.
 */
import { kindErrors } from '../../../checkers/errors.ts';
import { run, type RunOptions, type RunResult } from '../local/exec.ts';

export type Tool = 'kind' | 'docker' | 'helm' | 'kubectl';

const WHY: Record<Tool, string> = {
  kind: 'create and delete the clusters',
  docker: 'hold the images kind loads into the nodes',
  helm: 'install Cilium',
  kubectl: 'talk to the cluster',
};

export type Runner = (tool: Tool, args: readonly string[], opts?: RunOptions) => Promise<RunResult>;

/** The real tools, found on PATH (FLATNET_KUBECTL may name another kubectl). */
export const hostRunner: Runner = async (tool, args, opts) => {
  const cmd = tool === 'kubectl' ? (process.env.FLATNET_KUBECTL ?? 'kubectl') : tool;
  try {
    return await run(cmd, args, opts);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw kindErrors.toolMissing(tool, WHY[tool]);
    throw e;
  }
};

/** The last few lines of a tool's stderr: what it said when it failed, without its progress chatter. */
export function tail(text: string, lines = 3): string {
  const kept = text.trim().split('\n').filter((l) => l.trim() !== '');
  return kept.slice(-lines).join(' | ') || '(no output)';
}

/** `kubectl` bound to one cluster's own kubeconfig (never the user's ~/.kube/config). */
export class Kubectl {
  readonly kubeconfig: string;
  private readonly runner: Runner;

  constructor(kubeconfig: string, runner: Runner) {
    this.kubeconfig = kubeconfig;
    this.runner = runner;
  }

  run(args: readonly string[], opts?: RunOptions): Promise<RunResult> {
    return this.runner('kubectl', ['--kubeconfig', this.kubeconfig, ...args], opts);
  }

  /** Runs and parses JSON output; throws a catalogued error naming the command when it fails. */
  async json<T>(args: readonly string[], what: string): Promise<T> {
    const r = await this.run([...args, '-o', 'json'], { timeoutMs: 30_000 });
    if (r.code !== 0) throw kindErrors.toolFailed(what, `kubectl ${args.join(' ')}`, tail(r.stderr), 'check that the cluster is running (`npx flatnet cluster status --provider kind`)');
    return JSON.parse(r.stdout) as T;
  }
}
