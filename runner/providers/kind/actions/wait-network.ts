/**
 * @module
 * Ready means the CNI works, not that kind finished: the CNI's agent pod Ready on every
 * node, every node Ready, then CoreDNS Ready (it cannot start before the pod network
 * exists). Polled with kubectl (most gates take under 5 minutes; research §6.2 calls
 * polling every few seconds fine); on timeout the error names every straggler and why.
 */
import { kindErrors } from '../../../../checkers/errors.ts';
import { CNI_INFO } from '../cni.ts';
import { networkWaiting, type List, type NodeJson, type PodJson } from '../readiness.ts';
import type { Action } from './action.ts';

export const waitNetwork: Action = {
  stage: 'Waiting for the network',
  async run(ctx) {
    const t0 = performance.now();
    for (;;) {
      const pods = await ctx.kubectl.json<List<PodJson>>(['get', 'pods', '--all-namespaces'], 'reading the pods');
      const nodes = await ctx.kubectl.json<List<NodeJson>>(['get', 'nodes'], 'reading the nodes');
      const waiting = networkWaiting(ctx.cni, pods, nodes);
      if (waiting.length === 0) return;
      if (performance.now() - t0 > ctx.networkTimeoutMs) throw kindErrors.networkNotReady(CNI_INFO[ctx.cni].title, Math.round(ctx.networkTimeoutMs / 1000), waiting.join(', '), ctx.kubeconfig);
      await new Promise((r) => setTimeout(r, ctx.pollMs));
    }
  },
};
