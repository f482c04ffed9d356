/**
 * @module
 * Live probes: real packets from inside the source pod, the way the upstream netpol e2e
 * tests probe (one connection attempt per flow, a short timeout, dropped = denied). The
 * results are ProbeResults, the same type the engine produces, so the two compare cell by
 * cell.
 */
import type { Protocol } from '../../../../checkers/engine/index.ts';
import type { ProbeResult } from '../../../../checkers/truth-table.ts';
import type { Cluster } from '../daemon.ts';

export interface LiveFlow {
  from: { namespace: string; name: string };
  /** A pod, or an address. */
  to: { namespace: string; name: string } | { ip: string };
  port: number;
  protocol: Protocol;
}

const TIMEOUT_S = 1;
const CONCURRENCY = 24;

export async function probeFlows(c: Cluster, flows: LiveFlow[]): Promise<ProbeResult[]> {
  const out: ProbeResult[] = new Array(flows.length);
  let next = 0;
  const worker = async () => {
    while (next < flows.length) {
      const i = next++;
      out[i] = await probeOne(c, flows[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, flows.length) }, worker));
  return out;
}

async function probeOne(c: Cluster, f: LiveFlow): Promise<ProbeResult> {
  const fromName = `${f.from.namespace}/${f.from.name}`;
  const base = { from: fromName, port: f.port, protocol: f.protocol };
  let ip: string;
  let toName: string;
  if ('ip' in f.to) {
    ip = f.to.ip;
    toName = ip;
  } else {
    toName = `${f.to.namespace}/${f.to.name}`;
    const pod = c.store.get('pods', f.to.namespace, f.to.name);
    const podIP = pod?.status?.podIP as string | undefined;
    if (!podIP) return { ...base, to: toName, allowed: null, reason: `${toName} has no address (not running)` };
    ip = podIP;
  }
  const inCluster = [...c.store.list('pods')].some((p) => ((p.status?.podIPs as { ip: string }[] | undefined) ?? []).some((x) => x.ip === ip));
  if (!inCluster) return { ...base, to: toName, allowed: null, reason: `${ip} is outside the cluster: flatnet never sends test traffic out of the sandbox` };
  if (f.protocol === 'SCTP') return { ...base, to: toName, allowed: null, reason: 'SCTP unsupported by this kernel' };
  let target;
  try {
    target = c.kubelet.container(f.from.namespace, f.from.name);
  } catch (e) {
    return { ...base, to: toName, allowed: null, reason: `cannot probe from ${fromName}: ${(e as Error).message}` };
  }
  const host = ip.includes(':') ? `[${ip}]` : ip;
  if (f.protocol === 'TCP') {
    const r = await c.runtime.execCollect(target.running, ['curl', '-s', '-o', '/dev/null', '--connect-timeout', String(TIMEOUT_S), '-m', String(TIMEOUT_S + 1), `http://${host}:${f.port}/`], (TIMEOUT_S + 3) * 1000);
    if (r.code === 28) return { ...base, to: toName, allowed: false, reason: `TCP connect to ${ip}:${f.port} timed out (dropped)` };
    if (r.code === 7) return { ...base, to: toName, allowed: true, reason: `connection refused by ${ip}:${f.port}: the packet got through, nothing listens` };
    return { ...base, to: toName, allowed: true, reason: `connected to ${ip}:${f.port}` };
  }
  // UDP has no handshake: allowed means the server's answer came back. Port 53 gets a real DNS query.
  const argv =
    f.port === 53
      ? ['nslookup', '-timeout=1', '-retry=0', 'kubernetes.default.svc.cluster.local', ip]
      : ['sh', '-c', `echo flatnet-probe | socat -T${TIMEOUT_S} - UDP:${host}:${f.port}`];
  const r = await c.runtime.execCollect(target.running, argv, (TIMEOUT_S + 3) * 1000);
  const answered = f.port === 53 ? /Name:|NXDOMAIN|can't find/.test(r.stdout) && !/timed out/.test(r.stdout) : r.stdout.trim().length > 0;
  return answered
    ? { ...base, to: toName, allowed: true, reason: `UDP ${ip}:${f.port} answered` }
    : { ...base, to: toName, allowed: false, reason: `no UDP answer from ${ip}:${f.port} within ${TIMEOUT_S}s (dropped)` };
}
