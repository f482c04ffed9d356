/*
 * kube-proxy's nftables mode on a sandbox node (testdata/sandbox.sh: two busybox httpd
 * backends and a client pod on a CNI ptp network), loaded with `nft -f` inside it, and curl
 * doing what a pod and the node would do. Every address is inside the sandbox.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { applyNftRules } from './apply-nft.ts';
import { skipReason, startTestNode, type TestNode } from './testdata/sandbox.ts';
import { CLUSTER_IP, EMPTY_IP, EMPTY_NODE_PORT, NODE_PORT, view } from './testdata/services.ts';

const reason = skipReason() ?? (spawnSync('sh', ['-c', 'command -v nft']).status === 0 ? undefined : 'nft is not installed (apt-get install nftables)');
if (reason) console.log(`# nftables proxy test skipped: ${reason}`);

describe('applyNftRules on a sandbox node', { skip: reason, timeout: 120_000 }, () => {
  let node: TestNode;
  const inClient = (cmd: string, ...args: string[]) => node.run('ip', ['netns', 'exec', 'client', cmd, ...args]);
  const table = async () => (await node.run('nft', ['list', 'table', 'ip', 'kube-proxy'])).stdout;
  const SERVICE_CIDR = '10.96.0.0/16';

  before(async () => {
    node = await startTestNode();
    await applyNftRules(view(node.pods), node.run, { serviceCIDR: SERVICE_CIDR });
  });
  after(() => node?.stop());

  it("spreads a pod's connections to the cluster IP over both backends", async () => {
    const r = await inClient('sh', '-c', `for i in $(seq 40); do curl -s --max-time 2 http://${CLUSTER_IP}:80/; done`);
    const answers = r.stdout.trim().split('\n');
    assert.equal(answers.length, 40, r.stderr);
    assert.deepEqual([...new Set(answers)].sort(), ['backend-a', 'backend-b']);
  });

  it("answers a NodePort on the node's address, from a pod and from the node", async () => {
    assert.match((await inClient('curl', '-sS', '--max-time', '5', `http://10.0.0.10:${NODE_PORT}/`)).stdout, /^backend-[ab]\n$/);
    assert.match((await node.run('curl', ['-sS', '--max-time', '5', `http://10.0.0.10:${NODE_PORT}/`])).stdout, /^backend-[ab]\n$/);
  });

  it('answers the cluster IP from the node itself (masqueraded: the node is outside the pod network)', async () => {
    const r = await node.run('curl', ['-sS', '--max-time', '5', `http://${CLUSTER_IP}/`]);
    assert.match(r.stdout, /^backend-[ab]\n$/, r.stderr);
  });

  it('does not answer NodePorts on 127.0.0.1 (nftables mode has no localhost NodePorts)', async () => {
    const r = await node.run('curl', ['-sS', '--max-time', '2', `http://127.0.0.1:${NODE_PORT}/`]);
    assert.notEqual(r.code, 0);
  });

  const refused: [string, string][] = [
    ['the cluster IP of a Service with no ready endpoint (no-endpoint-services → reject-chain)', `http://${EMPTY_IP}:80/`],
    ['its NodePort (no-endpoint-nodeports)', `http://10.0.0.10:${EMPTY_NODE_PORT}/`],
    ['an unused port of an active cluster IP (cluster-ips-check)', `http://${CLUSTER_IP}:81/`],
  ];
  for (const [name, url] of refused) {
    it(`refuses ${name} at once`, async () => {
      const start = Date.now();
      const r = await inClient('curl', '-sS', '--max-time', '5', url);
      assert.equal(r.code, 7, `curl should be refused, not time out: ${r.stderr}`);
      assert.ok(Date.now() - start < 2000, 'a reject answers at once');
    });
  }

  it('drops traffic to an unallocated address of the service range', async () => {
    const r = await inClient('curl', '-sS', '--max-time', '1', 'http://10.96.0.99/');
    assert.equal(r.code, 28, `dropped (timed out): ${r.stderr}`);
  });

  it('applying again changes nothing', async () => {
    const before = await table();
    await applyNftRules(view(node.pods), node.run, { serviceCIDR: SERVICE_CIDR });
    assert.equal(await table(), before);
  });

  it('deletes the chains of a Service that is gone, and the Service stops answering', async () => {
    assert.equal([...(await table()).matchAll(/chain (service|external|endpoint)-[A-Z2-7]{8}-default\/web\//g)].length, 4); // service, external, two endpoints
    await applyNftRules(view(node.pods, false), node.run, { serviceCIDR: SERVICE_CIDR });
    assert.doesNotMatch(await table(), /default\/web\//);
    const r = await inClient('curl', '-sS', '--max-time', '1', `http://${CLUSTER_IP}/`);
    assert.notEqual(r.code, 0);
  });
});
