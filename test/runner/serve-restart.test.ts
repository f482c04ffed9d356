/**
 * A runner killed mid-provisioning, then started again (the real `flatnet serve` process, real
 * clusters): nothing it made outlives it — no cluster process, no learner home — and a client
 * of the lost session is told what happened (410, "start the lab again") instead of a bare 401.
 * And a server stopped with Ctrl+C takes its clusters with it, however many signals arrive.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flatnetProcesses } from '../../runner/providers/local/lifecycle.ts';
import { cannotRunCluster, until } from '../local-cluster/harness.ts';
import { startServe } from '../serve-process.ts';

const skip = cannotRunCluster();
if (skip) console.log(`# skipped: ${skip}`);

describe('flatnet serve: killed during provisioning, then restarted', { skip, timeout: 120_000 }, () => {
  const state = mkdtempSync(join(tmpdir(), 'flatnet-serve-restart-'));
  const running: ChildProcess[] = [];
  const serve = async () => {
    const served = await startServe(['--warm', '0'], state);
    running.push(served.child);
    return { child: served.child, url: served.url, err: served.stderr };
  };
  /** Cluster processes of this test's runner still alive. */
  const daemons = () => flatnetProcesses(join(state, 'serve'));
  after(() => running.forEach((c) => c.kill('SIGKILL')));

  it('leaves nothing behind, and tells the old session\'s client', async () => {
    const first = await serve();
    const created = (await (await fetch(`${first.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ lab: 'netpol-postgres-dns-egress' }) })).json()) as { id: string; token: string };
    await until('its cluster process', () => daemons().length > 0, 30_000);
    const firstHomes = readFileSync(join(state, 'serve', 'homes-path'), 'utf8').trim();
    assert.ok(existsSync(join(firstHomes, created.id)), 'the session has a home');
    first.child.kill('SIGKILL'); // no chance to clean up
    await new Promise((r) => first.child.once('exit', r));
    assert.ok(daemons().length > 0, 'the killed runner left a cluster behind (what the restart must remove)');

    const second = await serve();
    assert.match(second.err(), /removed what an earlier run left: cluster s-/);
    assert.deepEqual(daemons(), []);
    assert.equal(existsSync(firstHomes), false, 'the killed run\'s homes are gone');
    assert.equal(existsSync(join(state, 'serve', 'clusters')) ? readdirSync(join(state, 'serve', 'clusters')).length : 0, 0);
    const r = await fetch(`${second.url}/api/sessions/${created.id}/events?token=${created.token}`);
    assert.equal(r.status, 410);
    assert.match(((await r.json()) as { error: string }).error, /the runner restarted while this session was running/);
    second.child.kill('SIGTERM');
    await new Promise((res) => second.child.once('exit', res));
  });

  it('stops cleanly on Ctrl+C even when the signal comes twice (the terminal\'s group, and npm start passing it on)', async () => {
    const run = await serve();
    await fetch(`${run.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ lab: 'netpol-postgres-dns-egress' }) });
    await until('its cluster process', () => daemons().length > 0, 30_000);
    const exited = new Promise<number | null>((res) => run.child.once('exit', (code) => res(code)));
    run.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 50));
    run.child.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.match(run.err(), /flatnet: stopping: ending 1 session\(s\) and their clusters/);
    assert.deepEqual(daemons(), [], 'no cluster outlives the server');
  });
});
