/**
 * A cluster process that dies loses nothing: `cluster up` again reads the stored objects,
 * brings every pod back at its address, and enforces the same policies.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cannotRunCluster, cli, pods, until } from './harness.ts';

const skip = cannotRunCluster();
if (skip) console.log(`# skipped: ${skip}`);

describe('restart after a crash', { skip }, () => {
  it('brings pods back at their addresses, with their policies', async () => {
    const c = cli();
    const name = 'again';
    try {
      c.ok(['cluster', 'up', '--name', name]);
      c.ok(['cluster', 'apply', '--name', name, '-f', '-'], `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: default, labels: {app: web}}
spec: {containers: [{name: web, image: "nginx:alpine"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: default, labels: {app: client}}
spec: {containers: [{name: c, image: "busybox:1.36", args: [sleep, "3600"]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-deny, namespace: default}
spec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress]}
`);
      const before = await until('pods Running', () => {
        const p = pods(c, name).filter((x) => x.namespace === 'default');
        return p.length === 2 && p.every((x) => x.status === 'Running') && p;
      });
      const { pid } = JSON.parse(readFileSync(join(c.stateDir, 'clusters', name, 'daemon.json'), 'utf8')) as { pid: number };
      await new Promise((r) => setTimeout(r, 200)); // let the store's snapshot settle
      process.kill(pid, 'SIGKILL');

      c.ok(['cluster', 'up', '--name', name]);
      const after = await until('pods Running again', () => {
        const p = pods(c, name).filter((x) => x.namespace === 'default');
        return p.length === 2 && p.every((x) => x.status === 'Running') && p;
      });
      assert.deepEqual(after.map((p) => [p.name, p.ip]), before.map((p) => [p.name, p.ip]));
      const web = after.find((p) => p.name === 'web')!.ip;
      // busybox-static's `wget -T` crashes on Debian 12: curl's exit 28 is the timeout of a dropped SYN.
      const r = c.run(['cluster', 'exec', '--name', name, 'default/client', '--', 'curl', '-s', '--connect-timeout', '2', `http://${web}`]);
      assert.equal(r.code, 28, 'the policy still drops what goes to web');
      const self = c.run(['cluster', 'exec', '--name', name, 'default/web', '--', 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://localhost']);
      assert.equal(self.out, '200');
    } finally {
      c.run(['cluster', 'down', '--name', name]);
    }
  });
});
