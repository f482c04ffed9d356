/**
 * @module
 * What every cluster has before the learner arrives, as on kind: the four system
 * namespaces, the Node, the `kubernetes` Service, and CoreDNS (kube-dns Service at
 * 10.96.0.10 in front of coredns pods labelled k8s-app=kube-dns). Idempotent: a
 * restarted cluster keeps what it had.
 */
import { createHash } from 'node:crypto';
import { COREDNS_IMAGE, DNS_SERVICE_IP, KUBERNETES_SERVICE_IP, KUBERNETES_VERSION, NODE_POD_CIDR } from '../config.ts';
import { admit } from '../api/admit.ts';
import type { ObjectStore } from '../store/store.ts';
import type { KObject, Resource } from '../store/types.ts';

export const COREDNS_REPLICAS = 2;

export function bootstrap(store: ObjectStore, node: string, nodeIP: string): void {
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    ensure(store, 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  ensure(store, 'nodes', nodeObject(node, nodeIP));
  ensure(store, 'services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { clusterIP: KUBERNETES_SERVICE_IP, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] },
  });
  ensure(store, 'services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'kube-dns',
      namespace: 'kube-system',
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
      annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
    },
    spec: {
      selector: { 'k8s-app': 'kube-dns' },
      clusterIP: DNS_SERVICE_IP,
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
      ],
    },
  });
  // kind's coredns pods belong to a Deployment's ReplicaSet: the same name shape, without the controllers.
  const hash = createHash('sha256').update(node).digest('hex');
  const rs = `coredns-${hash.slice(0, 10).replace(/[0-9]/g, (d) => 'bcdfghjklm'[Number(d)]!)}`;
  for (let i = 0; i < COREDNS_REPLICAS; i++) {
    ensure(store, 'pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${rs}-${hash.slice(10 + i * 5, 15 + i * 5).replace(/[0-9]/g, (d) => 'bcdfghjklm'[Number(d)]!)}`,
        namespace: 'kube-system',
        labels: { 'k8s-app': 'kube-dns', 'pod-template-hash': rs.slice(8) },
      },
      spec: {
        priorityClassName: 'system-cluster-critical',
        dnsPolicy: 'Default',
        containers: [
          {
            name: 'coredns',
            image: COREDNS_IMAGE,
            args: ['-conf', '/etc/coredns/Corefile'],
            ports: [
              { name: 'dns', containerPort: 53, protocol: 'UDP' },
              { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
              { name: 'metrics', containerPort: 9153, protocol: 'TCP' },
            ],
          },
        ],
      },
    });
  }
}

function nodeObject(name: string, ip: string): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node-role.kubernetes.io/control-plane': '',
      },
    },
    spec: { podCIDR: NODE_POD_CIDR, podCIDRs: [NODE_POD_CIDR], providerID: `flatnet://${name}` },
    status: {
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: name },
      ],
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
      nodeInfo: { kubeletVersion: KUBERNETES_VERSION, containerRuntimeVersion: 'flatnet://0.1.0', osImage: 'flatnet local node', operatingSystem: 'linux', architecture: 'amd64' },
    },
  };
}

function ensure(store: ObjectStore, resource: Resource, obj: KObject): void {
  if (store.get(resource, obj.metadata.namespace, obj.metadata.name)) return;
  store.create(resource, admit(resource, obj, store));
}
