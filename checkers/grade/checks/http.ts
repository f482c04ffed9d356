/**
 * @module
 * `http`: a pod GETs a URL. Static mode follows the request as the cluster would — DNS
 * (for a name), the Service's port to its pods' targetPort, then the policies — and
 * passes when every backend pod would receive it on a port it serves. The status code
 * itself is only observed in live mode.
 */
import type { PodInfo } from '../../engine/index.ts';
import type { HttpCheck } from '../../lab/check.ts';
import { formatIP, parseIP } from '../../net/ip.ts';
import type { ProbeResult } from '../../truth-table.ts';
import { lookup } from '../dns.ts';
import { describeEndpoint, expand, podTarget, type Target } from '../endpoints.ts';
import { describeProbe, probe } from '../flows.ts';
import { checkResult, type CheckResult } from '../result.ts';
import type { World } from '../world.ts';

interface Leg {
  ok: boolean;
  reason: string;
  flows: ProbeResult[];
}

export function gradeHttp(c: HttpCheck, world: World): CheckResult {
  const expected = `GET ${c.url} returns ${c.status}`;
  let url: URL;
  try {
    url = new URL(c.url);
  } catch {
    return checkResult(c, { passed: false, expected, observed: 'invalid URL', explanation: `${c.url} is not a URL` });
  }
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const froms = expand(world.cluster, c.from);
  if (froms.length === 0) return checkResult(c, { passed: false, expected, observed: 'no pod to test', explanation: `no pod matches ${describeEndpoint(c.from)}` });
  const flows: ProbeResult[] = [];
  for (const from of froms) {
    const leg = request(world, from, url.hostname.replace(/^\[|\]$/g, ''), port);
    flows.push(...leg.flows);
    if (!leg.ok) return checkResult(c, { passed: false, expected, observed: 'no response', explanation: `${from.name}: ${leg.reason}`, flows });
  }
  const first = request(world, froms[0]!, url.hostname.replace(/^\[|\]$/g, ''), port);
  return checkResult(c, {
    passed: true,
    expected,
    observed: 'request reaches the server',
    explanation: `${froms[0]!.name}: ${first.reason} (static: the status code is checked in live mode)`,
    flows,
  });
}

function request(world: World, from: Target, host: string, port: number): Leg {
  const ip = parseIP(host);
  if (ip) {
    const pod = world.cluster.podByIP.get(formatIP(ip));
    if (pod) return toPods(world, from, [pod], port, `${host} is pod ${pod.namespace}/${pod.name}`);
    const svc = world.services.find((s) => s.spec.clusterIP === host);
    if (!svc) return { ok: false, reason: `no pod or Service has address ${host}`, flows: [] };
    return viaService(world, from, svc, port, []);
  }
  const l = lookup(world, from, host);
  if (!l.dnsReachable) return { ok: false, reason: `cannot resolve ${host}: ${l.reason}`, flows: l.flows };
  if (!l.service) return { ok: false, reason: `cannot resolve ${host}: ${l.reason}`, flows: l.flows };
  return viaService(world, from, l.service, port, l.flows);
}

function viaService(world: World, from: Target, svc: World['services'][number], port: number, dnsFlows: ProbeResult[]): Leg {
  const name = `Service ${svc.metadata.namespace ?? 'default'}/${svc.metadata.name}`;
  const sp = (svc.spec.ports ?? []).find((p) => p.port === port && (p.protocol ?? 'TCP') === 'TCP');
  if (!sp) return { ok: false, reason: `${name} has no TCP port ${port}`, flows: dnsFlows };
  const sel = Object.entries(svc.spec.selector ?? {});
  const ns = svc.metadata.namespace ?? 'default';
  const pods = sel.length === 0 ? [] : world.cluster.pods.filter((p) => p.namespace === ns && sel.every(([k, v]) => p.labels[k] === v));
  if (pods.length === 0) return { ok: false, reason: `${name} has no endpoints (no pod matches its selector)`, flows: dnsFlows };
  const leg = toPods(world, from, pods, sp.targetPort ?? sp.port, `${name} port ${port}`);
  return { ...leg, flows: [...dnsFlows, ...leg.flows] };
}

function toPods(world: World, from: Target, pods: PodInfo[], targetPort: number | string, via: string): Leg {
  const flows: ProbeResult[] = [];
  for (const pod of pods) {
    const decl = pod.ports.find((p) => p.protocol === 'TCP' && (typeof targetPort === 'number' ? p.port === targetPort : p.name === targetPort));
    if (!decl) return { ok: false, reason: `${via} sends to pod ${pod.namespace}/${pod.name} on port ${targetPort}, where nothing listens (the pod declares no such containerPort)`, flows };
    const f = probe(world.cluster, from, podTarget(pod), decl.port, 'TCP');
    flows.push(f);
    if (!f.allowed) return { ok: false, reason: `${via}: ${describeProbe(f)}`, flows };
  }
  return { ok: true, reason: `${via} reaches ${pods.map((p) => `${p.namespace}/${p.name}`).join(', ')}`, flows };
}
