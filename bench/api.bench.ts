/**
 * The API server as kubectl sees it: the round trip of `kubectl get pods` (the Table request
 * kubectl sends, over HTTPS with the cluster's token) and how soon a watch hears of a change.
 * For scale, the whole `kubectl get pods` process is timed too: most of it is kubectl itself.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, daemonInfo } from '../runner/providers/local/client.ts';
import { down, downAll, up } from '../runner/providers/local/lifecycle.ts';
import { clusterDir } from '../runner/providers/local/config.ts';
import type { Bench } from './bench.ts';

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const r1 = (n: number) => Math.round(n * 10) / 10;
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

export const apiBench: Bench = {
  name: 'kubectl API',
  goal: 'kubectl get pods round trip ≤ 20 ms p50; watch event after a pod change ≤ 50 ms p50',
  async run(report) {
    process.env.FLATNET_STATE_DIR = mkdtempSync(join(tmpdir(), 'flatnet-bench-'));
    const name = 'api';
    try {
      await up(name, { stage: () => {} });
      const info = daemonInfo(name)!;
      const pki = join(clusterDir(name), 'pki');
      const agent = new Agent({ keepAlive: true, ca: readFileSync(join(pki, 'ca.crt')) });
      const token = readFileSync(join(pki, 'token'), 'utf8').trim();
      const send = (method: string, path: string, accept: string, body?: unknown, onData?: (chunk: string) => void) =>
        new Promise<string>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port: info.apiPort, method, path, agent, headers: { authorization: `Bearer ${token}`, accept, ...(body ? { 'content-type': 'application/merge-patch+json' } : {}) } }, (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (onData ? onData(c) : (text += c)));
            res.on('end', () => resolve(text));
          });
          req.on('error', reject);
          req.end(body ? JSON.stringify(body) : undefined);
        });

      const pods = Array.from({ length: 10 }, (_, i) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: 'default', labels: { app: 'web' } }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox:1.36', args: ['sleep', '3600'] }] } }));
      await call(name, 'POST', '/apply', { objects: pods });
      await call(name, 'POST', '/settle');

      const get: number[] = [];
      for (let i = 0; i < 300; i++) {
        const t = performance.now();
        await send('GET', '/api/v1/namespaces/default/pods?limit=500', TABLE);
        if (i >= 20) get.push(performance.now() - t); // after warm-up
      }
      report({ metric: 'GET pods as a Table (kubectl get pods), 10 pods', requests: get.length, 'p50 ms': r1(pct(get, 50)), 'p95 ms': r1(pct(get, 95)) });

      const whole: number[] = [];
      const env = { ...process.env, KUBECONFIG: info.kubeconfig, KUBECACHEDIR: join(clusterDir(name), 'kube-cache') };
      for (let i = 0; i < 8; i++) {
        const t = performance.now();
        const r = spawnSync('kubectl', ['get', 'pods'], { env, encoding: 'utf8' });
        if (r.status !== 0) break; // no kubectl here: the row is left out
        if (i > 0) whole.push(performance.now() - t);
      }
      if (whole.length) report({ metric: 'the kubectl get pods process, end to end (for scale)', runs: whole.length, 'p50 ms': r1(pct(whole, 50)) });

      // A watch, then label changes: from sending the PATCH to the MODIFIED event arriving.
      let heard: (() => void) | undefined;
      let buffered = '';
      const watching = send('GET', '/api/v1/namespaces/default/pods?watch=true&fieldSelector=metadata.name%3Dp0', 'application/json', undefined, (chunk) => {
        buffered += chunk;
        if (buffered.includes('"MODIFIED"')) {
          buffered = '';
          heard?.();
        }
      });
      await new Promise((r) => setTimeout(r, 200)); // past the initial ADDED
      buffered = '';
      const events: number[] = [];
      for (let i = 0; i < 50; i++) {
        const t = performance.now();
        const got = new Promise<void>((r) => (heard = r));
        await send('PATCH', '/api/v1/namespaces/default/pods/p0', 'application/json', { metadata: { labels: { n: String(i) } } });
        await got;
        events.push(performance.now() - t);
      }
      report({ metric: 'watch event after a pod change (PATCH → MODIFIED)', events: events.length, 'p50 ms': r1(pct(events, 50)), 'p95 ms': r1(pct(events, 95)) });
      agent.destroy();
      void watching.catch(() => {});
      await down(name);
    } finally {
      await downAll();
    }
  },
};
