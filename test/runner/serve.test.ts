/**
 * The runner, end to end with real parts: a real HTTP server, real local clusters, a real shell
 * on a pseudo-terminal. A session is created and followed to ready through its progress events;
 * `kubectl get pods -A` typed into its terminal answers from its own cluster; a reconnect finds
 * the shell as it was; the postgres lab is graded live through the API (reference passes, a
 * wrong answer fails with its hint); a bad Origin, a wrong token and another session's token
 * are refused; ending the session removes its cluster and its home; idle and absolute time
 * limits end sessions with every trace of them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { substitute } from '../../checkers/lab/params.ts';
import { flatnetProcesses, list, ownersUnavailable } from '../../runner/providers/local/lifecycle.ts';
import { LocalProvider } from '../../runner/providers/local/provider.ts';
import { LABS_ROOT, labDirById, loadLab } from '../../runner/lab/load.ts';
import { startServer } from '../../runner/server/http.ts';
import type { LogEntry } from '../../runner/server/log.ts';
import { SessionManager } from '../../runner/server/sessions.ts';
import { cannotRunCluster, until } from '../local-cluster/harness.ts';

const skip = cannotRunCluster();
if (skip) console.log(`# skipped: ${skip}`);

const LAB = 'netpol-postgres-dns-egress';

describe('flatnet serve: sessions, terminal, live grading', { skip, timeout: 300_000 }, () => {
  let sessions: SessionManager;
  let base = '';
  let close: () => void = () => {};
  let provider = new LocalProvider();
  /** The structured log the server wrote. */
  const logged: LogEntry[] = [];
  /** Why clusters cannot run as users of their own here (not root, an unreadable checkout), if they cannot. */
  let noOwners: string | undefined;

  before(async () => {
    process.env.FLATNET_STATE_DIR = mkdtempSync(join(tmpdir(), 'flatnet-serve-'));
    noOwners = ownersUnavailable();
    if (noOwners) console.log(`# clusters run without users of their own: ${noOwners}`);
    provider = new LocalProvider({ ownUsers: !noOwners });
    sessions = new SessionManager({ provider, root: mkdtempSync(join(tmpdir(), 'flatnet-homes-')), loadLab: (id) => loadLab(labDirById(id)), idleMs: 600_000, maxMs: 600_000, maxSessions: 4, maxPerClient: 2, log: (e) => void logged.push(e) });
    const { server, url } = await startServer({ sessions }, 0);
    base = url;
    close = () => server.close();
  });
  after(async () => {
    await sessions.close();
    close();
    // Every cluster goes with the server, also one whose session ended while it was still being made.
    const left = flatnetProcesses(process.env.FLATNET_STATE_DIR);
    assert.deepEqual(left, [], 'cluster processes left behind');
  });

  const api = async (method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}) => {
    const r = await fetch(`${base}${path}`, { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}), ...headers }, body: body ? JSON.stringify(body) : undefined });
    return { status: r.status, body: (r.headers.get('content-type')?.startsWith('application/json') ? await r.json() : await r.text()) as Record<string, unknown> };
  };
  /** Reads the session's Server-Sent Events until one of `until` arrives. */
  const follow = async (id: string, token: string, stop: string[]) => {
    const r = await fetch(`${base}/api/sessions/${id}/events?token=${token}`);
    const reader = r.body!.getReader();
    const seen: { type: string; [k: string]: unknown }[] = [];
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += Buffer.from(value).toString();
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const data = /^data: (.*)$/m.exec(buf.slice(0, i))?.[1];
        buf = buf.slice(i + 2);
        if (data) seen.push(JSON.parse(data));
      }
      if (seen.some((e) => stop.includes(e.type))) break;
    }
    await reader.cancel();
    return seen;
  };
  const terminal = (id: string, token: string, origin = base) =>
    new Promise<{ ws: WebSocket; screen: () => string }>((resolve, reject) => {
      const ws = new WebSocket(`${base.replace('http', 'ws')}/api/sessions/${id}/terminal?token=${token}`, { headers: { origin } });
      let screen = '';
      ws.on('message', (d: Buffer) => (screen += d.toString()));
      ws.on('open', () => resolve({ ws, screen: () => screen }));
      ws.on('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)));
      ws.on('error', reject);
    });

  let id = '';
  let token = '';

  it('creates a session and streams its progress to ready', async () => {
    const r = await api('POST', '/api/sessions', undefined, { lab: LAB });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    id = String(r.body.id);
    token = String(r.body.token);
    assert.match(token, /^[\w-]{32}$/);
    const events = await follow(id, token, ['ready', 'failed']);
    assert.equal(events.at(-1)!.type, 'ready', JSON.stringify(events));
    const stages = events.filter((e) => e.type === 'progress').map((e) => e.stage);
    assert.ok(stages.includes('Starting CoreDNS') && stages.includes('Setting up the lab'), stages.join(', '));
    const health = await api('GET', '/healthz');
    assert.deepEqual(health.body, { ok: true, sessions: 1 });
    assert.match(String((await api('GET', '/metrics')).body), /^flatnet_sessions\{state="ready"\} 1$/m);
  });

  it('gives a terminal in which kubectl talks to this session\'s cluster, and a reconnect keeps it', async () => {
    const t = await terminal(id, token);
    t.ws.send(JSON.stringify({ type: 'resize', cols: 120, rows: 40 }));
    t.ws.send(JSON.stringify({ type: 'input', data: 'kubectl get pods -A; stty size\r' }));
    await until('kubectl output', () => /^data\s+postgres\s+1\/1\s+Running/m.test(t.screen()) && /^40 120\r?$/m.test(t.screen()), 30_000);
    assert.match(t.screen(), /^kube-system\s+coredns-/m);
    t.ws.close();
    const again = await terminal(id, token);
    await until('the scrollback on reconnect', () => again.screen().includes('postgres'), 5_000);
    again.ws.send(JSON.stringify({ type: 'input', data: 'echo $KUBECONFIG; echo uid=$(id -u)\r' }));
    await until('the same shell', () => again.screen().includes(join(sessions.all[0]!.home, '.kube', 'config')) && /^uid=\d+\r?$/m.test(again.screen()), 10_000);
    // A root runner gives the learner a user of their own, never root.
    if (process.getuid?.() === 0) assert.ok(Number(/^uid=(\d+)\r?$/m.exec(again.screen())![1]) >= 200_000, again.screen());
    again.ws.close();
  });

  it('grades live through the API: the reference passes, a wrong answer fails with its hint', async () => {
    const dir = join(LABS_ROOT, LAB);
    // The lab's own answers are templates (${ns}); a learner's answer is plain YAML.
    const values = loadLab(dir).values;
    const answer = (file: string) => substitute(readFileSync(join(dir, file), 'utf8'), values).text;
    const pass = await api('POST', `/api/sessions/${id}/grade`, token, { answer: answer('solution/postgres-policy.yaml') });
    assert.equal(pass.status, 200, JSON.stringify(pass.body));
    assert.deepEqual([pass.body.mode, pass.body.passed], ['live', true]);
    const wrong = await api('POST', `/api/sessions/${id}/grade`, token, { answer: answer('wrong/seed-udp-only.yaml') });
    assert.deepEqual([wrong.body.passed, wrong.body.hint], [false, 'dns-tcp'], JSON.stringify(wrong.body).slice(0, 400));
  });

  it('applies YAML with kubectl in the session\'s cluster, and resets the task to its start state', async () => {
    const s = sessions.all.find((x) => x.id === id)!;
    const ns = String(loadLab(join(LABS_ROOT, LAB)).values.ns);
    const policy = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: learner-draft, namespace: ${ns}}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n`;
    const applied = await api('POST', `/api/sessions/${id}/apply`, token, { yaml: policy });
    assert.deepEqual(applied.body, { ok: true, output: 'networkpolicy.networking.k8s.io/learner-draft created' });
    const broken = await api('POST', `/api/sessions/${id}/apply`, token, { yaml: policy.replace('Ingress', 'Sideways') });
    assert.equal(broken.body.ok, false);
    assert.match(String(broken.body.output), /Unsupported value: "Sideways"/);
    const prober = provider.prober(s.cluster);
    assert.ok(await prober.getObject('NetworkPolicy', ns, 'learner-draft'));
    const before = s.events.length;
    const reset = await api('POST', `/api/sessions/${id}/reset`, token, {});
    assert.equal(reset.status, 202, JSON.stringify(reset.body));
    assert.equal((await api('POST', `/api/sessions/${id}/grade`, token, { answer: '' })).status, 409, 'no grading while the task is set up again');
    await until('ready after the reset', () => s.events.slice(before).some((e) => e.type === 'ready'), 60_000);
    const stages = s.events.slice(before).filter((e) => e.type === 'progress').map((e) => (e as { stage: string }).stage);
    assert.deepEqual(stages, ['Removing what the task made', 'Setting up the lab', 'Waiting for the lab pods']);
    assert.equal(await prober.getObject('NetworkPolicy', ns, 'learner-draft'), undefined);
    const pod = (await prober.getObject('Pod', ns, 'postgres')) as { status?: { phase?: string } } | undefined;
    assert.equal(pod?.status?.phase, 'Running');
    const lab = await api('GET', `/api/labs/${LAB}`);
    assert.equal((lab.body.lab as { id: string }).id, LAB);
    assert.ok(Object.keys(lab.body.files as object).includes('solution/postgres-policy.yaml'));
    assert.equal((await api('GET', '/api/labs/..%2f..%2fetc')).status, 400);
  });

  it('runs the shell as its cluster\'s own user: root on its own node, nobody to another session', async (t) => {
    if (noOwners) return t.skip(noOwners);
    const s = sessions.all.find((x) => x.id === id)!;
    const owner = provider.owner(s.cluster)!;
    const other = sessions.create(LAB);
    await until('the other session ready', () => other.state === 'ready', 60_000);
    const otherOwner = provider.owner(other.cluster)!;
    assert.notEqual(owner, otherOwner);
    const term = await terminal(id, token);
    const state = process.env.FLATNET_STATE_DIR!;
    term.ws.send(JSON.stringify({ type: 'input', data: `echo me=$(id -u); flatnet cluster shell node <<'EOF'\necho node=$(id -u) map=$(awk '{print $2}' /proc/self/uid_map) rules=$(iptables-save -t nat | grep -c '^-A KUBE-SERVICES')\n(sleep 0.5; curl -s http://127.0.0.1:9) & echo captured=$(timeout 5 tcpdump -c 1 -ni lo 2>&1 | grep -c '^1 packet captured')\nEOF\n` }));
    await until('the node shell', () => /^node=0 map=\d+ rules=\d+/m.test(term.screen()), 20_000);
    assert.match(term.screen(), new RegExp(`^me=${owner}\\r?$`, 'm'));
    const [, map, rules] = /^node=0 map=(\d+) rules=(\d+)/m.exec(term.screen())!;
    assert.equal(Number(map), owner, 'root on the node is the cluster\'s owner on the host');
    assert.ok(Number(rules) > 0, 'kube-proxy rules are visible from the node shell');
    await until('tcpdump', () => /^captured=\d/m.test(term.screen()), 10_000);
    assert.match(term.screen(), /^captured=1\r?$/m, 'tcpdump captures on the node (its drop to a user of its own works in a user namespace)');
    // Another session's home, kubeconfig and node are closed to this learner.
    term.ws.send(JSON.stringify({ type: 'input', data: `ls ${other.home} || echo HOME-REFUSED; cat ${state}/clusters/${other.cluster}/kubeconfig || echo KUBECONFIG-REFUSED; FLATNET_CLUSTER=${other.cluster} flatnet cluster shell node </dev/null || echo NODE-REFUSED\n` }));
    await until('the refusals', () => /^NODE-REFUSED/m.test(term.screen()), 20_000);
    assert.match(term.screen(), /^HOME-REFUSED/m);
    assert.match(term.screen(), /^KUBECONFIG-REFUSED/m);
    term.ws.close();
    await sessions.end(other, 'done');
    // (Zombies aside: an exited daemon waits for this process, its parent, to reap it.)
    const left = spawnSync('ps', ['-o', 'pid=,stat=,args=', '-u', String(otherOwner)]).stdout.toString().split('\n').filter((l) => l.trim() && !/^\s*\d+\s+Z/.test(l));
    assert.deepEqual(left, [], 'a process of the ended session\'s user is left');
  });

  it('refuses a foreign Origin, a wrong token, another session\'s token, and non-JSON writes', async () => {
    await assert.rejects(terminal(id, token, 'https://evil.example'), /refused: 403/);
    await assert.rejects(terminal(id, 'x'.repeat(32)), /refused: 401/);
    assert.equal((await api('POST', '/api/sessions', undefined, { lab: LAB }, { origin: 'https://evil.example' })).status, 403);
    assert.equal((await api('POST', `/api/sessions/${id}/grade`, 'nope', { answer: '' })).status, 401);
    const other = await api('POST', '/api/sessions', undefined, { lab: LAB });
    assert.equal((await api('DELETE', `/api/sessions/${id}`, String(other.body.token))).status, 401);
    // Two sessions from this address already: a third is refused (per client), not queued.
    const third = await api('POST', '/api/sessions', undefined, { lab: LAB });
    assert.deepEqual([third.status, third.body.error], [429, 'this client already runs 2 sessions']);
    await api('DELETE', `/api/sessions/${other.body.id}`, String(other.body.token));
    // A terminal client sending faster than anyone types is cut off.
    const flood = await terminal(id, token);
    const closed = new Promise<number>((resolve) => flood.ws.on('close', (code) => resolve(code)));
    for (let i = 0; i < 1000 && flood.ws.readyState === flood.ws.OPEN; i++) flood.ws.send(JSON.stringify({ type: 'resize', cols: 100, rows: 30 }));
    assert.equal(await closed, 1008);
    // Each refusal is in the structured log, with what and why.
    const whys = logged.filter((e) => e.event === 'refused').map((e) => e.why);
    for (const why of ['origin', 'token', 'terminal flood']) assert.ok(whys.includes(why), `logged ${why}: ${JSON.stringify(whys)}`);
    assert.ok(logged.some((e) => e.event === 'session.ready' && e.session === id && typeof e.ms === 'number'));
    assert.ok(logged.some((e) => e.event === 'session.ended' && e.session === other.body.id));
    const form = await fetch(`${base}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'lab=x' });
    assert.equal(form.status, 400);
    assert.equal((await api('POST', '/api/sessions', undefined, { lab: '../../etc' })).status, 400);
  });

  it('ending a session removes its cluster and its home', async () => {
    const s = sessions.all.find((x) => x.id === id)!;
    const { home, cluster } = s;
    const r = await api('DELETE', `/api/sessions/${id}`, token);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(await provider.status(cluster), 'missing');
    assert.equal(existsSync(home), false);
    assert.equal((await api('GET', `/api/sessions/${id}/events`, token)).status, 401);
  });
});

describe('flatnet serve: the warm pool', { skip, timeout: 300_000 }, () => {
  const provider = new LocalProvider();
  let sessions: SessionManager;

  before(() => {
    process.env.FLATNET_STATE_DIR = mkdtempSync(join(tmpdir(), 'flatnet-serve-warm-'));
    sessions = new SessionManager({ provider, root: mkdtempSync(join(tmpdir(), 'flatnet-homes-')), loadLab: (id) => loadLab(labDirById(id)), idleMs: 600_000, maxMs: 600_000, maxSessions: 3, warm: 1 });
  });
  after(() => sessions.close());

  it('starts a session on a ready cluster (only the lab is set up), and keeps the pool full for the next learner', async () => {
    await until('a warm cluster', () => sessions.warm === 1, 60_000);
    const s = sessions.create(LAB);
    const cluster = s.cluster;
    assert.match(cluster, /^w-/);
    await until('ready', () => s.state === 'ready', 60_000);
    const stages = s.events.filter((e) => e.type === 'progress').map((e) => (e as { stage: string }).stage);
    assert.ok(!stages.includes('Starting CoreDNS') && stages.includes('Setting up the lab'), stages.join(', '));
    assert.ok(await provider.prober(cluster).getObject('Namespace', undefined, 'data'));
    // The pool is topped up while the learner works; their cluster goes when they leave.
    await until('the pool full again', () => sessions.warm === 1, 60_000);
    await sessions.end(s, 'done');
    assert.equal(await provider.status(cluster), 'missing');
    const next = sessions.create(LAB);
    assert.match(next.cluster, /^w-/);
    assert.notEqual(next.cluster, cluster);
    await until('ready again', () => next.state === 'ready', 60_000);
  });
});

describe('flatnet serve: stopping while the pool fills', { skip, timeout: 120_000 }, () => {
  const provider = new LocalProvider();

  it('stopping while the pool is still making its first cluster leaves no cluster behind, and refuses a session asked for meanwhile', async () => {
    const state = mkdtempSync(join(tmpdir(), 'flatnet-serve-close-'));
    process.env.FLATNET_STATE_DIR = state;
    const m = new SessionManager({ provider, root: mkdtempSync(join(tmpdir(), 'flatnet-homes-')), loadLab: (id) => loadLab(labDirById(id)), idleMs: 600_000, maxMs: 600_000, maxSessions: 3, warm: 1 });
    await until('the pool making a cluster', () => list().length === 1, 10_000);
    const closing = m.close();
    assert.throws(() => m.create(LAB), /this server is stopping/);
    await closing;
    assert.deepEqual(list(), []);
    assert.equal(m.warm, 0);
  });
});

describe('flatnet serve: time limits', { skip, timeout: 180_000 }, () => {
  let sessions: SessionManager | undefined;
  after(() => sessions?.close());

  /** A manager whose sessions time out fast; its clusters run as users of their own where they can. */
  const manager = (idleMs: number, maxMs: number) => {
    process.env.FLATNET_STATE_DIR = mkdtempSync(join(tmpdir(), 'flatnet-serve-ttl-'));
    const provider = new LocalProvider({ ownUsers: !ownersUnavailable() });
    sessions = new SessionManager({ provider, root: mkdtempSync(join(tmpdir(), 'flatnet-homes-')), loadLab: (id) => loadLab(labDirById(id)), idleMs, maxMs, maxSessions: 2 });
    return { provider, sessions };
  };
  /** Nothing of the session is left: its cluster, its home, its shell, and every process of its user. */
  const assertGone = async (provider: LocalProvider, cluster: string, home: string, owner: number | undefined) => {
    // The ended event comes first; the cleanup follows, its last step removing the cluster's folder.
    await until('the cluster removed', () => !existsSync(join(process.env.FLATNET_STATE_DIR!, 'clusters', cluster)), 20_000);
    assert.equal(await provider.status(cluster), 'missing');
    assert.equal(existsSync(home), false, 'the home is removed');
    assert.deepEqual(flatnetProcesses(process.env.FLATNET_STATE_DIR), [], 'cluster processes left');
    if (owner !== undefined) {
      const left = spawnSync('ps', ['-o', 'pid=,stat=,args=', '-u', String(owner)]).stdout.toString().split('\n').filter((l) => l.trim() && !/^\s*\d+\s+Z/.test(l));
      assert.deepEqual(left, [], 'processes of the session\'s user left');
    }
  };

  it('reaps a session nobody used for its idle time, with every trace of it', async () => {
    const { provider, sessions: m } = manager(3_000, 600_000);
    const s = m.create(LAB);
    await until('ready', () => s.state === 'ready', 60_000);
    const shell = await m.terminal(s);
    const { cluster, home } = s;
    const owner = provider.owner(cluster);
    await until('reaped', () => s.state === 'ended', 20_000);
    assert.deepEqual(s.events.at(-1), { type: 'ended', reason: 'the session was idle too long' });
    assert.equal(shell.exited, true, 'the shell is ended');
    await assertGone(provider, cluster, home, owner);
    await m.close();
  });

  it('ends a session in use at its absolute time limit', async () => {
    const { provider, sessions: m } = manager(600_000, 8_000);
    const s = m.create(LAB);
    const { cluster, home } = s;
    await until('ready', () => s.state === 'ready', 60_000);
    const owner = provider.owner(cluster);
    const keepAlive = setInterval(() => m.get(s.id, s.token), 500); // the learner keeps working
    try {
      await until('ended', () => s.state === 'ended', 20_000);
    } finally {
      clearInterval(keepAlive);
    }
    assert.deepEqual(s.events.at(-1), { type: 'ended', reason: 'the session reached its time limit' });
    await assertGone(provider, cluster, home, owner);
    await m.close();
  });
});
