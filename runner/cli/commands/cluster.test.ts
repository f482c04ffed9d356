/** `flatnet cluster up` refuses a shape it cannot make before anything starts, naming what to do instead. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../main.ts';

describe('flatnet cluster up: refused shapes', () => {
  const cases: { args: string[]; message: RegExp }[] = [
    { args: ['--nodes', '0'], message: /nodes: 0: expected a whole number from 1 to 10 — use --nodes 1/ },
    { args: ['--nodes', '11'], message: /nodes: 11: expected a whole number from 1 to 10/ },
    { args: ['--nodes', 'three'], message: /nodes: "three": expected a whole number from 1 to 10/ },
    { args: ['--nodes', '2', '--network', 'gre'], message: /network: "gre" is not a pod network mode — use --network routed\|vxlan\|ipip\|geneve/ },
    { args: ['--proxy-mode', 'bpf'], message: /proxy mode "bpf" is not one of kube-proxy's modes — use --proxy-mode iptables\|nftables\|ipvs/ },
    // No IPVS in this kernel, or IPVS that the local cluster does not program yet: refused either way, saying which.
    { args: ['--proxy-mode', 'ipvs'], message: /proxy mode ipvs: this kernel (has no IP Virtual Server|has IPVS, but the local cluster does not program it yet) .*--proxy-mode nftables/ },
    { args: ['--provider', 'kind', '--proxy-mode', 'userspace'], message: /proxy mode "userspace" is not one of kube-proxy's modes/ },
    { args: ['--provider', 'kind', '--nodes', '3', '--network', 'vxlan'], message: /--network vxlan: only the local cluster takes a network mode; a kind cluster carries pods between nodes the way its CNI does/ },
  ];
  for (const c of cases) {
    it(c.args.join(' '), async () => {
      const state = mkdtempSync(join(tmpdir(), 'flatnet-cli-'));
      const before = process.env.FLATNET_STATE_DIR;
      process.env.FLATNET_STATE_DIR = state;
      const err: string[] = [];
      try {
        const code = await main(['cluster', 'up', '--name', 'refused', ...c.args], { out: () => {}, err: (t) => err.push(t) });
        assert.equal(code, 2);
      } finally {
        if (before === undefined) delete process.env.FLATNET_STATE_DIR;
        else process.env.FLATNET_STATE_DIR = before;
      }
      assert.match(err.join('\n'), c.message);
      assert.deepEqual(readdirSync(state), [], 'nothing was started');
    });
  }
});

describe('flatnet cluster: a cluster another user started', () => {
  const bin = fileURLToPath(new URL('../../../bin/flatnet.js', import.meta.url));
  const asNobody = (...argv: string[]) => spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', ...argv], { encoding: 'utf8' });
  const skip =
    process.getuid?.() !== 0 ? 'needs root, to run the CLI as another user (nobody)'
    : asNobody(process.execPath, '-e', `require('node:fs').readFileSync(${JSON.stringify(bin)})`).status !== 0 ? 'this checkout is not readable by other users (nobody)'
    : undefined;
  if (skip) console.log(`# skipped: ${skip}`);

  it('says it cannot be reached by this user and why, not that it is not running', { skip }, () => {
    const state = mkdtempSync(join(tmpdir(), 'flatnet-cli-'));
    chmodSync(state, 0o755);
    mkdirSync(join(state, 'clusters', 'theirs'), { recursive: true });
    // Alive (this test's own pid), and readable by its owner only.
    writeFileSync(join(state, 'clusters', 'theirs', 'daemon.json'), JSON.stringify({ pid: process.pid }), { mode: 0o600 });
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, bin, 'cluster', 'shell', 'node', '--name', 'theirs'], { env: { ...process.env, FLATNET_STATE_DIR: state }, encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^flatnet: cluster "theirs" cannot be reached by this user \(uid 65534\): its state \(.*daemon\.json\) is not readable \(EACCES\) — use it as the user that started it/);
  });
});
