/**
 * `flatnet serve` with kind sessions, over the recorded shims (test/providers/kind-shim): this
 * host has no Docker engine, so `kind create cluster` starts a flatnet local cluster and
 * `docker run` of the learner's shell container runs its entrypoint here. What is real: the
 * server, the session API, the kind provider's command sequence, kubectl against a real API
 * server, live grading with real packets, the terminal on a real pty. What this cannot show:
 * real kind nodes, Calico enforcing the policy, the shell container's isolation.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { substitute } from '../../checkers/lab/params.ts';
import { KindProvider } from '../../runner/providers/kind/provider.ts';
import { LocalProvider } from '../../runner/providers/local/provider.ts';
import { LABS_ROOT, labDirById, loadLab } from '../../runner/lab/load.ts';
import { startServer } from '../../runner/server/http.ts';
import { SessionManager } from '../../runner/server/sessions.ts';
import { cannotRunKubectl, until } from '../local-cluster/harness.ts';
import { useKindShims, type ShimCall } from '../providers/kind-shim/env.ts';

const skip = cannotRunKubectl();
if (skip) console.log(`# skipped: ${skip}`);

const LAB = 'netpol-postgres-dns-egress';

describe('flatnet serve: kind sessions (over the shims)', { skip, timeout: 300_000 }, () => {
  let sessions: SessionManager;
  let base = '';
  let close: () => void = () => {};
  let log: () => ShimCall[] = () => [];
  const kindClusters = () => spawnSync('kind', ['get', 'clusters'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.startsWith('flatnet-'));

  before(async () => {
    log = useKindShims('serve-kind', 'local').calls;
    const kind = new KindProvider({ networkTimeoutMs: 60_000, pollMs: 200, ownStateOnly: true });
    sessions = new SessionManager({ provider: new LocalProvider(), providers: [kind], root: mkdtempSync(join(tmpdir(), 'flatnet-homes-')), loadLab: (id) => loadLab(labDirById(id)), idleMs: 600_000, maxMs: 600_000, maxSessions: 3, warm: 0 });
    const { server, url } = await startServer({ sessions }, 0);
    base = url;
    close = () => server.close();
  });
  after(async () => {
    await sessions.close();
    close();
    assert.deepEqual(kindClusters(), [], 'the server destroys its kind clusters when it stops');
  });

  const post = async (path: string, body: unknown, token?: string) => {
    const r = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };

  it('refuses a CNI the lab or the provider does not run, and a provider the server does not serve', async () => {
    assert.deepEqual((await post('/api/sessions', { lab: LAB, provider: 'kind', cni: 'flatnet' })).body.code, 'UnsupportedCni');
    assert.deepEqual((await post('/api/sessions', { lab: LAB, provider: 'gke' })).body.code, 'UnknownProvider');
    const localOnly = new SessionManager({ provider: new LocalProvider(), root: mkdtempSync(join(tmpdir(), 'flatnet-homes-')), loadLab: (id) => loadLab(labDirById(id)), idleMs: 1, maxMs: 1, maxSessions: 1 });
    assert.throws(() => localOnly.create(LAB, undefined, { provider: 'kind' }), /does not run kind sessions/);
    await localOnly.close();
  });

  it('runs a session on kind + Calico: progress, a shell in a tools container, live grading; ending it resets the cluster for the next learner', async () => {
    const r = await post('/api/sessions', { lab: LAB, provider: 'kind', cni: 'calico' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const s = sessions.all.find((x) => x.id === r.body.id)!;
    await until('ready', () => s.state !== 'provisioning', 120_000);
    assert.equal(s.state, 'ready', JSON.stringify(s.events.at(-1)));
    const stages = s.events.filter((e) => e.type === 'progress').map((e) => (e as { stage: string }).stage);
    assert.ok(stages.includes('Installing Calico') && stages.includes('Setting up the lab'), stages.join(', '));

    // The terminal is `docker run` of the node image as nobody on the kind network, with the internal kubeconfig.
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/sessions/${s.id}/terminal?token=${r.body.token}`);
    let screen = '';
    ws.on('message', (d: Buffer) => (screen += d.toString()));
    await new Promise((resolve) => ws.on('open', resolve));
    ws.send(JSON.stringify({ type: 'input', data: 'kubectl get pods -A\r' }));
    await until('kubectl output from the shell container', () => /postgres\s+1\/1\s+Running/.test(screen), 30_000).catch((e: Error) => assert.fail(`${e.message}: ${screen}`));
    const run = log().find((c) => c.tool === 'docker' && c.argv[0] === 'run')!;
    for (const flag of ['--network kind', '--user 65534:65534', '--cap-drop ALL', '--security-opt no-new-privileges', '--read-only', '--entrypoint bash']) assert.ok(run.argv.join(' ').includes(flag), `docker run has ${flag}: ${run.argv.join(' ')}`);
    assert.ok(log().some((c) => c.tool === 'kind' && c.argv.join(' ') === `get kubeconfig --internal --name flatnet-${s.cluster}`));

    const dir = join(LABS_ROOT, LAB);
    const values = loadLab(dir).values;
    const answer = substitute(readFileSync(join(dir, 'solution/postgres-policy.yaml'), 'utf8'), values).text;
    const graded = await post(`/api/sessions/${s.id}/grade`, { answer }, String(r.body.token));
    assert.deepEqual([graded.body.mode, graded.body.passed], ['live', true], JSON.stringify(graded.body).slice(0, 400));

    const cluster = s.cluster;
    await sessions.end(s, 'done');
    // kind clusters take minutes to make: this one is reset (its shell container removed), not destroyed.
    assert.deepEqual(kindClusters(), [`flatnet-${cluster}`]);
    assert.ok(log().some((c) => c.tool === 'docker' && c.argv[0] === 'rm'), 'the shell container is removed');
    assert.ok(!log().some((c) => c.tool === 'kind' && c.argv[0] === 'delete'));

    const next = sessions.create(LAB, undefined, { provider: 'kind', cni: 'calico' });
    assert.equal(next.cluster, cluster, 'the next learner gets the reset cluster');
    await until('ready again', () => next.state !== 'provisioning', 120_000);
    assert.equal(next.state, 'ready', JSON.stringify(next.events.at(-1)));
    const again = next.events.filter((e) => e.type === 'progress').map((e) => (e as { stage: string }).stage);
    assert.ok(!again.includes('Installing Calico'), again.join(', '));
    ws.close();
  });
});
