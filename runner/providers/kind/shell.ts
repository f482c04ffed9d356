/**
 * @module
 * A learner's shell for a kind cluster: not the control-plane container (kind runs its nodes
 * privileged, so root there is root on the host) but a throw-away tools container beside
 * it — the node image itself, for its kubectl and bash — on the `kind` network, as nobody,
 * with no capabilities, no new privileges, a read-only root and the cluster's internal
 * kubeconfig (API server by its in-network name). Shell containers carry a label with the
 * cluster's name, so reset and destroy remove them with it.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kindErrors } from '../../../checkers/errors.ts';
import { kindName } from './config.ts';
import { clusterStateDir } from './state.ts';
import { tail, type Runner } from './tools.ts';
import { NODE_IMAGE } from './versions.ts';

const LABEL = 'io.flatnet.shell';

export const internalKubeconfigPath = (name: string) => join(clusterStateDir(name), 'kubeconfig-internal');

/**
 * The kubeconfig a container on the kind network uses. Readable by the container's nobody,
 * so world-readable as a file; its folder (the cluster's state, 0700) keeps host users out.
 */
export async function writeInternalKubeconfig(runner: Runner, name: string): Promise<void> {
  const args = ['get', 'kubeconfig', '--internal', '--name', kindName(name)];
  const r = await runner('kind', args, { timeoutMs: 60_000 });
  if (r.code !== 0) throw kindErrors.toolFailed('reading the internal kubeconfig', `kind ${args.join(' ')}`, tail(r.stderr), 'check that the cluster is running: `kind get clusters`');
  writeFileSync(internalKubeconfigPath(name), r.stdout, { mode: 0o644 });
}

/** `docker run` of the shell container, for a terminal to start. */
export function shellCommand(name: string): string[] {
  const cluster = kindName(name);
  return [
    'docker', 'run', '--rm', '-i', '-t',
    '--name', `${cluster}-shell-${randomBytes(3).toString('hex')}`,
    '--label', `${LABEL}=${cluster}`,
    '--network', 'kind',
    '--user', '65534:65534',
    '--cap-drop', 'ALL',
    '--security-opt', 'no-new-privileges',
    '--read-only', '--tmpfs', '/tmp',
    '-e', 'HOME=/tmp',
    '-e', 'KUBECONFIG=/flatnet/kubeconfig',
    '-v', `${internalKubeconfigPath(name)}:/flatnet/kubeconfig:ro`,
    '--entrypoint', 'bash',
    NODE_IMAGE, '-i',
  ];
}

/** Removes the cluster's shell containers (a terminal's `docker run -t` outlives its killed client). */
export async function removeShells(runner: Runner, name: string): Promise<void> {
  const ps = await runner('docker', ['ps', '-aq', '--filter', `label=${LABEL}=${kindName(name)}`], { timeoutMs: 30_000 });
  const ids = ps.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  if (ps.code === 0 && ids.length > 0) await runner('docker', ['rm', '-f', ...ids], { timeoutMs: 60_000 });
}
