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
  it('runs pods, DNS and exec as nobody', () => {
    const home = mkdtempSync(join(tmpdir(), 'flatnet-rootless-'));
    chmodSync(home, 0o777);
    const env = { PATH: process.env.PATH, HOME: home, XDG_CACHE_HOME: join(home, 'cache'), FLATNET_STATE_DIR: join(home, 'state') };
    const as = (args: string[], input?: string) => {
      const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, ...args], { env, input, encoding: 'utf8', timeout: 120_000 });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
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
});
