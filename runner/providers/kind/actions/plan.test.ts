import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FlatnetError } from '../../../../checkers/errors.ts';
import type { KindCni } from '../config.ts';
import type { ProgressEvent } from '../../provider.ts';
import { Kubectl, type Runner, type Tool } from '../tools.ts';
import type { KindContext } from './action.ts';
import { flatnetClusters } from './find-clusters.ts';
import { createPlan, runPlan } from './plan.ts';

const ready = (namespace: string, name: string, labels: Record<string, string>) => ({ metadata: { namespace, name, labels }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });

/** A runner that answers like the tools, from a script of overrides, and records every call. */
function fake(overrides: (tool: Tool, args: readonly string[]) => { code: number; stdout?: string; stderr?: string } | undefined = () => undefined) {
  const calls: string[] = [];
  const runner: Runner = async (tool, args) => {
    calls.push(`${tool} ${args.filter((a) => a !== '--kubeconfig' && a !== '/kc').join(' ')}`);
    const o = overrides(tool, args);
    if (o) return { code: o.code, stdout: o.stdout ?? '', stderr: o.stderr ?? '' };
    if (tool === 'kubectl' && args.includes('pods')) {
      const items = [ready('calico-system', 'calico-node-x', { 'k8s-app': 'calico-node' }), ready('kube-system', 'cilium-x', { 'k8s-app': 'cilium' }), ready('kube-system', 'kindnet-x', { app: 'kindnet' }), ready('kube-system', 'coredns-x', { 'k8s-app': 'kube-dns' })];
      return { code: 0, stdout: JSON.stringify({ items }), stderr: '' };
    }
    if (tool === 'kubectl' && args.includes('nodes')) return { code: 0, stdout: JSON.stringify({ items: [{ metadata: { name: 'n' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }] }), stderr: '' };
    if (tool === 'docker' && args[0] === 'image') return { code: 1, stdout: '', stderr: 'No such image' };
    return { code: 0, stdout: '', stderr: '' };
  };
  return { calls, runner };
}

function context(cni: KindCni, runner: Runner, images: string[] = [], networkTimeoutMs = 1000): KindContext {
  return { name: 'a', cluster: 'flatnet-a', spec: { name: 'a', cni }, cni, options: {}, kubeconfig: '/kc', runner, kubectl: new Kubectl('/kc', runner), networkTimeoutMs, images, pollMs: 5 };
}

async function create(cni: KindCni, runner: Runner, images: string[] = [], timeout = 1000) {
  const events: ProgressEvent[] = [];
  await runPlan(createPlan(cni, images), context(cni, runner, images, timeout), (e) => events.push(e));
  return events;
}

describe('kind create plan', () => {
  it('Calico: nodes (no --wait), the CRDs, the operator, the custom resources, images, then the wait', async () => {
    const { calls, runner } = fake();
    const events = await create('calico', runner, ['registry.k8s.io/e2e-test-images/agnhost:2.52']);
    assert.deepEqual(events.map((e) => `${e.step}/${e.of} ${e.stage}`), ['1/4 Creating nodes', '2/4 Installing Calico', '3/4 Loading images', '4/4 Waiting for the network']);
    assert.deepEqual(calls, [
      'kind create cluster --name flatnet-a --config -',
      'kubectl create -f https://raw.githubusercontent.com/projectcalico/calico/v3.32.4/manifests/v1_crd_projectcalico_org.yaml',
      'kubectl wait --for condition=established --timeout 60s crd --all',
      'kubectl create -f https://raw.githubusercontent.com/projectcalico/calico/v3.32.4/manifests/tigera-operator.yaml',
      'kubectl create -f -',
      'docker image inspect --format {{.Id}} registry.k8s.io/e2e-test-images/agnhost:2.52',
      'docker pull registry.k8s.io/e2e-test-images/agnhost:2.52',
      'kind load docker-image registry.k8s.io/e2e-test-images/agnhost:2.52 --name flatnet-a',
      'kubectl get pods --all-namespaces -o json',
      'kubectl get nodes -o json',
    ]);
    assert.ok(!calls.some((c) => c.includes('--wait ')), 'never kind --wait');
  });

  it('Cilium: helm with the kind values; kindnet: nothing to install', async () => {
    const c = fake();
    assert.deepEqual((await create('cilium', c.runner)).map((e) => e.stage), ['Creating nodes', 'Installing Cilium', 'Waiting for the network']);
    assert.equal(c.calls[1], 'helm install cilium oci://quay.io/cilium/charts/cilium --version 1.20.2 --namespace kube-system --values -');
    const k = fake();
    assert.deepEqual((await create('kindnet', k.runner)).map((e) => e.stage), ['Creating nodes', 'Waiting for the network']);
  });

  it('says what happened, why and what to do when kind fails', async () => {
    const cases = [
      { stderr: 'ERROR: failed to create cluster: node(s) already exist for a cluster with the name "flatnet-a"', code: 'ClusterExists', fix: /flatnet cluster down --provider kind --name a/ },
      { stderr: 'ERROR: failed to create cluster: failed to list nodes: command "docker ps -a" failed\nCannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?', code: 'DockerUnavailable', fix: /start Docker/ },
      { stderr: 'ERROR: failed to create cluster: could not find a log line that matches "Reached target .*Multi-User System.*"', code: 'KindStepFailed', fix: /inotify/ },
    ];
    for (const c of cases) {
      const { runner } = fake((tool, args) => (tool === 'kind' && args[0] === 'create' ? { code: 1, stderr: c.stderr } : undefined));
      await assert.rejects(create('calico', runner), (e: unknown) => e instanceof FlatnetError && e.code === c.code && c.fix.test(e.fix ?? ''));
    }
  });

  it('times out waiting for the network naming every straggler and why', async () => {
    const { runner } = fake((tool, args) => {
      if (tool === 'kubectl' && args.includes('pods')) return { code: 0, stdout: JSON.stringify({ items: [{ metadata: { namespace: 'kube-system', name: 'cilium-abc', labels: { 'k8s-app': 'cilium' } }, status: { phase: 'Pending', containerStatuses: [{ ready: false, state: { waiting: { reason: 'ImagePullBackOff' } } }] } }] }) };
      return undefined;
    });
    await assert.rejects(create('cilium', runner, [], 30), (e: unknown) => {
      assert.ok(e instanceof FlatnetError);
      assert.equal(e.code, 'NetworkNotReady');
      assert.match(e.message, /the Cilium network was not ready after 0s; still waiting for: kube-system\/cilium-abc \(ImagePullBackOff\), CoreDNS pods \(none yet\)/);
      assert.match(e.fix ?? '', /kubectl --kubeconfig \/kc describe pod/);
      return true;
    });
  });

  it('finds only clusters flatnet made, by name prefix', () => {
    assert.deepEqual(flatnetClusters('flatnet-a\nkind\nmy-flatnet-b\nflatnet-grade-1f2e3d\nflatnet-\n'), ['flatnet-a', 'flatnet-grade-1f2e3d']);
    assert.deepEqual(flatnetClusters(''), []);
  });
});
