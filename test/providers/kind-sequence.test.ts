/**
 * The kind provider's command sequences against recorded shims of kind, docker, helm and
 * kubectl (kind-shim/): this host has no Docker engine. Checks that it runs exactly the
 * expected commands with the expected configs for Calico and for Cilium, removes what it
 * created, and finds leaked flatnet-* clusters (and only those).
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { FlatnetError } from '../../checkers/errors.ts';
import { kindConfigYaml } from '../../runner/providers/kind/config.ts';
import { KindProvider } from '../../runner/providers/kind/provider.ts';
import type { ProgressEvent } from '../../runner/providers/provider.ts';
import { useKindShims, type ShimCall } from './kind-shim/env.ts';

const { root, calls } = useKindShims('kind-seq', 'fake');
const LOG = process.env.KIND_SHIM_LOG!;
type Call = ShimCall;
const line = (c: Call) => `${c.tool} ${c.argv.join(' ')}`;
const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.52';

describe('kind provider over recorded shims', () => {
  const provider = new KindProvider({ pollMs: 20, settleMs: 0, networkTimeoutMs: 20_000 });
  const kc = (name: string) => join(root, 'state', 'kind', `flatnet-${name}`, 'kubeconfig');
  beforeEach(() => writeFileSync(LOG, ''));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('Calico: the exact command sequence, the kind config on stdin, the pool in the custom resources', async () => {
    const events: ProgressEvent[] = [];
    const info = await provider.create({ name: 'cal', cni: 'calico', nodes: 2, images: [AGNHOST] }, (e) => events.push(e));
    assert.deepEqual(info, { name: 'cal', kubeconfig: kc('cal'), capabilities: { provider: 'kind', cni: 'calico', enforcesNetworkPolicy: true, ipBlockMatchesPods: true, sctp: existsSync('/proc/net/sctp') } });
    assert.deepEqual(events.map((e) => `${e.step}/${e.of} ${e.stage}`), ['1/4 Creating nodes', '2/4 Installing Calico', '3/4 Loading images', '4/4 Waiting for the network']);
    const log = calls();
    assert.deepEqual(log.map(line), [
      `kind create cluster --name flatnet-cal --config - --kubeconfig ${kc('cal')}`,
      `kubectl --kubeconfig ${kc('cal')} create -f https://raw.githubusercontent.com/projectcalico/calico/v3.32.4/manifests/v1_crd_projectcalico_org.yaml`,
      `kubectl --kubeconfig ${kc('cal')} wait --for condition=established --timeout 60s crd --all`,
      `kubectl --kubeconfig ${kc('cal')} create -f https://raw.githubusercontent.com/projectcalico/calico/v3.32.4/manifests/tigera-operator.yaml`,
      `kubectl --kubeconfig ${kc('cal')} create -f -`,
      `docker image inspect --format {{.Id}} ${AGNHOST}`,
      `docker pull ${AGNHOST}`,
      `kind load docker-image ${AGNHOST} --name flatnet-cal`,
      `kubectl --kubeconfig ${kc('cal')} get pods --all-namespaces -o json`,
      `kubectl --kubeconfig ${kc('cal')} get nodes -o json`,
      `kind get kubeconfig --internal --name flatnet-cal`,
      `kubectl --kubeconfig ${kc('cal')} get namespaces -o json`,
    ]);
    assert.equal(log[0]!.stdin, kindConfigYaml({ name: 'cal', cni: 'calico', nodes: 2 }));
    const config = parse(log[0]!.stdin!) as { networking: { podSubnet: string; disableDefaultCNI: boolean }; nodes: { role: string }[] };
    assert.deepEqual([config.networking.podSubnet, config.networking.disableDefaultCNI, config.nodes.map((n) => n.role)], ['192.168.0.0/16', true, ['control-plane', 'worker']]);
    const installation = log[4]!.stdin!.split('---\n').map((d) => parse(d) as { kind: string; spec?: { calicoNetwork?: { ipPools: { cidr: string }[] } } });
    assert.deepEqual(installation.map((d) => d.kind), ['Installation', 'APIServer', 'Goldmane', 'Whisker']);
    assert.equal(installation[0]!.spec!.calicoNetwork!.ipPools[0]!.cidr, config.networking.podSubnet);
    assert.equal(await provider.status('cal'), 'running');
  });

  it('Cilium: helm with the kind values on stdin, kube-proxy off in the kind config', async () => {
    await provider.create({ name: 'cil', cni: 'cilium' }, () => {});
    const log = calls();
    assert.deepEqual(log.slice(0, 2).map(line), [
      `kind create cluster --name flatnet-cil --config - --kubeconfig ${kc('cil')}`,
      `helm install cilium oci://quay.io/cilium/charts/cilium --version 1.20.2 --namespace kube-system --kubeconfig ${kc('cil')} --values -`,
    ]);
    assert.equal((parse(log[0]!.stdin!) as { networking: { kubeProxyMode: string } }).networking.kubeProxyMode, 'none');
    assert.deepEqual(parse(log[1]!.stdin!), {
      image: { pullPolicy: 'IfNotPresent' }, ipam: { mode: 'kubernetes' }, routingMode: 'tunnel', tunnelProtocol: 'vxlan', operator: { replicas: 1 },
      kubeProxyReplacement: true, k8sServiceHost: 'flatnet-cil-control-plane', k8sServicePort: 6443, hubble: { enabled: true, relay: { enabled: true }, ui: { enabled: false } },
    });
    assert.ok(!log.some((c) => c.tool === 'kind' && c.argv.some((a) => a.startsWith('--wait'))), 'never kind --wait');
    assert.equal(provider.capabilities({ name: 'cil', cni: 'cilium' }).ipBlockMatchesPods, false);
  });

  it('a second create of the same name says it exists and how to remove it', async () => {
    await assert.rejects(provider.create({ name: 'cil', cni: 'cilium' }, () => {}), (e: FlatnetError) => e.code === 'ClusterExists' && /flatnet cluster down --provider kind --name cil/.test(e.fix ?? ''));
  });

  it('destroys what it created, with the cluster\'s own kubeconfig, and its state', async () => {
    await provider.destroy('cal');
    assert.deepEqual(calls().map(line), ['docker ps -aq --filter label=io.flatnet.shell=flatnet-cal', `kind delete cluster --name flatnet-cal --kubeconfig ${kc('cal')}`]);
    assert.equal(existsSync(kc('cal')), false);
    assert.equal(await provider.status('cal'), 'missing');
    assert.throws(() => provider.kubeconfig('cal'), (e: FlatnetError) => e.code === 'ClusterNotRunning' && /flatnet cluster up --provider kind --name cal/.test(e.fix ?? ''));
  });

  describe('leaked clusters', () => {
    before(() => {
      // A crash left one flatnet cluster (no state of ours) beside someone else's cluster.
      for (const name of ['flatnet-crashed', 'dev']) spawnSync('kind', ['create', 'cluster', '--name', name, '--config', '-', '--kubeconfig', join(root, `${name}.kc`)], { input: '' });
    });

    it('finds flatnet-* clusters by prefix, deletes them one by one, and leaves the others', async () => {
      const removed = await provider.destroyLeaked();
      assert.deepEqual(removed.sort(), ['flatnet-cil', 'flatnet-crashed']);
      assert.deepEqual(calls().filter((c) => c.argv[0] === 'delete').map(line), [
        `kind delete cluster --name flatnet-cil --kubeconfig ${kc('cil')}`,
        `kind delete cluster --name flatnet-crashed --kubeconfig ${kc('crashed')}`,
      ]);
      assert.equal(spawnSync('kind', ['get', 'clusters'], { encoding: 'utf8' }).stdout.trim(), 'dev');
      assert.deepEqual(await provider.destroyLeaked(), []);
    });
  });
});
