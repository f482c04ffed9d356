/**
 * @module
 * What every cluster has before the learner arrives, as on kind: the four system
 * namespaces, the Nodes, the `kubernetes` Service, and CoreDNS (kube-dns Service at
 * 10.96.0.10 in front of coredns pods labelled k8s-app=kube-dns). Idempotent: a
 * restarted cluster keeps what it had.
 */
import { release } from 'node:os';
import { baselineObjects } from '../../../../checkers/lab/baseline.ts';
import { KUBERNETES_VERSION } from '../config.ts';
import { VXLAN, vtepMac } from '../overlay.ts';
import type { Topology, NodePlan } from '../topology.ts';
import { admit } from '../api/admit.ts';
import type { ObjectStore } from '../store/store.ts';
import { resourceOfKind, type KObject, type Resource } from '../store/types.ts';

/**
 * The same kube-system the static grader assumes (checkers/lab/baseline.ts): one definition,
 * so a lab's flows name the same coredns pods in the engine's world and in this cluster.
 */
export function bootstrap(store: ObjectStore, topology: Topology): void {
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    ensure(store, 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  for (const n of topology.nodes) ensure(store, 'nodes', nodeObject(n, topology));
  for (const raw of baselineObjects() as unknown as KObject[]) {
    const resource = resourceOfKind(raw.kind);
    if (!resource || resource === 'namespaces') continue;
    const obj = structuredClone(raw);
    if (obj.kind === 'Service' && obj.metadata.name === 'kubernetes') obj.metadata.labels = { component: 'apiserver', provider: 'kubernetes' };
    if (obj.kind === 'Service' && obj.metadata.name === 'kube-dns') {
      obj.metadata.labels = { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' };
    }
    if (obj.kind === 'Pod') {
      // As CoreDNS's Deployment has it: its own DNS is the node's, and the container is named coredns.
      const spec = obj.spec as { dnsPolicy?: string; priorityClassName?: string; tolerations?: unknown[]; containers: { name: string }[] };
      spec.dnsPolicy = 'Default';
      spec.tolerations = [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { key: CONTROL_PLANE, effect: 'NoSchedule' }];
      spec.priorityClassName = 'system-cluster-critical';
      spec.containers[0]!.name = 'coredns';
    }
    ensure(store, resource, obj);
  }
}

const CONTROL_PLANE = 'node-role.kubernetes.io/control-plane';

function nodeObject(n: NodePlan, topology: Topology): KObject {
  // As kind: the control plane keeps its NoSchedule taint only when there are workers.
  const taints = n.role === 'control-plane' && topology.nodes.length > 1 ? [{ key: CONTROL_PLANE, effect: 'NoSchedule' }] : [];
  // Flannel publishes each node's VTEP in annotations; its peers program their FDB from them.
  const annotations: Record<string, string> =
    topology.network === 'vxlan'
      ? { 'flannel.alpha.coreos.com/backend-type': 'vxlan', 'flannel.alpha.coreos.com/backend-data': JSON.stringify({ VNI: VXLAN.vni, VtepMAC: vtepMac(n) }), 'flannel.alpha.coreos.com/public-ip': n.ip }
      : {};
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      labels: {
        'kubernetes.io/hostname': n.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        ...(n.role === 'control-plane' ? { [CONTROL_PLANE]: '' } : {}),
      },
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    spec: { podCIDR: n.podCIDR, podCIDRs: [n.podCIDR], providerID: `flatnet://${n.name}`, ...(taints.length ? { taints } : {}) },
    status: {
      addresses: [
        { type: 'InternalIP', address: n.ip },
        { type: 'Hostname', address: n.name },
      ],
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
      nodeInfo: { kernelVersion: release(), kubeletVersion: KUBERNETES_VERSION, containerRuntimeVersion: 'flatnet://0.1.0', osImage: 'flatnet local node', operatingSystem: 'linux', architecture: 'amd64' },
    },
  };
}

function ensure(store: ObjectStore, resource: Resource, obj: KObject): void {
  if (store.get(resource, obj.metadata.namespace, obj.metadata.name)) return;
  store.create(resource, admit(resource, obj, store));
}

/** Creates an object (through admission, as the API would) unless it exists: idempotent, for addons. */
export function ensureObject(store: ObjectStore, obj: KObject): void {
  const resource = resourceOfKind(obj.kind);
  if (!resource) throw new Error(`no resource for kind ${obj.kind}`);
  ensure(store, resource, obj);
}
