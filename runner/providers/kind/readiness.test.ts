import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { networkWaiting, podReason, type NodeJson, type PodJson } from './readiness.ts';

const pod = (namespace: string, name: string, labels: Record<string, string>, ready: boolean, waiting?: string): PodJson => ({
  metadata: { namespace, name, labels },
  status: {
    phase: ready ? 'Running' : 'Pending',
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    containerStatuses: [{ ready, state: waiting ? { waiting: { reason: waiting } } : { } }],
  },
});
const node = (name: string, ready: boolean): NodeJson => ({ metadata: { name }, status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });
const dns = (ready: boolean, waiting?: string) => pod('kube-system', 'coredns-1', { 'k8s-app': 'kube-dns' }, ready, waiting);
const calico = (n: string, ready: boolean, waiting?: string) => pod('calico-system', `calico-node-${n}`, { 'k8s-app': 'calico-node' }, ready, waiting);
const cilium = (n: string, ready: boolean) => pod('kube-system', `cilium-${n}`, { 'k8s-app': 'cilium' }, ready);

describe('CNI-aware readiness', () => {
  it('waits for an agent on every node, every node Ready, then CoreDNS', () => {
    const nodes = { items: [node('cp', false), node('w1', false)] };
    assert.deepEqual(networkWaiting('calico', { items: [dns(false, 'ContainerCreating')] }, nodes), [
      'calico-node pods (0 of 2 nodes have one)',
      'node cp (NotReady)',
      'node w1 (NotReady)',
      'kube-system/coredns-1 (ContainerCreating)',
    ]);
    assert.deepEqual(networkWaiting('calico', { items: [calico('a', true), calico('b', false, 'ImagePullBackOff'), dns(false)] }, { items: [node('cp', true), node('w1', false)] }), [
      'calico-system/calico-node-b (ImagePullBackOff)',
      'node w1 (NotReady)',
      'kube-system/coredns-1 (not Ready)',
    ]);
    assert.deepEqual(networkWaiting('calico', { items: [calico('a', true), calico('b', true), dns(true)] }, { items: [node('cp', true), node('w1', true)] }), []);
  });

  it('knows each CNI by its own agent: a calico-node pod does not make Cilium ready', () => {
    const nodes = { items: [node('cp', true)] };
    assert.deepEqual(networkWaiting('cilium', { items: [calico('a', true), dns(true)] }, nodes), ['cilium pods (0 of 1 nodes have one)']);
    assert.deepEqual(networkWaiting('cilium', { items: [cilium('a', true), dns(true)] }, nodes), []);
  });

  it('names why a pod waits in kubectl\'s words', () => {
    assert.equal(podReason(calico('x', false, 'ErrImagePull')), 'ErrImagePull');
    assert.equal(podReason({ metadata: { name: 'p' }, status: { phase: 'Pending' } }), 'Pending');
    assert.equal(podReason({ metadata: { name: 'p' } }), 'Pending');
  });
});
