/**
 * Rootless mode: the same cluster run by an unprivileged user (nobody), inside a user
 * namespace. Runs when the tests run as root (CI) and can drop to nobody; as a normal user
 * every other cluster test is already rootless.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cannotRunCluster } from './harness.ts';

const BIN = new URL('../../bin/flatnet.js', import.meta.url).pathname;

function reason(): string | undefined {
  const base = cannotRunCluster();
  if (base) return base;
  if (process.getuid?.() !== 0) return 'already rootless: the other cluster tests run as this unprivileged user';
  if (spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'unshare', '-Urn', 'true']).status !== 0) {
    return 'user namespaces are not available to unprivileged users here (sysctl user.max_user_namespaces / kernel.unprivileged_userns_clone)';
  }
  if (spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'test', '-r', BIN]).status !== 0) return 'the checkout is not readable by nobody';
  return undefined;
}

const skip = reason();
if (skip) console.log(`# skipped: ${skip}`);

describe('rootless local cluster', { skip }, () => {
  /** The real CLI as nobody, in a home and state folder of its own. */
  const nobody = () => {
    const home = mkdtempSync(join(tmpdir(), 'flatnet-rootless-'));
    chmodSync(home, 0o777);
    const env = { PATH: process.env.PATH, HOME: home, XDG_CACHE_HOME: join(home, 'cache'), FLATNET_STATE_DIR: join(home, 'state') };
    return (args: string[], input?: string) => {
      const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, ...args], { env, input, encoding: 'utf8', timeout: 120_000 });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
  };

  it('runs pods, DNS and exec as nobody', () => {
    const as = nobody();
    try {
      const upped = as(['cluster', 'up', '--name', 'rl']);
      assert.equal(upped.code, 0, upped.err);
      const status = as(['cluster', 'status']);
      assert.match(status.out, /^rl: Ready \(rootless, pid \d+\)$/m);
      const applied = as(['cluster', 'apply', '--name', 'rl', '-f', '-'], 'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: default}\nspec: {containers: [{name: web, image: "nginx:alpine"}]}\n');
      assert.equal(applied.code, 0, applied.err);
      let out = '';
      for (let i = 0; i < 50 && !/HTTP 200/.test(out); i++) {
        spawnSync('sleep', ['0.2']);
        out = as(['cluster', 'exec', '--name', 'rl', 'default/web', '--', 'curl', '-s', '-o', '/dev/null', '-w', 'HTTP %{http_code}', 'http://localhost']).out;
      }
      assert.equal(out, 'HTTP 200');
      const dns = as(['cluster', 'exec', '--name', 'rl', 'default/web', '--', 'nslookup', 'kube-dns.kube-system.svc.cluster.local']);
      assert.match(dns.out, /Name:\s+kube-dns\.kube-system\.svc\.cluster\.local\nAddress:\s+10\.96\.0\.10/);
    } finally {
      assert.equal(as(['cluster', 'down', '--all']).code, 0);
    }
  });

  // The kernel's VXLAN device, and the tunnel agent's raw IP-in-IP socket, in a user namespace.
  for (const network of ['vxlan', 'ipip']) {
    it(`runs two nodes over ${network} as nobody: a pod reaches a pod on the other node`, () => {
      const as = nobody();
      try {
        const upped = as(['cluster', 'up', '--name', `rl-${network}`, '--nodes', '2', '--network', network]);
        assert.equal(upped.code, 0, upped.err);
        const pod = (name: string, node: string, spec: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: default}\nspec: {nodeName: flatnet-rl-${network}-${node}, ${spec}}`;
        const applied = as(['cluster', 'apply', '--name', `rl-${network}`, '-f', '-'], [
          pod('web', 'control-plane', 'containers: [{name: web, image: "nginx:alpine"}]'),
          pod('client', 'worker', 'containers: [{name: c, image: "busybox:1.36", args: [sleep, "3600"]}]'),
        ].join('\n---\n'));
        assert.equal(applied.code, 0, applied.err);
        let out = '';
        for (let i = 0; i < 50 && !/HTTP 200/.test(out); i++) {
          spawnSync('sleep', ['0.2']);
          const status = as(['cluster', 'status']).out;
          const webIP = /^default\s+web\s+Running\s+(10\.244\.0\.\d+)\s/m.exec(status)?.[1];
          if (webIP && /^default\s+client\s+Running\s+10\.244\.1\./m.test(status)) {
            out = as(['cluster', 'exec', '--name', `rl-${network}`, 'default/client', '--', 'curl', '-s', '-o', '/dev/null', '-w', 'HTTP %{http_code}', `http://${webIP}`]).out;
          }
        }
        assert.equal(out, 'HTTP 200');
      } finally {
        assert.equal(as(['cluster', 'down', '--all']).code, 0);
      }
    });
  }
});
