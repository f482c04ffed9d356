/**
 * The runner as a learner meets it: "Start lab" → an interactive terminal (cold: a new cluster
 * each time), keystroke echo through the WebSocket terminal, and how many sessions this
 * machine holds with every terminal still answering. Real server, clusters and shells.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { labDirById, loadLab } from '../runner/lab/load.ts';
import { LocalProvider } from '../runner/providers/local/provider.ts';
import { startServer } from '../runner/server/http.ts';
import { SessionManager } from '../runner/server/sessions.ts';
import type { Bench } from './bench.ts';

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const r1 = (n: number) => Math.round(n * 10) / 10;
const LAB = 'lab-4-1-networking-fundamentals';

interface Term {
  ws: WebSocket;
  /** Resolves when the screen shows `text` after now. */
  waitFor(text: string): Promise<void>;
}

function openTerminal(base: string, id: string, token: string): Promise<Term> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/sessions/${id}/terminal?token=${token}`);
    let screen = '';
    const waiters: { text: string; from: number; done: () => void }[] = [];
    ws.on('message', (d: Buffer) => {
      screen += d.toString();
      for (const w of waiters.splice(0)) (screen.indexOf(w.text, w.from) >= 0 ? w.done : () => waiters.push(w))();
    });
    ws.on('open', () => resolve({ ws, waitFor: (text) => new Promise((done) => (screen.indexOf(text) >= 0 && text === '$ ' ? done() : waiters.push({ text, from: screen.length, done }))) }));
    ws.on('error', reject);
  });
}

export const runnerBench: Bench = {
  name: 'runner sessions',
  goal: 'create → interactive terminal p50/p95 (cold and warm); keystroke echo ≤ 5 ms p50; ≥ 20 concurrent sessions with responsive terminals',
  async run(report) {
    process.env.FLATNET_STATE_DIR = mkdtempSync(join(tmpdir(), 'flatnet-bench-'));
    const provider = new LocalProvider();
    const sessions = new SessionManager({ provider, root: mkdtempSync(join(tmpdir(), 'flatnet-bench-homes-')), loadLab: (id) => loadLab(labDirById(id)), idleMs: 3_600_000, maxMs: 3_600_000, maxSessions: 100 });
    const { server, url } = await startServer({ sessions }, 0);
    const post = async (path: string, body: unknown) => (await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<{ id: string; token: string }>;
    const start = async () => {
      const t0 = performance.now();
      const s = await post('/api/sessions', { lab: LAB });
      for (;;) {
        const st = sessions.all.find((x) => x.id === s.id)!.state;
        if (st === 'ready') break;
        if (st === 'failed') throw new Error('a session failed to start');
        await new Promise((r) => setTimeout(r, 10));
      }
      const term = await openTerminal(url, s.id, s.token);
      await term.waitFor('$ ');
      return { ...s, term, ms: performance.now() - t0 };
    };
    try {
      const cold: number[] = [];
      for (let i = 0; i < 10; i++) {
        const s = await start();
        cold.push(s.ms);
        s.term.ws.close();
        await fetch(`${url}/api/sessions/${s.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${s.token}` } });
      }
      report({ metric: 'create → interactive terminal (cold: a new cluster)', sessions: cold.length, 'p50 ms': Math.round(pct(cold, 50)), 'p95 ms': Math.round(pct(cold, 95)) });

      // Warm: a pool of one, refilled between sessions, as a learner arriving after another sees it.
      const warmSessions = new SessionManager({ provider, root: mkdtempSync(join(tmpdir(), 'flatnet-bench-homes-')), loadLab: (id) => loadLab(labDirById(id)), idleMs: 3_600_000, maxMs: 3_600_000, maxSessions: 100, warm: 1 });
      const warmServer = await startServer({ sessions: warmSessions }, 0);
      const warm: number[] = [];
      try {
        for (let i = 0; i < 10; i++) {
          while (warmSessions.warm < 1) await new Promise((r) => setTimeout(r, 20));
          const t0 = performance.now();
          const s = (await (await fetch(`${warmServer.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ lab: LAB }) })).json()) as { id: string; token: string };
          while (warmSessions.all.find((x) => x.id === s.id)!.state !== 'ready') await new Promise((r) => setTimeout(r, 10));
          const term = await openTerminal(warmServer.url, s.id, s.token);
          await term.waitFor('$ ');
          warm.push(performance.now() - t0);
          term.ws.close();
          await fetch(`${warmServer.url}/api/sessions/${s.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${s.token}` } });
        }
      } finally {
        await warmSessions.close();
        warmServer.server.close();
      }
      report({ metric: 'create → interactive terminal (warm: from the pool)', sessions: warm.length, 'p50 ms': Math.round(pct(warm, 50)), 'p95 ms': Math.round(pct(warm, 95)) });

      const echo = async (term: Term, n: number) => {
        const times: number[] = [];
        for (let i = 0; i < n; i++) {
          const ch = String.fromCharCode(97 + (i % 26));
          const t = performance.now();
          const seen = term.waitFor(ch);
          term.ws.send(JSON.stringify({ type: 'input', data: ch }));
          await seen;
          times.push(performance.now() - t);
        }
        term.ws.send(JSON.stringify({ type: 'input', data: '\u0015' })); // ^U: clear the line
        return times;
      };
      const want = Number(process.env.BENCH_SESSIONS ?? 20);
      const live: Awaited<ReturnType<typeof start>>[] = [];
      for (let i = 0; i < want; i++) live.push(await start());
      const one = await echo(live[0]!.term, 100);
      report({ metric: 'keystroke echo, one session', keys: one.length, 'p50 ms': r1(pct(one, 50)), 'p95 ms': r1(pct(one, 95)) });
      const all: number[] = [];
      for (const s of live) all.push(...(await echo(s.term, 20)));
      report({ metric: `keystroke echo with ${live.length} sessions running`, sessions: live.length, 'p50 ms': r1(pct(all, 50)), 'p95 ms': r1(pct(all, 95)), 'max ms': r1(Math.max(...all)) });
    } finally {
      await sessions.close();
      server.close();
    }
  },
};
