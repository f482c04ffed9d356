/**
 * Services on the local cluster, end to end: a ClusterIP spreads over its endpoints, a
 * NodePort answers on the node's address, a headless Service resolves to its pods, and an
 * ExternalName is a CNAME — each measured from inside a pod.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { proxyModeUnavailable } from '../../runner/providers/local/proxy/mode.ts';
import { cannotRunCluster, cli, pods, until } from './harness.ts';

const skip = cannotRunCluster();
if (skip) console.log(`# skipped: ${skip}`);

const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.52';

// The same Services, programmed by each of kube-proxy's modes; a mode this host cannot run is skipped, saying why.
for (const mode of ['iptables', 'nftables', 'ipvs'] as const) describe(`Services end to end (kube-proxy ${mode} mode)`, { skip: skip ?? proxyModeUnavailable(mode) }, () => {
  const c = cli();
  const name = `svc-${mode}`;
  const exec = (pod: string, ...cmd: string[]) => c.run(['cluster', 'exec', '--name', name, `shop/${pod}`, '--', ...cmd]);

  before(async () => {
    c.ok(['cluster', 'up', '--name', name, '--proxy-mode', mode]);
    const web = (n: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${n}, namespace: shop, labels: {app: web}}
spec: {containers: [{name: web, image: "${AGNHOST}", args: [netexec, --http-port=8080], ports: [{containerPort: 8080, name: http}]}]}`;
    c.ok(['cluster', 'apply', '--name', name, '-f', '-'], [
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}',
      web('web-1'),
      web('web-2'),
      'apiVersion: v1\nkind: Pod\nmetadata: {name: client, namespace: shop}\nspec: {containers: [{name: c, image: "busybox:1.36", args: [sleep, "3600"]}]}',
      'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {selector: {app: web}, ports: [{port: 80, targetPort: http}]}',
      'apiVersion: v1\nkind: Service\nmetadata: {name: web-np, namespace: shop}\nspec: {type: NodePort, selector: {app: web}, ports: [{port: 80, targetPort: 8080, nodePort: 30080}]}',
      'apiVersion: v1\nkind: Service\nmetadata: {name: web-headless, namespace: shop}\nspec: {clusterIP: None, selector: {app: web}, ports: [{port: 8080}]}',
      'apiVersion: v1\nkind: Service\nmetadata: {name: docs, namespace: shop}\nspec: {type: ExternalName, externalName: web.shop.svc.cluster.local}',
    ].join('\n---\n'));
    await until('pods Running', () => pods(c, name).filter((p) => p.namespace === 'shop' && p.status === 'Running').length === 3);
  });
  after(() => c.run(['cluster', 'down', '--name', name]));

  it('a ClusterIP Service spreads connections over both pods (targetPort by name)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 30 && seen.size < 2; i++) seen.add(exec('client', 'curl', '-s', '-m', '2', 'http://web/').out.trim());
    assert.deepEqual([...seen].sort(), ['web-1', 'web-2']);
  });

  it('a NodePort answers on the node address', () => {
    assert.match(exec('client', 'curl', '-s', '-m', '2', 'http://172.18.0.2:30080/').out, /^web-[12]$/m);
  });

  it('a headless Service resolves to the pods themselves', () => {
    const ips = pods(c, name).filter((p) => p.name.startsWith('web-')).map((p) => p.ip).sort();
    const out = exec('client', 'nslookup', 'web-headless.shop.svc.cluster.local').out;
    const got = [...out.matchAll(/^Address:\s+(10\.244\.\d+\.\d+)$/gm)].map((m) => m[1]).sort();
    assert.deepEqual(got, ips);
  });

  it('a Service with no endpoints refuses connections at once', () => {
    c.ok(['cluster', 'apply', '--name', name, '-f', '-'], 'apiVersion: v1\nkind: Service\nmetadata: {name: nobody, namespace: shop}\nspec: {selector: {app: nobody}, ports: [{port: 80}]}');
    const t = Date.now();
    const r = exec('client', 'curl', '-sS', '-m', '5', 'http://nobody/');
    assert.equal(r.code, 7, `refused, not timed out: ${r.err}`);
    assert.ok(Date.now() - t < 3000);
  });

  it(`the node's rules are kube-proxy's ${mode} mode's`, () => {
    const node = (cmd: string) => c.ok(['cluster', 'shell', 'node', '--name', name, '--', 'sh', '-c', cmd]);
    const natChains = node('iptables-save -t nat | grep -c "^:KUBE-SVC-" || true').trim();
    const nft = node('nft list table ip kube-proxy 2>/dev/null || true');
    if (mode === 'iptables') {
      assert.notEqual(natChains, '0');
      assert.equal(nft, '');
    } else if (mode === 'ipvs') {
      // A virtual server per cluster IP and port, the two pods its real servers; no KUBE-SVC chains, no nft table.
      assert.equal(natChains, '0');
      assert.equal(nft, '');
      const ipvs = node('ipvsadm -Ln');
      assert.match(ipvs, /^TCP\s+10\.96\.\d+\.\d+:80 rr\n\s+-> 10\.244\.0\.\d+:8080\s+Masq\s+1\s+\d+\s+\d+\n\s+-> 10\.244\.0\.\d+:8080\s+Masq/m);
      assert.match(node('ipset list KUBE-CLUSTER-IP'), /^10\.96\.\d+\.\d+,tcp:80$/m);
    } else {
      assert.equal(natChains, '0');
      // The Service web's chain, found by the vmap lookup on its cluster IP and port.
      assert.match(nft, /chain service-[A-Z2-7]{8}-shop\/web\/tcp\/ \{/);
      assert.match(nft, /map service-ips \{[^}]*elements = \{[^}]*\. tcp \. 80 : goto service-[A-Z2-7]{8}-shop\/web\/tcp\//s);
      assert.match(nft, /numgen random mod 2 vmap \{ 0 : goto endpoint-[A-Z2-7]{8}-shop\/web\/tcp\/__10\.244\.0\.\d+\/8080, 1 : goto endpoint-/);
    }
  });

  if (mode === 'nftables') {
    it('rejects an unused port of a cluster IP (nftables mode\'s cluster-ips-check)', () => {
      const ip = c.ok(['cluster', 'exec', '--name', name, 'shop/client', '--', 'sh', '-c', 'nslookup web.shop.svc.cluster.local | sed -n "s/^Address: \\(10\\.96\\..*\\)/\\1/p"']).trim();
      assert.match(ip, /^10\.96\.\d+\.\d+$/);
      const r = exec('client', 'curl', '-sS', '-m', '5', `http://${ip}:81/`);
      assert.equal(r.code, 7, `refused at once: ${r.err}`);
    });
  }

  it('an ExternalName Service is a CNAME', () => {
    const out = exec('client', 'nslookup', '-type=cname', 'docs.shop.svc.cluster.local').out;
    assert.match(out, /docs\.shop\.svc\.cluster\.local\s+canonical name = web\.shop\.svc\.cluster\.local/);
  });
});
