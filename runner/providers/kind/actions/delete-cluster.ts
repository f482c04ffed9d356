/**
 * @module
 * `kind delete cluster --name flatnet-<name> --kubeconfig <its own file>`: idempotent in kind
 * ("requesting to delete a cluster that does not exist will not return an error"), and with
 * the cluster's own kubeconfig so parallel deletes do not fight over one lock (research §4.4).
 */
import { kindErrors } from '../../../../checkers/errors.ts';
import { tail, type Runner } from '../tools.ts';

export async function deleteCluster(runner: Runner, cluster: string, kubeconfig: string): Promise<void> {
  const args = ['delete', 'cluster', '--name', cluster, '--kubeconfig', kubeconfig];
  const r = await runner('kind', args, { timeoutMs: 5 * 60_000 });
  if (r.code !== 0) throw kindErrors.toolFailed(`deleting ${cluster}`, `kind ${args.join(' ')}`, tail(r.stderr), `check \`docker ps --filter label=io.x-k8s.kind.cluster=${cluster}\` and remove what is left with \`docker rm -f\``);
}
