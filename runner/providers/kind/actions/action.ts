/**
 * @module
 * Provisioning as an ordered list of small named actions, as kind itself does it
 * (`pkg/cluster/internal/create/actions`): each has the stage name a learner reads in the
 * progress bar and one job. The plan for a spec is in plan.ts.
 */
import type { ClusterSpec } from '../../provider.ts';
import type { KindCni, KindOptions } from '../config.ts';
import type { Kubectl, Runner } from '../tools.ts';

export interface KindContext {
  /** The flatnet name (`lab1`); kind's is `cluster` (`flatnet-lab1`). */
  name: string;
  cluster: string;
  spec: ClusterSpec;
  cni: KindCni;
  options: KindOptions;
  kubeconfig: string;
  runner: Runner;
  kubectl: Kubectl;
  /** How long the network may take to come up (image pulls on a cold host take minutes). */
  networkTimeoutMs: number;
  /** Images to load into the nodes. */
  images: string[];
  /** Pause between readiness polls (tests make it short). */
  pollMs: number;
}

export interface Action {
  stage: string;
  run(ctx: KindContext): Promise<void>;
}
