/**
 * The local cluster's speed and size: up → ready, pod create → Running, a live probe
 * matrix, and memory per idle pod. Runs real clusters in a temporary state folder.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call } from '../runner/providers/local/client.ts';
import { down, downAll, up } from '../runner/providers/local/lifecycle.ts';
import { clusterDir } from '../runner/providers/local/config.ts';
import type { ProbeResult } from '../checkers/truth-table.ts';
import type { Bench } from './bench.ts';

const quiet = { stage: () => {} };
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const r1 = (n: number) => Math.round(n * 10) / 10;

function pod(ns: string, name: string, image: string, args?: string[], ports: { containerPort: number; protocol: string }[] = []) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels: { pod: name } }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image, ...(args ? { args } : {}), ports }] } };
}

async function untilReady(name: string, count: number): Promise<Record<string, number>> {
  for (;;) {
    const { latencies } = await call<{ latencies: Record<string, number> }>(name, 'GET', '/ready-latencies');
    if (Object.keys(latencies).length >= count) return latencies;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Proportional set size of the processes under `pid`, in kB: shared pages counted once. */
function pss(pid: number): number {
  let total = 0;
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift()!;
    try {
      total += Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
      queue.push(...readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

export const clusterBench: Bench = {
  name: 'local cluster',
  goal: 'ready ≤ 1 s; pod Running ≤ 150 ms p50; policy change ≤ 100 ms; 9-pod × 80,81 × TCP,UDP live matrix ≤ 3 s; ≤ 15 MB per idle pod',
  async run(report) {
    process.env.FLATNET_STATE_DIR = mkdtempSync(join(tmpdir(), 'flatnet-bench-'));
    try {
      await measure(report);
    } finally {
      await downAll(); // this run's state folder only: every cluster it started, even after a failure
    }
  },
};

async function measure(report: (row: Record<string, string | number>) => void): Promise<void> {
    const ups: number[] = [];
    const daemon: number[] = [];
    for (let i = 0; i < 3; i++) {
      ups.push(await up(`b${i}`, quiet));
      daemon.push((await call<{ readyAfterMs: number }>(`b${i}`, 'GET', '/status')).readyAfterMs);
      if (i < 2) await down(`b${i}`);
    }
    report({ metric: 'cluster up → ready (CLI, incl. starting Node)', 'p50 ms': Math.round(pct(ups, 50)), runs: ups.map(Math.round).join(' ') });
    report({ metric: 'cluster process start → ready', 'p50 ms': Math.round(pct(daemon, 50)), runs: daemon.join(' ') });
    const name = 'b2';
    try {
      // One at a time: the latency a learner sees for `kubectl run`.
      for (let i = 0; i < 50; i++) {
        await call(name, 'POST', '/apply', { objects: [pod('default', `seq-${i}`, 'busybox:1.36', ['sleep', '3600'])] });
        await untilReady(name, 2 + i + 1);
      }
      const lat = Object.entries(await untilReady(name, 52)).filter(([k]) => k.startsWith('default/seq-')).map(([, v]) => v);
      report({ metric: 'pod create → Running (one at a time)', pods: lat.length, 'p50 ms': r1(pct(lat, 50)), 'p95 ms': r1(pct(lat, 95)) });

      const { pid } = JSON.parse(readFileSync(join(clusterDir(name), 'daemon.json'), 'utf8')) as { pid: number };
      // The daemon's own heap is not the pods': measure its children only.
      const kids = () => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number).reduce((n, k) => n + pss(k), 0);
      const before = kids();
      await call(name, 'POST', '/apply', { objects: Array.from({ length: 20 }, (_, i) => pod('default', `idle-${i}`, 'busybox:1.36', ['sleep', '3600'])) });
      const burst = Object.entries(await untilReady(name, 72)).filter(([k]) => k.startsWith('default/idle-')).map(([, v]) => v);
      report({ metric: 'pod create → Running (20 at once)', pods: burst.length, 'p50 ms': r1(pct(burst, 50)), 'p95 ms': r1(pct(burst, 95)) });
      await new Promise((r) => setTimeout(r, 500));
      report({ metric: 'memory per idle pod (PSS)', 'MB': r1((kids() - before) / 20 / 1024) });

      const ports = [80, 81].flatMap((p) => ['TCP', 'UDP'].map((protocol) => ({ containerPort: p, protocol })));
      const nss = ['x', 'y', 'z'];
      await call(name, 'POST', '/apply', { objects: nss.map((n) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } })) });
      await call(name, 'POST', '/apply', { objects: nss.flatMap((n) => ['a', 'b', 'c'].map((p) => pod(n, p, 'registry.k8s.io/e2e-test-images/agnhost:2.52', undefined, ports))) });
      await untilReady(name, 81);
      await call(name, 'POST', '/apply', {
        objects: [{ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'y' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } }],
      });
      await call(name, 'POST', '/settle');
      // A policy change, from the store to the kernel: apply, then wait until the rules are loaded.
      const changes: number[] = [];
      for (let i = 0; i < 10; i++) {
        const t0 = performance.now();
        await call(name, 'POST', '/apply', {
          objects: [{ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `change-${i}`, namespace: 'z' }, spec: { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ port: 80 + (i % 2) }] }] } }],
        });
        await call(name, 'POST', '/settle');
        changes.push(performance.now() - t0);
      }
      report({ metric: 'policy change → in the kernel', 'p50 ms': r1(pct(changes, 50)), 'max ms': r1(Math.max(...changes)) });
      const keys = nss.flatMap((n) => ['a', 'b', 'c'].map((p) => ({ namespace: n, name: p })));
      const flows = keys.flatMap((from) => keys.filter((to) => to !== from).flatMap((to) => [80, 81].flatMap((port) => (['TCP', 'UDP'] as const).map((protocol) => ({ from, to, port, protocol })))));
      const t = performance.now();
      const { results } = await call<{ results: ProbeResult[] }>(name, 'POST', '/probe', { flows });
      const ms = performance.now() - t;
      report({ metric: 'live matrix 9 pods × 80,81 × TCP,UDP', flows: results.length, allowed: results.filter((r) => r.allowed).length, ms: Math.round(ms) });
    } finally {
      await down(name);
    }
}
