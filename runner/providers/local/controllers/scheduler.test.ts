import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../store/types.ts';
import { placePod, type SchedulingNode } from './scheduler.ts';

const CP = 'node-role.kubernetes.io/control-plane';
const node = (name: string, extra: Partial<SchedulingNode> = {}): SchedulingNode => ({ name, labels: { 'kubernetes.io/hostname': name }, taints: [], unschedulable: false, ...extra });
const pod = (spec: Record<string, unknown> = {}): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [], ...spec } });

const cp = node('cp', { labels: { 'kubernetes.io/hostname': 'cp', [CP]: '' }, taints: [{ key: CP, effect: 'NoSchedule' }] });
const w1 = node('w1', { labels: { 'kubernetes.io/hostname': 'w1', disk: 'ssd' } });
const w2 = node('w2');

describe('placePod', () => {
  const cases: { name: string; pod: KObject; nodes: SchedulingNode[]; counts?: Record<string, number>; want: string }[] = [
    { name: 'fewest pods wins', pod: pod(), nodes: [w1, w2], counts: { w1: 2, w2: 1 }, want: 'w2' },
    { name: 'ties go to the first node', pod: pod(), nodes: [w1, w2], counts: { w1: 1, w2: 1 }, want: 'w1' },
    { name: 'a tainted control plane takes no ordinary pod', pod: pod(), nodes: [cp, w1], counts: { w1: 5 }, want: 'w1' },
    { name: 'a toleration lets a pod onto the control plane', pod: pod({ tolerations: [{ key: CP, effect: 'NoSchedule' }] }), nodes: [cp, w1], counts: { w1: 5 }, want: 'cp' },
    { name: 'Exists with no key tolerates every taint', pod: pod({ tolerations: [{ operator: 'Exists' }] }), nodes: [cp, w1], counts: { w1: 1 }, want: 'cp' },
    { name: 'a toleration for another effect does not help', pod: pod({ tolerations: [{ key: CP, effect: 'NoExecute' }] }), nodes: [cp], want: '0/1 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }.' },
    { name: 'nodeSelector narrows the choice', pod: pod({ nodeSelector: { disk: 'ssd' } }), nodes: [w1, w2], counts: { w1: 9 }, want: 'w1' },
    { name: 'nodeSelector by hostname', pod: pod({ nodeSelector: { 'kubernetes.io/hostname': 'w2' } }), nodes: [w1, w2], want: 'w2' },
    {
      name: 'no fit: the reasons counted, as kube-scheduler words them',
      pod: pod({ nodeSelector: { disk: 'hdd' } }),
      nodes: [cp, w1, w2],
      want: "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector.",
    },
    { name: 'a cordoned node is skipped', pod: pod(), nodes: [node('w1', { unschedulable: true }), w2], counts: { w2: 3 }, want: 'w2' },
    { name: 'no nodes at all', pod: pod(), nodes: [], want: '0/0 nodes are available.' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = placePod(c.pod, c.nodes, new Map(Object.entries(c.counts ?? {})));
      assert.equal('node' in got ? got.node : got.unschedulable, c.want);
    });
  }
});
