/**
 * What crossing nodes costs, per pod network mode (issue 10): a 3-node cluster up → ready,
 * then from a pod on one worker, ping round-trip time and a bounded TCP transfer to a pod on
 * the same node (the baseline, measured in the same cluster) and to one on the other worker.
 * Everything stays inside the cluster's sandbox.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call } from '../runner/providers/local/client.ts';
import { down, downAll, up } from '../runner/providers/local/lifecycle.ts';
import { NETWORK_MODES, nodeName } from '../runner/providers/local/topology.ts';
import type { Bench } from './bench.ts';

const quiet = { stage: () => {} };
/** The bounded transfer: 64 MiB, so a slow mode still finishes in seconds. */
const MIB = 64;

function pod(name: string, node: string, image: string, args: string[]) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName: node, terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image, args }] } };
}

/** A web server with one MIB-MiB file to download. */
const server = (name: string, node: string) => pod(name, node, 'busybox:1.36', ['sh', '-c', `mkdir -p /www && dd if=/dev/zero of=/www/blob bs=1048576 count=${MIB} 2>/dev/null && exec httpd -f -p 8080 -h /www`]);

async function exec(cluster: string, pod: string, script: string): Promise<string> {
  const r = await call<{ code: number; stdout: string; stderr: string }>(cluster, 'POST', '/exec', { namespace: 'default', name: pod, argv: ['sh', '-c', script], timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`${pod}: ${script}: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

async function podIP(cluster: string, name: string): Promise<string> {
  for (;;) {
    const { objects } = await call<{ objects: { metadata: { name: string }; status?: { podIP?: string; phase?: string } }[] }>(cluster, 'GET', '/objects?resource=pods&namespace=default');
    const p = objects.find((o) => o.metadata.name === name);
    if (p?.status?.phase === 'Running' && p.status.podIP) return p.status.podIP;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Average ping RTT in ms (busybox: "round-trip min/avg/max = a/b/c ms"). */
async function rtt(cluster: string, to: string): Promise<number> {
  const out = await exec(cluster, 'client', `ping -q -c 50 -i 0.02 ${to}`);
  return Number(/= [\d.]+\/([\d.]+)\//.exec(out)?.[1]);
}

/** MiB/s of an HTTP download of MIB MiB (busybox httpd serving a file), as curl measures it in the client pod: the median of three. */
async function throughput(cluster: string, sink: string, to: string): Promise<number> {
  const speeds: number[] = [];
  for (let i = 0; i < 3; i++) {
    const out = await exec(cluster, 'client', `curl -s -o /dev/null -w '%{size_download} %{speed_download}' http://${to}:8080/blob`);
    const [size, speed] = out.trim().split(' ').map(Number) as [number, number];
    if (size !== MIB * 1024 * 1024) throw new Error(`the download from ${sink} (${to}) delivered ${size} bytes of ${MIB * 1024 * 1024}`);
    speeds.push(speed / (1024 * 1024));
  }
  return speeds.sort((a, b) => a - b)[1]!;
}

export const overlayBench: Bench = {
  name: 'multi-node local cluster',
  goal: '3 nodes up → ready per mode; cross-node vs same-node (baseline, same cluster) ping RTT and 64 MiB HTTP download throughput, per mode',
  async run(report) {
    process.env.FLATNET_STATE_DIR = mkdtempSync(join(tmpdir(), 'flatnet-bench-overlay-'));
    try {
      for (const network of NETWORK_MODES) {
        const name = `ov-${network}`;
        const ms = await up(name, quiet, { nodes: 3, network });
        const [w1, w2] = [nodeName(name, 1), nodeName(name, 2)];
        await call(name, 'POST', '/apply', {
          objects: [pod('client', w2, 'curlimages/curl:8.11.1', ['sleep', '3600']), server('near', w2), server('far', w1)],
        });
        const [nearIP, farIP] = [await podIP(name, 'near'), await podIP(name, 'far')];
        await podIP(name, 'client');
        const [nearRtt, farRtt] = [await rtt(name, nearIP), await rtt(name, farIP)];
        const [nearBw, farBw] = [await throughput(name, 'near', nearIP), await throughput(name, 'far', farIP)];
        report({
          mode: network,
          'up → ready ms': Math.round(ms),
          'same-node rtt ms': nearRtt,
          'cross-node rtt ms': farRtt,
          'same-node MiB/s': Math.round(nearBw),
          'cross-node MiB/s': Math.round(farBw),
          'cross/same throughput': `${Math.round((farBw / nearBw) * 100)}%`,
        });
        await down(name);
      }
    } finally {
      await downAll();
    }
  },
};
