/**
 * @module
 * The create plan for a spec, in order: nodes, the CNI (none for kindnet, kind's own),
 * the lab's images (while the CNI's pods start), then the wait for a working network.
 */
import type { ProgressEvent } from '../../provider.ts';
import type { KindCni } from '../config.ts';
import type { Action, KindContext } from './action.ts';
import { createCluster } from './create-cluster.ts';
import { installCalico } from './install-calico.ts';
import { installCilium } from './install-cilium.ts';
import { loadLabImages } from './load-images.ts';
import { waitNetwork } from './wait-network.ts';

const INSTALL: Record<KindCni, Action | undefined> = { calico: installCalico, cilium: installCilium, kindnet: undefined };

export function createPlan(cni: KindCni, images: readonly string[]): Action[] {
  return [createCluster, INSTALL[cni], images.length > 0 ? loadLabImages : undefined, waitNetwork].filter((a): a is Action => a !== undefined);
}

export async function runPlan(plan: readonly Action[], ctx: KindContext, progress: (e: ProgressEvent) => void): Promise<void> {
  for (const [i, action] of plan.entries()) {
    progress({ stage: action.stage, step: i + 1, of: plan.length });
    await action.run(ctx);
  }
}
