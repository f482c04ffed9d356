/**
 * @module
 * `kind create cluster --name flatnet-<name> --config - --kubeconfig <its own file>`, the
 * config on stdin. Never `--wait`: with a custom CNI the nodes stay NotReady until the CNI
 * is installed, so kind's wait can only time out (kind#1889, research §1.4); wait-network.ts
 * waits instead, on what actually means ready.
 */
import { kindErrors } from '../../../../checkers/errors.ts';
import { kindConfigYaml } from '../config.ts';
import { tail } from '../tools.ts';
import type { Action } from './action.ts';

export const createCluster: Action = {
  stage: 'Creating nodes',
  async run(ctx) {
    const args = ['create', 'cluster', '--name', ctx.cluster, '--config', '-', '--kubeconfig', ctx.kubeconfig];
    const r = await ctx.runner('kind', args, { input: kindConfigYaml(ctx.spec, ctx.options), timeoutMs: 10 * 60_000 });
    if (r.code === 0) return;
    const said = r.stderr + r.stdout;
    if (/already exist/i.test(said)) throw kindErrors.clusterExists(ctx.cluster, ctx.name);
    if (/docker daemon|docker API|Cannot connect to the Docker|failed to (list|get) .*docker/i.test(said)) throw kindErrors.dockerUnavailable(tail(said, 1));
    throw kindErrors.toolFailed('creating the kind cluster', `kind ${args.join(' ')}`, tail(said), 'run `npx flatnet doctor --provider kind` (Docker running, inotify limits raised) and try again');
  },
};
