/**
 * Kill the cluster process mid-way (SIGKILL, while pods are starting): `flatnet cluster down
 * --all` must leave no process, network namespace, veth, iptables rule or state behind.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cannotRunCluster, cli, until } from './harness.ts';

const skip = cannotRunCluster();
if (skip) console.log(`# skipped: ${skip}`);

const sh = (cmd: string) => spawnSync('sh', ['-c', cmd], { encoding: 'utf8' }).stdout;
const alive = (pid: number) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');

function descendants(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift()!;
    try {
      const kids = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      out.push(...kids);
      queue.push(...kids);
    } catch {
      // exited
    }
  }
  return out;
}

describe('a crashed cluster leaves nothing behind', { skip }, () => {
  it('SIGKILL mid-way, then cluster down --all', async () => {
    const before = { links: sh('ip -o link | cut -d: -f2 | sort'), netns: sh('ip netns list'), rules: sh('iptables-save 2>/dev/null | grep -v "^#" | sort') };
    const c = cli();
    c.ok(['cluster', 'up', '--name', 'crash']);
    const info = JSON.parse(readFileSync(join(c.stateDir, 'clusters/crash/daemon.json'), 'utf8')) as { pid: number; nodePid: number };
    const pods = Array.from({ length: 4 }, (_, i) => `apiVersion: v1
kind: Pod
metadata: {name: p${i}, namespace: default}
spec: {containers: [{name: c, image: "busybox:1.36", args: [sleep, "3600"]}]}`).join('\n---\n');
    c.ok(['cluster', 'apply', '--name', 'crash', '-f', '-'], pods);
    const nodeNet = readFileSync(`/proc/${info.nodePid}/stat`, 'utf8') && sh(`readlink /proc/${info.nodePid}/ns/net`).trim();
    const tree = [info.pid, ...descendants(info.pid)];
    assert.ok(tree.length > 5, `the cluster runs processes (${tree.length})`);

    process.kill(info.pid, 'SIGKILL');
    const down = c.ok(['cluster', 'down', '--all']);
    assert.equal(typeof down, 'string');

    await until('every cluster process to exit', () => tree.every((p) => !alive(p)), 10_000);
    // The node's network namespace is gone: no process holds it, nothing bind-mounts it.
    assert.equal(sh(`ls -l /proc/*/ns/net 2>/dev/null | grep -c '${nodeNet}'`).trim(), '0');
    assert.equal(sh('ip -o link | cut -d: -f2 | sort'), before.links, 'no veth or device left on the host');
    assert.equal(sh('ip netns list'), before.netns, 'no host network namespace left');
    assert.equal(sh('iptables-save 2>/dev/null | grep -v "^#" | sort'), before.rules, 'host iptables untouched');
    assert.deepEqual(existsSync(join(c.stateDir, 'clusters')) ? readdirSync(join(c.stateDir, 'clusters')) : [], [], 'no state left');
  });
});
