/**
 * @module
 * What every real cluster already has and every lab may rely on: the kube-system
 * namespace with the kube-dns Service and two CoreDNS pods labelled k8s-app=kube-dns
 * (as kubeadm and kind deploy them), and the default namespace with the kubernetes
 * Service. Static grading adds these to each lab's setup; a live cluster has them.
 */
import type { Setup } from './setup.ts';
import { podObject, serviceObject } from './setup.ts';

export const DNS_NAMESPACE = 'kube-system';
export const DNS_LABELS = { 'k8s-app': 'kube-dns' } as const;
export const DNS_SERVICE = { namespace: DNS_NAMESPACE, name: 'kube-dns', clusterIP: '10.96.0.10' } as const;
export const CLUSTER_DOMAIN = 'cluster.local';

const coredns = (suffix: string) => ({
  name: `coredns-7db6d8ff4d-${suffix}`,
  namespace: DNS_NAMESPACE,
  image: 'registry.k8s.io/coredns/coredns:v1.11.3',
  labels: { ...DNS_LABELS, 'pod-template-hash': '7db6d8ff4d' },
  ports: [
    { port: 53, protocol: 'UDP' as const, name: 'dns' },
    { port: 53, protocol: 'TCP' as const, name: 'dns-tcp' },
    { port: 9153, protocol: 'TCP' as const, name: 'metrics' },
  ],
});

export const BASELINE: Setup = {
  namespaces: [{ name: 'default' }, { name: DNS_NAMESPACE }],
  pods: [coredns('2x4kp'), coredns('9qv7m')],
  services: [
    {
      ...DNS_SERVICE,
      selector: { ...DNS_LABELS },
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        { name: 'metrics', port: 9153, protocol: 'TCP' },
      ],
    },
  ],
};

/** The baseline as Kubernetes objects. The kubernetes Service has no selector: its endpoint is the API server. */
export function baselineObjects(): Record<string, unknown>[] {
  return [
    ...BASELINE.namespaces.map((n) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n.name } })),
    ...BASELINE.pods.map(podObject),
    ...BASELINE.services.map(serviceObject),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default' },
      spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, targetPort: 6443, protocol: 'TCP' }] },
    },
  ];
}
