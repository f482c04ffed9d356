/**
 * @module
 * `flatnet reach --live`: the same flows as `flatnet reach`, measured with real packets in
 * a throw-away local cluster. Every input pod becomes an agnhost-like pod that serves its
 * declared ports (TCP, and UDP echo) at exactly its address — status.podIP when given,
 * else the address the engine assigned — so ipBlock rules mean the same in both worlds.
 */
import { randomBytes } from 'node:crypto';
import { buildCluster, type Cluster as EngineCluster } from '../../../checkers/engine/index.ts';
import type { Manifest } from '../../../checkers/k8s/manifests.ts';
import { formatIP, parseIP } from '../../../checkers/net/ip.ts';
import { reach, type ReachQuery } from '../../../checkers/reach.ts';
import type { ProbeResult } from '../../../checkers/truth-table.ts';
import { FlatnetError } from '../../../checkers/errors.ts';
import { call, settle } from './client.ts';
import type { Subnet } from './cni.ts';
import type { LiveFlow } from './control/probe.ts';
import { down, up, type Progress } from './lifecycle.ts';
import type { KObject } from './store/types.ts';

const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.52';

export async function reachLive(manifests: Manifest[], q: ReachQuery, progress: Progress): Promise<ProbeResult[]> {
  const { cluster } = buildCluster(manifests);
  const flows = [...reach(cluster, q).cells()];
  const name = `reach-${randomBytes(3).toString('hex')}`;
  const cleanup = () => void down(name);
  process.once('SIGINT', cleanup);
  try {
    await up(name, progress, subnetsFor(cluster));
    progress.stage('Creating pods');
    await call(name, 'POST', '/apply', { objects: [...namespaces(cluster), ...pods(cluster)] });
    await untilRunning(name, cluster);
    progress.stage('Applying policies');
    const policies = manifests.map((m) => m.object as KObject).filter((o) => o?.kind === 'NetworkPolicy');
    await call(name, 'POST', '/apply', { objects: policies });
    await settle(name);
    progress.stage(`Probing ${flows.length} flows`);
    const live: LiveFlow[] = flows.map((f) => ({ from: podRef(f.from), to: f.to.includes('/') ? podRef(f.to) : { ip: f.to }, port: f.port, protocol: f.protocol }));
    const { results } = await call<{ results: ProbeResult[] }>(name, 'POST', '/probe', { flows: live });
    return results;
  } finally {
    process.off('SIGINT', cleanup);
    await down(name);
  }
}

function podRef(key: string): { namespace: string; name: string } {
  const [namespace, name] = key.split('/') as [string, string];
  return { namespace, name };
}

/**
 * 10.244.0.0/16, plus the /24 (IPv4) or /64 (IPv6) of every address outside it. An IPv6 /64's
 * node-side gateway is its last-but-one address, so a pod may ask for `<prefix>::1`; and the
 * IPv6 set starts with fd00:ffff::/64, where pods that ask for nothing (CoreDNS) get theirs,
 * so they never take an address an input pod needs.
 */
function subnetsFor(cluster: EngineCluster): { podSubnets: Subnet[]; podSubnetsV6?: Subnet[] } {
  const v4 = new Set(['10.244.0.0/16']);
  const v6 = new Set<string>();
  for (const pod of cluster.pods) {
    for (const ip of pod.ips) {
      if (ip.family === 4) {
        if (ip.value >> 16n !== 0x0af4n) v4.add(`${formatIP({ family: 4, value: ip.value & ~0xffn })}/24`);
      } else {
        v6.add(`${formatIP({ family: 6, value: ip.value & ~((1n << 64n) - 1n) })}/64`);
      }
    }
  }
  const gateway = (cidr: string) => formatIP({ family: 6, value: parseIP(cidr.split('/')[0]!)!.value + (1n << 64n) - 2n });
  const v6Subnets = ['fd00:ffff::/64', ...[...v6].filter((c) => c !== 'fd00:ffff::/64')].map((subnet) => ({ subnet, gateway: gateway(subnet) }));
  return { podSubnets: [...v4], ...(v6.size ? { podSubnetsV6: v6Subnets } : {}) };
}

const SYSTEM = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

function namespaces(cluster: EngineCluster): KObject[] {
  return [...cluster.namespaces.values()]
    .filter((ns) => !SYSTEM.has(ns.name))
    .map((ns) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns.name, labels: { ...ns.labels } } }));
}

function pods(cluster: EngineCluster): KObject[] {
  return cluster.pods.map((p) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: p.name, namespace: p.namespace, labels: { ...p.labels } },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [
        {
          name: 'serve',
          image: AGNHOST,
          ports: p.ports.map((d) => ({ ...(d.name ? { name: d.name } : {}), containerPort: d.port, protocol: d.protocol })),
        },
      ],
    },
    status: { podIP: formatIP(p.ips[0]!), podIPs: p.ips.map((ip) => ({ ip: formatIP(ip) })) },
  }));
}

async function untilRunning(name: string, cluster: EngineCluster, timeoutMs = 60_000): Promise<void> {
  const want = new Set(cluster.pods.map((p) => `${p.namespace}/${p.name}`));
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = await call<{ pods: { namespace: string; name: string; ready: boolean; ip: string | null }[] }>(name, 'GET', '/status');
    const ready = s.pods.filter((p) => want.has(`${p.namespace}/${p.name}`) && p.ready).length;
    if (ready === want.size) return;
    if (Date.now() > end) throw new FlatnetError('PodsNotReady', `only ${ready} of ${want.size} pods became ready`, {}, 'see `flatnet cluster status`');
    await new Promise((r) => setTimeout(r, 20));
  }
}
