/**
 * Multi-node local clusters, once per pod network mode: three nodes on the sandbox's underlay,
 * pods pinned to different workers, and from the second worker: pod-to-pod HTTP across nodes,
 * a Service whose only endpoint is on the other worker, DNS (CoreDNS runs elsewhere), and a
 * NetworkPolicy that stops cross-node traffic as it stops same-node traffic. One packet is
 * captured on the underlay and decoded: encapsulated (outer node addresses, inner pod
 * addresses) for vxlan, geneve and ipip; the pod packet itself for routed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodePcap, type DecodedPacket } from '../../runner/providers/local/testdata/pcap.ts';
import { cannotRunKubectl, cli, pods, until, type Cli, kubectlFor, type Kubectl } from './harness.ts';

const skip = cannotRunKubectl() ?? (spawnSync('sh', ['-c', 'command -v tcpdump']).status === 0 ? undefined : 'tcpdump is not installed (apt-get install tcpdump)');
if (skip) console.log(`# skipped: ${skip}`);

const BIN = new URL('../../bin/flatnet.js', import.meta.url).pathname;
const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.52';

/** What each mode puts on the underlay: the capture filter, and what the packet must decode as. */
const MODES = [
  { mode: 'vxlan', filter: 'udp port 4789', kind: 'vxlan', mtu: 1450 },
  { mode: 'geneve', filter: 'udp port 6081', kind: 'geneve', mtu: 1450 },
  { mode: 'ipip', filter: 'ip proto 4', kind: 'ipip', mtu: 1480 },
  { mode: 'routed', filter: 'tcp port 8080', kind: undefined, mtu: 1500 },
] as const;

for (const m of MODES) {
  describe(`3 nodes over ${m.mode}`, { skip, timeout: 180_000 }, () => {
    const c = cli();
    const name = `mn-${m.mode}`;
    const worker = `flatnet-${name}-worker`;
    const worker2 = `flatnet-${name}-worker2`;
    const exec = (pod: string, ...cmd: string[]) => c.run(['cluster', 'exec', '--name', name, `app/${pod}`, '--', ...cmd]);
    const ip = (pod: string) => pods(c, name).find((p) => p.name === pod)!.ip;

    before(async () => {
      c.ok(['cluster', 'up', '--name', name, '--nodes', '3', '--network', m.mode]);
      const pod = (n: string, node: string, labels: string, container: string) =>
        `apiVersion: v1\nkind: Pod\nmetadata: {name: ${n}, namespace: app, labels: {${labels}}}\nspec: {nodeName: ${node}, containers: [${container}]}`;
      c.ok(['cluster', 'apply', '--name', name, '-f', '-'], [
        'apiVersion: v1\nkind: Namespace\nmetadata: {name: app}',
        pod('web', worker, 'app: web', `{name: web, image: "${AGNHOST}", args: [netexec, --http-port=8080], ports: [{containerPort: 8080}]}`),
        pod('client', worker2, 'role: client', '{name: c, image: "busybox:1.36", args: [sleep, "3600"]}'),
        pod('stranger', worker2, 'role: stranger', '{name: c, image: "busybox:1.36", args: [sleep, "3600"]}'),
        'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: app}\nspec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}',
        'apiVersion: v1\nkind: Service\nmetadata: {name: web-np, namespace: app}\nspec: {type: NodePort, selector: {app: web}, ports: [{port: 80, targetPort: 8080, nodePort: 30080}]}',
      ].join('\n---\n'));
      await until('pods Running', () => pods(c, name).filter((p) => p.namespace === 'app' && p.status === 'Running').length === 3);
    });
    after(() => c.run(['cluster', 'down', '--name', name]));

    it('lists three nodes with their underlay address and pod CIDR; pods run where they were put', () => {
      const kubeconfig = c.ok(['cluster', 'kubeconfig', '--name', name]).trim();
      const r = spawnSync('kubectl', ['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.addresses[0].address} {.spec.podCIDR}{"\\n"}{end}'], { env: { ...process.env, KUBECONFIG: kubeconfig }, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split('\n'), [`flatnet-${name}-control-plane 172.18.0.2 10.244.0.0/24`, `${worker} 172.18.0.3 10.244.1.0/24`, `${worker2} 172.18.0.4 10.244.2.0/24`]);
      assert.match(ip('web'), /^10\.244\.1\.\d+$/);
      assert.match(ip('client'), /^10\.244\.2\.\d+$/);
      const wide = spawnSync('kubectl', ['get', 'pods', '-n', 'app', '-o', 'wide', '--no-headers'], { env: { ...process.env, KUBECONFIG: kubeconfig }, encoding: 'utf8' }).stdout;
      assert.match(wide, new RegExp(`^web\\s.*\\s${worker}\\s`, 'm'));
    });

    it(`gives pods an MTU of ${m.mtu}, and the node's CNI config says so`, () => {
      assert.match(exec('client', 'ip', 'link', 'show', 'eth0').out, new RegExp(`mtu ${m.mtu} `));
      const conf = JSON.parse(nodeRun(c, name, 2, ['cat', '/etc/cni/net.d/10-flatnet.conflist']).out) as { plugins: { mtu?: number }[] };
      assert.equal(conf.plugins[0]!.mtu, m.mtu);
    });

    it('reaches a pod on another node by its IP', () => {
      const r = exec('client', 'wget', '-qO-', `http://${ip('web')}:8080/hostname`);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out.trim(), 'web');
    });

    it('reaches a Service whose endpoint is on another node, by name (DNS served from other nodes)', () => {
      const r = exec('client', 'wget', '-qO-', 'http://web.app.svc.cluster.local/hostname');
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out.trim(), 'web');
    });

    it('answers a NodePort on every node address', () => {
      for (const node of ['172.18.0.2', '172.18.0.3', '172.18.0.4']) {
        const r = exec('client', 'wget', '-qO-', `http://${node}:30080/hostname`);
        assert.equal(r.out.trim(), 'web', `NodePort on ${node}: ${r.err}`);
      }
    });

    it('enforces a NetworkPolicy on traffic between nodes', async () => {
      c.ok(['cluster', 'apply', '--name', name, '-f', '-'], `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-from-clients, namespace: app}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {role: client}}}], ports: [{port: 8080}]}]`);
      const url = `http://${ip('web')}:8080/hostname`;
      assert.equal(exec('client', 'wget', '-qO-', url).out.trim(), 'web');
      // A dropped SYN leaves wget waiting (never refused) until -T ends it.
      const direct = exec('stranger', 'wget', '-T', '2', '-qO-', url);
      assert.match(direct.err, /timed out/, `a pod the policy does not admit got through: ${direct.out}${direct.err}`);
      const viaService = exec('stranger', 'wget', '-T', '2', '-qO-', 'http://web.app.svc.cluster.local/hostname');
      assert.match(viaService.err, /timed out/, `nor through the Service: ${viaService.out}${viaService.err}`);
    });

    it(m.kind ? `puts ${m.kind}-encapsulated pod packets on the underlay: outer node addresses, inner pod addresses` : 'puts the pod packets themselves on the underlay', async () => {
      const packets = await capture(c, name, 2, m.filter, () => exec('client', 'wget', '-qO-', `http://${ip('web')}:8080/hostname`));
      const ours = packets.find((p) => (m.kind ? p.kind === m.kind : p.outer?.protocol === 6));
      assert.ok(ours, `no matching packet among ${packets.length}: ${JSON.stringify(packets.slice(0, 3))}`);
      const [clientIP, webIP] = [ip('client'), ip('web')];
      if (m.kind) {
        assert.deepEqual([ours.outer?.src, ours.outer?.dst], ['172.18.0.4', '172.18.0.3']);
        assert.deepEqual([ours.inner?.src, ours.inner?.dst], [clientIP, webIP]);
        if (m.kind === 'ipip') assert.equal(ours.outer?.protocol, 4);
        else assert.equal(ours.outer?.dstPort, m.kind === 'vxlan' ? 4789 : 6081);
      } else {
        assert.deepEqual([ours.outer?.src, ours.outer?.dst], [clientIP, webIP]);
      }
    });
  });
}

function nodeRun(c: Cli, name: string, node: number, cmd: string[]): { code: number; out: string; err: string } {
  return c.run(['cluster', 'shell', 'node', '--name', name, '--node', String(node), '--', ...cmd]);
}

/** tcpdump on a node's eth0 while `traffic` runs; the packets it saw, decoded. */
async function capture(c: Cli, name: string, node: number, filter: string, traffic: () => unknown): Promise<DecodedPacket[]> {
  const args = [BIN, 'cluster', 'shell', 'node', '--name', name, '--node', String(node), '--', 'tcpdump', '-ni', 'eth0', '-U', '-w', '-', '-c', '4', filter];
  // A group of its own, so a stuck capture can be stopped with nsenter and tcpdump under it.
  const child = spawn(process.execPath, args, { env: c.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  await until('tcpdump listening', () => err.includes('listening on'), 10_000);
  traffic();
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGINT'), 5000);
  await exited;
  clearTimeout(timer);
  return decodePcap(Buffer.concat(out));
}

describe('scheduling on 3 nodes', { skip, timeout: 120_000 }, () => {
  const c = cli();
  const name = 'mn-sched';
  let kubectl: Kubectl;

  before(() => {
    const kubeconfig = /^export KUBECONFIG=(.+)$/m.exec(c.ok(['cluster', 'up', '--name', name, '--nodes', '3', '--network', 'routed']))![1]!;
    kubectl = kubectlFor(kubeconfig);
  });
  after(() => c.run(['cluster', 'down', '--name', name]));

  const pod = (n: string, spec = '') => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${n}, namespace: default}\nspec: {${spec}containers: [{name: c, image: "busybox:1.36", args: [sleep, "3600"]}]}`;
  const nodeOfPod = (n: string) => kubectl('get', 'pod', n, '-o', 'jsonpath={.spec.nodeName}').out;

  it('spreads pods over the workers, never onto the tainted control plane', async () => {
    c.ok(['cluster', 'apply', '--name', name, '-f', '-'], ['a', 'b', 'c', 'd'].map((n) => pod(n)).join('\n---\n'));
    await until('4 pods Running', () => pods(c, name).filter((p) => p.namespace === 'default' && p.status === 'Running').length === 4);
    const counts = new Map<string, number>();
    for (const n of ['a', 'b', 'c', 'd']) counts.set(nodeOfPod(n), (counts.get(nodeOfPod(n)) ?? 0) + 1);
    assert.equal(counts.get(`flatnet-${name}-control-plane`), undefined);
    // With CoreDNS's pods counted, the workers end up at most one pod apart.
    const dnsOnWorkers = kubectl('get', 'pods', '-n', 'kube-system', '-o', 'jsonpath={.items[*].spec.nodeName}').out.split(' ').filter((n) => n.includes('-worker'));
    for (const n of dnsOnWorkers) counts.set(n, (counts.get(n) ?? 0) + 1);
    const perWorker = [...counts.values()];
    assert.equal(perWorker.length, 2, JSON.stringify([...counts]));
    assert.ok(Math.max(...perWorker) - Math.min(...perWorker) <= 1, JSON.stringify([...counts]));
  });

  it('honours nodeSelector and nodeName, even onto the control plane', async () => {
    c.ok(['cluster', 'apply', '--name', name, '-f', '-'], [
      pod('picky', `nodeSelector: {kubernetes.io/hostname: flatnet-${name}-worker2}, `),
      pod('pinned', `nodeName: flatnet-${name}-control-plane, `),
    ].join('\n---\n'));
    await until('picky and pinned Running', () => pods(c, name).filter((p) => ['picky', 'pinned'].includes(p.name) && p.status === 'Running').length === 2);
    assert.equal(nodeOfPod('picky'), `flatnet-${name}-worker2`);
    assert.equal(nodeOfPod('pinned'), `flatnet-${name}-control-plane`);
  });

  it('leaves a pod no node fits Pending, with the scheduler\'s reasons', async () => {
    c.ok(['cluster', 'apply', '--name', name, '-f', '-'], pod('nowhere', 'nodeSelector: {disktype: ssd}, '));
    const events = await until('a FailedScheduling event', () => {
      const out = kubectl('get', 'events', '--field-selector', 'involvedObject.name=nowhere', '-o', 'jsonpath={.items[*].message}').out;
      return out.includes('nodes are available') && out;
    });
    assert.equal(events, "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector.");
    assert.equal(kubectl('get', 'pod', 'nowhere', '-o', 'jsonpath={.status.phase}').out, 'Pending');
  });
});
