/**
 * @module
 * Live probes: real packets from inside the source pod, the way the upstream netpol e2e
 * tests probe (one connection attempt per flow, a short timeout, dropped = denied). Each
 * source pod is entered once and its agnhost runs all its probes in parallel; results are
 * ProbeResults, the type the engine produces, so the two compare cell by cell.
 */
import type { Protocol } from '../../../../checkers/engine/index.ts';
import type { ProbeResult } from '../../../../checkers/truth-table.ts';
import { agentOf, type Cluster } from '../daemon.ts';

export interface LiveFlow {
  from: { namespace: string; name: string };
  /** A pod, or an address. */
  to: { namespace: string; name: string } | { ip: string };
  port: number;
  protocol: Protocol;
}

/** Inside the sandbox a reply takes microseconds, across nodes too; a second is generous even on a busy machine. */
const TIMEOUT_MS = 1000;

export async function probeFlows(c: Cluster, flows: LiveFlow[]): Promise<ProbeResult[]> {
  const out: ProbeResult[] = new Array(flows.length);
  const bySource = new Map<string, { i: number; f: LiveFlow; ip: string; toName: string }[]>();
  const podIPs = new Set(c.store.list('pods').flatMap((p) => ((p.status?.podIPs as { ip: string }[] | undefined) ?? []).map((x) => x.ip)));
  flows.forEach((f, i) => {
    const base = { from: `${f.from.namespace}/${f.from.name}`, port: f.port, protocol: f.protocol };
    const toName = 'ip' in f.to ? f.to.ip : `${f.to.namespace}/${f.to.name}`;
    const ip = 'ip' in f.to ? f.to.ip : (c.store.get('pods', f.to.namespace, f.to.name)?.status?.podIP as string | undefined);
    if (!ip) return void (out[i] = { ...base, to: toName, allowed: null, reason: `${toName} has no address (not running)` });
    if (!podIPs.has(ip)) return void (out[i] = { ...base, to: toName, allowed: null, reason: `${ip} is outside the cluster: flatnet never sends test traffic out of the sandbox` });
    if (f.protocol === 'SCTP') return void (out[i] = { ...base, to: toName, allowed: null, reason: 'SCTP unsupported by this kernel' });
    const list = bySource.get(base.from) ?? [];
    list.push({ i, f, ip, toName });
    bySource.set(base.from, list);
  });
  await Promise.all(
    [...bySource].map(async ([from, list]) => {
      const [namespace, name] = from.split('/') as [string, string];
      let target, runtime;
      try {
        const agent = agentOf(c, namespace, name);
        runtime = agent.runtime;
        target = agent.kubelet.container(namespace, name);
      } catch (e) {
        for (const p of list) out[p.i] = { from, to: p.toName, port: p.f.port, protocol: p.f.protocol, allowed: null, reason: `cannot probe from ${from}: ${(e as Error).message}` };
        return;
      }
      // One agnhost process probes everything from this pod at once (agnhost.c).
      const input = list.map((p, k) => `${k} ${p.f.protocol} ${p.ip} ${p.f.port}`).join('\n');
      const r = await runtime.execCollect(target.running, ['/agnhost', 'probe', String(TIMEOUT_MS)], TIMEOUT_MS + 10_000, `${input}\n`);
      const codes = new Map<number, number>();
      for (const m of r.stdout.matchAll(/^(\d+) (\d+)$/gm)) codes.set(Number(m[1]), Number(m[2]));
      const failure = codes.size === 0 ? (r.stderr || r.stdout).trim().split('\n').at(-1) : undefined;
      list.forEach((p, k) => (out[p.i] = verdict(from, p.toName, p.ip, p.f, codes.get(k), failure)));
    }),
  );
  return out;
}

function verdict(from: string, to: string, ip: string, f: LiveFlow, code: number | undefined, failure?: string): ProbeResult {
  const base = { from, to, port: f.port, protocol: f.protocol };
  if (code === undefined) return { ...base, allowed: null, reason: `the probe did not report back${failure ? `: ${failure}` : ''}` };
  if (f.protocol === 'TCP') {
    if (code === 28) return { ...base, allowed: false, reason: `TCP connect to ${ip}:${f.port} timed out (dropped)` };
    if (code === 7) return { ...base, allowed: true, reason: `connection refused by ${ip}:${f.port}: the packet got through, nothing listens` };
    if (code !== 0) return { ...base, allowed: null, reason: `the TCP probe to ${ip}:${f.port} failed in an unexpected way (exit ${code})` };
    return { ...base, allowed: true, reason: `connected to ${ip}:${f.port}` };
  }
  return code === 0
    ? { ...base, allowed: true, reason: `UDP ${ip}:${f.port} answered` }
    : code === 7
      ? { ...base, allowed: true, reason: `UDP ${ip}:${f.port} reached, but nothing listens (port unreachable)` }
      : { ...base, allowed: false, reason: `no UDP answer from ${ip}:${f.port} within ${TIMEOUT_MS / 1000}s (dropped)` };
}
