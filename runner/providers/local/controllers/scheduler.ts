/**
 * @module
 * The scheduler of the `local` cluster: binds each unscheduled pod to a node. It filters as
 * kube-scheduler's default plugins do for what this cluster has — nodeSelector (NodeAffinity),
 * NoSchedule/NoExecute taints and the pod's tolerations (TaintToleration), cordoned nodes
 * (NodeUnschedulable) — and scores by fewest pods, the first node winning ties, so a
 * Deployment's replicas spread and placement is repeatable. A pod that names its node
 * (spec.nodeName) skips the scheduler, as in Kubernetes.
 */
import type { ObjectStore } from '../store/store.ts';
import type { KObject } from '../store/types.ts';
import type { Recorder } from './events.ts';

interface Taint {
  key: string;
  value?: string;
  effect: string;
}

interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

/** What the scheduler reads of a Node. */
export interface SchedulingNode {
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
  unschedulable: boolean;
}

export type Placement = { node: string } | { unschedulable: string };

export function nodeOf(o: KObject): SchedulingNode {
  const spec = (o.spec ?? {}) as { taints?: Taint[]; unschedulable?: boolean };
  return { name: o.metadata.name, labels: o.metadata.labels ?? {}, taints: spec.taints ?? [], unschedulable: spec.unschedulable === true };
}

/** Filter, then score: the node for `pod`, or the scheduler's reason why there is none. */
export function placePod(pod: KObject, nodes: readonly SchedulingNode[], podsOn: ReadonlyMap<string, number>): Placement {
  const spec = (pod.spec ?? {}) as { nodeSelector?: Record<string, string>; tolerations?: Toleration[] };
  const why = new Map<string, number>();
  const fits = nodes.filter((n) => {
    const reason = misfit(n, spec.nodeSelector ?? {}, spec.tolerations ?? []);
    if (reason) why.set(reason, (why.get(reason) ?? 0) + 1);
    return !reason;
  });
  const best = fits.reduce<SchedulingNode | undefined>((b, n) => (!b || (podsOn.get(n.name) ?? 0) < (podsOn.get(b.name) ?? 0) ? n : b), undefined);
  if (best) return { node: best.name };
  // kube-scheduler's wording: "0/3 nodes are available: 1 node(s) had untolerated taint ..., 2 node(s) didn't match ...".
  // Sorted as its sortReasonsHistogram sorts them: as whole strings, count first.
  const parts = [...why].map(([reason, n]) => `${n} ${reason}`).sort();
  return { unschedulable: `0/${nodes.length} nodes are available${parts.length ? `: ${parts.join(', ')}` : ''}.` };
}

function misfit(n: SchedulingNode, selector: Record<string, string>, tolerations: readonly Toleration[]): string | undefined {
  if (n.unschedulable && !tolerations.some((t) => tolerates(t, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }))) return 'node(s) were unschedulable';
  const taint = n.taints.find((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerations.some((tol) => tolerates(tol, t)));
  if (taint) return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
  if (Object.entries(selector).some(([k, v]) => n.labels[k] !== v)) return "node(s) didn't match Pod's node affinity/selector";
  return undefined;
}

/** As the API documents: an empty key with Exists tolerates everything; an empty effect matches every effect. */
function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if ((t.operator ?? 'Equal') === 'Exists') return !t.key || t.key === taint.key;
  return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
}

/** Binds pods as they appear; one pass per burst of changes. */
export class Scheduler {
  private readonly store: ObjectStore;
  private readonly events: Recorder;
  /** Pods already told they do not fit (an event once, as the scheduler's backoff would). */
  private readonly reported = new Set<string>();
  private pending = false;
  private stopWatch: (() => void) | undefined;

  constructor(store: ObjectStore, events: Recorder) {
    this.store = store;
    this.events = events;
  }

  start(): void {
    this.stopWatch = this.store.watch((e) => {
      if (e.resource === 'pods' || e.resource === 'nodes') this.schedule();
    });
    this.schedule();
  }

  stop(): void {
    this.stopWatch?.();
  }

  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    queueMicrotask(() => {
      this.pending = false;
      this.pass();
    });
  }

  private pass(): void {
    const pods = this.store.list('pods');
    const waiting = pods.filter((p) => !p.spec?.nodeName && !p.metadata.deletionTimestamp);
    if (waiting.length === 0) return;
    const nodes = this.store.list('nodes').map(nodeOf);
    const podsOn = new Map<string, number>();
    for (const p of pods) {
      const node = p.spec?.nodeName as string | undefined;
      const phase = p.status?.phase as string | undefined;
      if (node && phase !== 'Succeeded' && phase !== 'Failed') podsOn.set(node, (podsOn.get(node) ?? 0) + 1);
    }
    for (const pod of waiting) {
      const placed = placePod(pod, nodes, podsOn);
      const { namespace, name, uid } = pod.metadata;
      if ('node' in placed) {
        podsOn.set(placed.node, (podsOn.get(placed.node) ?? 0) + 1);
        this.store.mutate('pods', namespace, name, (o) => {
          (o.spec as Record<string, unknown>).nodeName = placed.node;
          o.status = { ...o.status, phase: 'Pending', conditions: [condition('True')] };
        });
        this.reported.delete(uid!);
        this.events.record(pod, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${placed.node}`);
      } else if (!this.reported.has(uid!)) {
        this.reported.add(uid!);
        this.store.mutate('pods', namespace, name, (o) => {
          o.status = { ...o.status, phase: 'Pending', conditions: [condition('False', 'Unschedulable', placed.unschedulable)] };
        });
        this.events.record(pod, 'Warning', 'FailedScheduling', placed.unschedulable);
      }
    }
  }
}

function condition(status: string, reason?: string, message?: string): Record<string, unknown> {
  return { type: 'PodScheduled', status, lastProbeTime: null, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), ...(reason ? { reason, message } : {}) };
}
