/**
 * @module
 * The kind clusters flatnet made, found by their name prefix in `kind get clusters` (one
 * name a line on stdout; "No kind clusters found." goes to stderr). Clusters not named
 * `flatnet-*` are never touched.
 */
import { kindErrors } from '../../../../checkers/errors.ts';
import { CLUSTER_PREFIX } from '../config.ts';
import { tail, type Runner } from '../tools.ts';

export function flatnetClusters(stdout: string): string[] {
  return stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith(CLUSTER_PREFIX) && l.length > CLUSTER_PREFIX.length);
}

export async function findClusters(runner: Runner): Promise<string[]> {
  const r = await runner('kind', ['get', 'clusters'], { timeoutMs: 60_000 });
  if (r.code !== 0) {
    if (/docker/i.test(r.stderr)) throw kindErrors.dockerUnavailable(tail(r.stderr, 1));
    throw kindErrors.toolFailed('listing kind clusters', 'kind get clusters', tail(r.stderr), 'run `npx flatnet doctor --provider kind`');
  }
  return flatnetClusters(r.stdout);
}
