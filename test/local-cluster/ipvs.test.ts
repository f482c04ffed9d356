/**
 * kube-proxy's IPVS mode on a real node, where the host can run it (a kernel with IPVS, and
 * ipvsadm and ipset installed): a Service is a virtual server with its pods as real servers in
 * `ipvsadm -Ln`, and its cluster IP sits on kube-ipvs0 — what a learner sees on a real node.
 * Elsewhere it is skipped with the reason `cluster up --proxy-mode ipvs` would give.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { proxyModeUnavailable } from '../../runner/providers/local/proxy/mode.ts';
import { cannotRunCluster, cli, pods, until } from './harness.ts';

const skip = cannotRunCluster() ?? proxyModeUnavailable('ipvs');
if (skip) console.log(`# skipped: ${skip}`);

const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.52';

describe('kube-proxy IPVS mode on a node', { skip, timeout: 300_000 }, () => {
  const c = cli();
  const name = 'ipvs-node';
  const node = (cmd: string) => c.ok(['cluster', 'shell', 'node', '--name', name, '--', 'sh', '-c', cmd]);
  let clusterIP = '';
  let podIPs: string[] = [];

  before(async () => {
    c.ok(['cluster', 'up', '--name', name, '--proxy-mode', 'ipvs']);
    const web = (n: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${n}, namespace: shop, labels: {app: web}}
spec: {containers: [{name: web, image: "${AGNHOST}", args: [netexec, --http-port=8080], ports: [{containerPort: 8080}]}]}`;
    c.ok(['cluster', 'apply', '--name', name, '-f', '-'], [
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}',
      web('web-1'),
      web('web-2'),
      'apiVersion: v1\nkind: Pod\nmetadata: {name: client, namespace: shop}\nspec: {containers: [{name: c, image: "busybox:1.36", args: [sleep, "3600"]}]}',
      'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {type: NodePort, selector: {app: web}, ports: [{port: 80, targetPort: 8080, nodePort: 30080}]}',
    ].join('\n---\n'));
    await until('pods Running', () => pods(c, name).filter((p) => p.namespace === 'shop' && p.status === 'Running').length === 3, 120_000);
    podIPs = pods(c, name).filter((p) => p.name.startsWith('web-')).map((p) => p.ip).sort();
    const lookup = c.ok(['cluster', 'exec', '--name', name, 'shop/client', '--', 'nslookup', 'web.shop.svc.cluster.local']);
    clusterIP = /^Address:\s+(10\.96\.\d+\.\d+)$/m.exec(lookup)?.[1] ?? '';
    assert.ok(clusterIP, `no cluster IP in:\n${lookup}`);
  });
  after(() => c.run(['cluster', 'down', '--name', name]));

  /** `ipvsadm -Ln`'s real servers of one virtual server (`TCP  10.96.0.20:80 rr`), as `ip:port`. */
  const realServers = (table: string, vs: string) => {
    const block = table.split(/\n(?=(?:TCP|UDP|SCTP)\s)/).find((b) => b.startsWith(`TCP  ${vs} `)) ?? '';
    return [...block.matchAll(/->\s+(\d+\.\d+\.\d+\.\d+:\d+)\s+Masq\s+1\s/g)].map((m) => m[1]!).sort();
  };

  it('ipvsadm -Ln lists the Service as a round-robin virtual server with its pods as real servers', async () => {
    // The dataplane applies shortly after the endpoints change.
    const table = await until('the real servers', () => {
      const t = node('ipvsadm -Ln');
      return realServers(t, `${clusterIP}:80`).length === 2 && t;
    });
    assert.match(table, new RegExp(`^TCP {2}${clusterIP.replace(/\./g, '\\.')}:80 rr\\s*$`, 'm'));
    assert.deepEqual(realServers(table, `${clusterIP}:80`), podIPs.map((ip) => `${ip}:8080`));
  });

  it('the NodePort is a virtual server on the node address too', () => {
    assert.deepEqual(realServers(node('ipvsadm -Ln'), '172.18.0.2:30080'), podIPs.map((ip) => `${ip}:8080`));
  });

  it('ip addr show kube-ipvs0 has the cluster IP (/32), and the interface is a dummy left down', () => {
    const out = node('ip addr show kube-ipvs0; ip -d link show kube-ipvs0');
    assert.match(out, new RegExp(`inet ${clusterIP.replace(/\./g, '\\.')}/32 `));
    assert.match(out, /\bdummy\b/);
    assert.match(out, /state DOWN/);
  });

  it("the ipsets and the few iptables rules are kube-proxy's", () => {
    assert.match(node('ipset list KUBE-CLUSTER-IP'), new RegExp(`^${clusterIP.replace(/\./g, '\\.')},tcp:80$`, 'm'));
    const nat = node('iptables-save -t nat');
    assert.match(nat, /-A KUBE-SERVICES .*--match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ/);
    assert.doesNotMatch(nat, /^:KUBE-SVC-/m, 'no per-Service chains in this mode');
  });

  it('a pod reaches the Service through IPVS, both pods answering', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20 && seen.size < 2; i++) seen.add(c.run(['cluster', 'exec', '--name', name, 'shop/client', '--', 'curl', '-s', '-m', '2', `http://${clusterIP}/`]).out.trim());
    assert.deepEqual([...seen].sort(), ['web-1', 'web-2']);
  });
});
