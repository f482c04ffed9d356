import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { FlatnetError } from '../../../checkers/errors.ts';
import { calicoResources } from './actions/install-calico.ts';
import { ciliumValues } from './actions/install-cilium.ts';
import { kindConfig, kindConfigYaml, NETWORKS, validateName } from './config.ts';
import { NODE_IMAGE } from './versions.ts';

const cp = { role: 'control-plane', image: NODE_IMAGE };
const worker = { role: 'worker', image: NODE_IMAGE };

describe('kind config per CNI', () => {
  const cases = [
    { title: 'calico: no kindnet, pods in Calico\'s pool', spec: { name: 'a', cni: 'calico' as const }, options: {}, networking: { disableDefaultCNI: true, podSubnet: '192.168.0.0/16', serviceSubnet: '10.96.0.0/16' }, nodes: [cp] },
    { title: 'calico is the default CNI', spec: { name: 'a' }, options: {}, networking: { disableDefaultCNI: true, podSubnet: '192.168.0.0/16', serviceSubnet: '10.96.0.0/16' }, nodes: [cp] },
    { title: 'cilium: no kindnet, no kube-proxy (Cilium replaces it)', spec: { name: 'a', cni: 'cilium' as const, nodes: 3 }, options: {}, networking: { disableDefaultCNI: true, podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/16', kubeProxyMode: 'none' }, nodes: [cp, worker, worker] },
    { title: 'cilium with kube-proxy kept', spec: { name: 'a', cni: 'cilium' as const }, options: { kubeProxyReplacement: false }, networking: { disableDefaultCNI: true, podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/16' }, nodes: [cp] },
    { title: 'kindnet: kind\'s defaults', spec: { name: 'a', cni: 'kindnet' as const, nodes: 2 }, options: {}, networking: { podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/16' }, nodes: [cp, worker] },
    { title: 'calico with kube-proxy in nftables mode', spec: { name: 'a', cni: 'calico' as const, proxyMode: 'nftables' as const }, options: {}, networking: { disableDefaultCNI: true, podSubnet: '192.168.0.0/16', serviceSubnet: '10.96.0.0/16', kubeProxyMode: 'nftables' }, nodes: [cp] },
    { title: 'cilium keeping kube-proxy, in ipvs mode', spec: { name: 'a', cni: 'cilium' as const, proxyMode: 'ipvs' as const }, options: { kubeProxyReplacement: false }, networking: { disableDefaultCNI: true, podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/16', kubeProxyMode: 'ipvs' }, nodes: [cp] },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const config = kindConfig(c.spec, c.options);
      assert.deepEqual(config, { kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4', networking: c.networking, nodes: c.nodes });
      assert.deepEqual(parse(kindConfigYaml(c.spec, c.options)), config, 'the YAML kind reads says the same');
    });
  }

  it('refuses a kube-proxy mode where Cilium replaces kube-proxy', () => {
    assert.throws(() => kindConfig({ name: 'a', cni: 'cilium', proxyMode: 'nftables' }), /ProxyModeWithCilium|no kube-proxy/);
  });

  it('pins the node image by digest', () => assert.match(NODE_IMAGE, /^kindest\/node:v1\.\d+\.\d+@sha256:[0-9a-f]{64}$/));

  it("Calico's IP pool is the kind pod subnet (the operator refuses a pool outside it)", () => {
    const pools = (calicoResources(NETWORKS.calico.podSubnet)[0] as { spec: { calicoNetwork: { ipPools: { cidr: string }[] } } }).spec.calicoNetwork.ipPools;
    assert.deepEqual(pools.map((p) => p.cidr), [(kindConfig({ name: 'a', cni: 'calico' }).networking as { podSubnet: string }).podSubnet]);
  });

  it("Cilium reaches the API server at the control-plane container's name only without kube-proxy", () => {
    const kpr = ciliumValues({ cluster: 'flatnet-a', cni: 'cilium', options: {} });
    assert.equal(kpr.kubeProxyReplacement, true);
    assert.equal(kpr.k8sServiceHost, 'flatnet-a-control-plane');
    assert.equal(kpr.k8sServicePort, 6443);
    assert.deepEqual(kpr.ipam, { mode: 'kubernetes' });
    const kept = ciliumValues({ cluster: 'flatnet-a', cni: 'cilium', options: { kubeProxyReplacement: false } });
    assert.equal(kept.kubeProxyReplacement, false);
    assert.equal(kept.k8sServiceHost, undefined);
  });

  it('refuses flatnet\'s own CNI, bad names and node counts, saying what to do', () => {
    for (const [f, code] of [
      [() => kindConfig({ name: 'a', cni: 'flatnet' }), 'UnsupportedCni'],
      [() => kindConfig({ name: 'a', nodes: 0 }), 'BadNodeCount'],
      [() => validateName('Lab_1'), 'BadClusterName'],
      [() => validateName('x'.repeat(43)), 'BadClusterName'],
    ] as const) {
      assert.throws(f, (e: unknown) => e instanceof FlatnetError && e.code === code && !!e.fix);
    }
    validateName('x'.repeat(42)); // flatnet- + 42 = 50, kind's limit
  });
});
