/**
 * LoadBalancer Services on the local cluster, in both of kube-proxy's modes this host runs: an
 * address from the underlay pool (172.18.255.200–250) shows as EXTERNAL-IP, one node answers
 * for it, and it is reached from outside the cluster (`cluster shell client`, the underlay's
 * host side) and from a pod; without endpoints it refuses at once; spec.loadBalancerIP is
 * honoured; a deleted Service gives its address back.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cannotRunKubectl, cli, pods, until, kubectlFor, type Kubectl } from './harness.ts';

const skip = cannotRunKubectl();
if (skip) console.log(`# skipped: ${skip}`);

const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.52';

for (const mode of ['iptables', 'nftables'] as const) {
  describe(`LoadBalancer Services (kube-proxy ${mode} mode, 2 nodes)`, { skip, timeout: 120_000 }, () => {
    const c = cli();
    const name = `lb-${mode}`;
    let kubectl: Kubectl;
    const client = (...cmd: string[]) => c.run(['cluster', 'shell', 'client', '--name', name, '--', ...cmd]);
    const externalIP = (svc: string) => kubectl('get', 'svc', svc, '-n', 'shop', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}').out;

    before(async () => {
      const kubeconfig = /^export KUBECONFIG=(.+)$/m.exec(c.ok(['cluster', 'up', '--name', name, '--nodes', '2', '--proxy-mode', mode]))![1]!;
      kubectl = kubectlFor(kubeconfig);
      c.ok(['cluster', 'apply', '--name', name, '-f', '-'], [
        'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}',
        `apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: {app: web}}\nspec: {containers: [{name: web, image: "${AGNHOST}", args: [netexec, --http-port=8080]}]}`,
        'apiVersion: v1\nkind: Pod\nmetadata: {name: caller, namespace: shop}\nspec: {containers: [{name: c, image: "busybox:1.36", args: [sleep, "3600"]}]}',
      ].join('\n---\n'));
      await until('pods Running', () => pods(c, name).filter((p) => p.namespace === 'shop' && p.status === 'Running').length === 2);
      assert.equal(kubectl('create', 'service', 'loadbalancer', 'web', '-n', 'shop', '--tcp=80:8080').code, 0);
      assert.equal(kubectl('create', 'service', 'loadbalancer', 'nobody', '-n', 'shop', '--tcp=80:80').code, 0);
      await until('addresses assigned', () => externalIP('web') && externalIP('nobody'));
    });
    after(() => c.run(['cluster', 'down', '--name', name]));

    it('assigns addresses from the pool, shown as EXTERNAL-IP with a node port', () => {
      assert.deepEqual([externalIP('web'), externalIP('nobody')].sort(), ['172.18.255.200', '172.18.255.201']);
      const row = kubectl('get', 'svc', 'web', '-n', 'shop', '--no-headers').out;
      assert.match(row, new RegExp(`^web\\s+LoadBalancer\\s+10\\.96\\.\\d+\\.\\d+\\s+${externalIP('web').replaceAll('.', '\\.')}\\s+80:3\\d{4}/TCP\\s`));
    });

    it('is answered by exactly one node', () => {
      const ip = externalIP('web');
      const holders = [0, 1].filter((n) => c.ok(['cluster', 'shell', 'node', '--name', name, '--node', String(n), '--', 'ip', '-4', '-o', 'addr', 'show', 'dev', 'lo']).includes(` ${ip}/32 `));
      assert.equal(holders.length, 1);
    });

    it('is reached from outside the cluster, and from a pod', () => {
      const outside = client('curl', '-sS', '-m', '3', `http://${externalIP('web')}/hostname`);
      assert.equal(outside.out.trim(), 'web', outside.err);
      const inside = c.run(['cluster', 'exec', '--name', name, 'shop/caller', '--', 'wget', '-qO-', `http://${externalIP('web')}/hostname`]);
      assert.equal(inside.out.trim(), 'web', inside.err);
    });

    it('refuses at once when the Service has no endpoints', () => {
      const t = Date.now();
      const r = client('curl', '-sS', '-m', '5', `http://${externalIP('nobody')}/`);
      assert.equal(r.code, 7, r.err);
      assert.ok(Date.now() - t < 3000);
    });

    it('honours spec.loadBalancerIP, and a deleted Service gives its address back', async () => {
      c.ok(['cluster', 'apply', '--name', name, '-f', '-'], 'apiVersion: v1\nkind: Service\nmetadata: {name: pinned, namespace: shop}\nspec: {type: LoadBalancer, loadBalancerIP: 172.18.255.240, selector: {app: web}, ports: [{port: 8080}]}');
      await until('pinned assigned', () => externalIP('pinned') === '172.18.255.240');
      assert.equal(client('curl', '-sS', '-m', '3', 'http://172.18.255.240:8080/hostname').out.trim(), 'web');
      assert.equal(kubectl('delete', 'svc', 'nobody', '-n', 'shop').code, 0);
      // (kubectl create service would select app=again: this one selects the web pod.)
      c.ok(['cluster', 'apply', '--name', name, '-f', '-'], 'apiVersion: v1\nkind: Service\nmetadata: {name: again, namespace: shop}\nspec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}');
      await until('the freed address reused', () => externalIP('again') === '172.18.255.201');
      await until('the reused address answers for its new Service', () => client('curl', '-sS', '-m', '3', 'http://172.18.255.201/hostname').out.trim() === 'web');
    });
  });
}
