/**
 * @module
 * Live grading: the same checks and the same result type as static grading, decided in a
 * running cluster through a LiveProber (live.ts says how each kind maps onto it). The static
 * world is still built: it says which pods a check stands for, and its verdicts are the
 * evidence shown next to what the packets did ("the policies: ..."). Isomorphic, like the
 * static grader: the provider behind the prober is the only part that touches a cluster.
 */
import type { Protocol } from '../engine/index.ts';
import { hostMatches } from '../ingress/routes.ts';
import type { AppliedCheck, DnsCheck, HttpCheck, ResourceCheck, RouteCheck } from '../lab/check.ts';
import type { LabBundle, SourceText } from '../lab/sources.ts';
import type { ProbeResult } from '../truth-table.ts';
import { applyAnswer, gradeApplied, type Applied } from './checks/applied.ts';
import { ciliumView } from './cilium.ts';
import { gradeReach, reachFlows } from './checks/reach.ts';
import { gradeResource } from './checks/resource.ts';
import { gradeRoute, requestOf, routeExpectation } from './checks/route.ts';
import { describeEndpoint, expand, type Target } from './endpoints.ts';
import { probe } from './flows.ts';
import { findTask, result, skippedResult, startLayers } from './grade.ts';
import type { LiveFlow, LiveProber, PodRef } from './live.ts';
import { checkResult, type CheckResult, type GradeResult } from './result.ts';
import { buildWorld, type World } from './world.ts';

/** What the grader must know of the cluster's CNI, where it reads policies unlike the spec. */
export interface LiveOptions {
  /** false on Cilium: an ipBlock peer does not match traffic between pods (cilium.ts). */
  ipBlockMatchesPods?: boolean;
}

/** Applies `answer` in the prober's cluster (already in the task's start state) and grades it there. */
export async function gradeLive(bundle: LabBundle, taskId: string | undefined, answer: SourceText, prober: LiveProber, opts: LiveOptions = {}): Promise<GradeResult> {
  const { task, index } = findTask(bundle, taskId);
  const layers = startLayers(bundle, index);
  buildWorld(layers);
  const appliedCheck = task.checks.find((c): c is AppliedCheck => c.kind === 'applied');
  let applied: Applied = applyAnswer(answer, appliedCheck, layers);
  if (applied.ok) {
    // The API server has the last word: what it refuses fails here, whatever the engine thought.
    const r = await prober.apply(answer.text, answer.file);
    if (!r.ok) applied = { ok: false, problems: r.problems };
  }
  const measured = applied.ok ? await measureReach(task.checks, applied.world, prober) : new Map<string, ProbeResult>();
  // The evidence reads the answer as this CNI enforces it, so it explains what the packets did.
  let evidence = applied;
  let note = '';
  if (applied.ok && opts.ipBlockMatchesPods === false) {
    const view = ciliumView(answer.text, [...buildWorld(layers).cluster.podByIP.keys()]);
    const read = view.changed ? applyAnswer({ ...answer, text: view.text }, appliedCheck, layers) : undefined;
    if (read?.ok) {
      evidence = read;
      note = ' (read as this CNI enforces it: an ipBlock does not match traffic between pods)';
    }
  }
  const checks: CheckResult[] = [];
  for (const c of task.checks) {
    if (c.kind === 'applied') checks.push(gradeApplied(c, applied));
    else if (!applied.ok) checks.push(skippedResult(c));
    else if (c.kind === 'reach') {
      const world = evidence.ok ? evidence.world : applied.world;
      const engine = (from: Target, to: Target, port: number, protocol: Protocol, side: 'egress' | 'ingress' | undefined) => {
        const p = probe(world.cluster, from, to, port, protocol, side);
        return note ? { ...p, reason: `${p.reason}${note}` } : p;
      };
      checks.push(gradeReach(c, world, (from, to, port, protocol, side) => combine(engine(from, to, port, protocol, side), measured.get(key(from, to, port, protocol)), side)));
    } else if (c.kind === 'dns') checks.push(await liveDns(c, applied.world, prober));
    else if (c.kind === 'http') checks.push(await liveHttp(c, applied.world, prober));
    else if (c.kind === 'route') checks.push(await liveRoute(c, applied.world, prober));
    else checks.push(await liveResource(c, applied.world, prober));
  }
  return result(bundle, task, checks, applied.ok ? applied.world.warnings : [], 'live');
}

const key = (from: Target, to: Target, port: number, protocol: Protocol) => `${from.name} ${to.name} ${protocol}/${port}`;
const ref = (t: Target): PodRef => ({ namespace: t.pod!.namespace, name: t.pod!.name });

/** Every flow of every reach check, probed in one batch (the prober runs them in parallel). */
async function measureReach(checks: readonly { kind: string }[], world: World, prober: LiveProber): Promise<Map<string, ProbeResult>> {
  const wanted = new Map<string, LiveFlow>();
  for (const c of checks) {
    if (c.kind !== 'reach') continue;
    const reach = c as Parameters<typeof reachFlows>[0];
    for (const f of reachFlows(reach, world)) {
      if (!f.from.pod) continue; // from an outside address: nothing to send it from
      wanted.set(key(f.from, f.to, reach.port, f.protocol), { from: ref(f.from), to: f.to.pod ? ref(f.to) : { ip: f.to.name }, port: reach.port, protocol: f.protocol });
    }
  }
  const keys = [...wanted.keys()];
  const results = keys.length ? await prober.probe([...wanted.values()]) : [];
  return new Map(keys.map((k, i) => [k, results[i]!]));
}

/**
 * A flow's verdict: the packet's, with the engine's reasoning as evidence. Where no packet
 * could say (outside addresses, SCTP, one side of a flow), the engine decides, and says so.
 */
export function combine(engine: ProbeResult, live: ProbeResult | undefined, side: 'egress' | 'ingress' | undefined): ProbeResult {
  const because = engine.reason.replace(/^(allowed|denied): /, '');
  if (side) return { ...engine, reason: `${engine.reason} (one side of a flow cannot be measured alone: decided by the policies)` };
  if (!live || live.allowed === null) return { ...engine, reason: `${engine.reason} (not measured: ${live?.reason ?? 'no probe'}; decided by the policies)` };
  const verdict = live.allowed ? 'allowed' : 'denied';
  const agree = live.allowed === engine.allowed;
  return { ...engine, allowed: live.allowed, reason: `${verdict}: measured, ${live.reason}; ${agree ? 'the policies' : 'yet the policies say'}: ${because}` };
}

async function liveDns(c: DnsCheck, world: World, prober: LiveProber): Promise<CheckResult> {
  const target = c.resolvesTo ? `Service ${c.resolvesTo.namespace}/${c.resolvesTo.service}` : 'a Service';
  const expected = c.expect === 'resolves' ? `${c.name} resolves to ${target}` : `${c.name} does not resolve`;
  const froms = expand(world.cluster, c.from).filter((f) => f.pod);
  if (froms.length === 0) return checkResult(c, { passed: false, expected, observed: 'no pod to test', explanation: `no pod matches ${describeEndpoint(c.from)}` });
  const svc = c.resolvesTo ? await prober.getObject('Service', c.resolvesTo.namespace, c.resolvesTo.service) : undefined;
  const want = (svc?.spec as { clusterIP?: string } | undefined)?.clusterIP;
  for (const from of froms) {
    const r = await prober.resolve(ref(from), c.name);
    const addresses = 'addresses' in r ? r.addresses : [];
    const resolves = addresses.length > 0 && (!c.resolvesTo || (want !== undefined && (want === 'None' || addresses.includes(want))));
    const observed = 'error' in r ? `lookup fails (${r.error})` : `resolves to ${addresses.join(', ')}`;
    const ok = c.expect === 'resolves' ? resolves : addresses.length === 0;
    if (!ok) {
      const why = c.expect === 'resolves' && addresses.length > 0 ? `, not to ${target} (${want ?? 'no such Service'})` : '';
      return checkResult(c, { passed: false, expected, observed, explanation: `${from.name}: looked up ${c.name}: ${observed}${why}` });
    }
  }
  return checkResult(c, { passed: true, expected, observed: c.expect === 'resolves' ? `resolves (${froms.length} ${froms.length === 1 ? 'pod' : 'pods'})` : 'lookup fails', explanation: `${froms[0]!.name}: looked up ${c.name} in the cluster${want ? ` and got ${target}'s ${want}` : ''}` });
}

async function liveHttp(c: HttpCheck, world: World, prober: LiveProber): Promise<CheckResult> {
  const expected = `GET ${c.url} returns ${c.status}`;
  const froms = expand(world.cluster, c.from).filter((f) => f.pod);
  if (froms.length === 0) return checkResult(c, { passed: false, expected, observed: 'no pod to test', explanation: `no pod matches ${describeEndpoint(c.from)}` });
  for (const from of froms) {
    const r = await prober.httpGet(ref(from), c.url);
    const observed = 'error' in r ? `no response (${r.error})` : `status ${r.status}`;
    if ('error' in r || r.status !== c.status) return checkResult(c, { passed: false, expected, observed, explanation: `${from.name}: GET ${c.url}: ${observed}` });
  }
  return checkResult(c, { passed: true, expected, observed: `status ${c.status}`, explanation: `${froms[0]!.name}: GET ${c.url} answered ${c.status}` });
}

/**
 * The request is sent for real; the controller's access log names the pod that answered, and
 * the expected Service's Endpoints say whether it is one of its. The static verdict is the
 * evidence: the rule that matched and the policies between the controller and the pods.
 */
async function liveRoute(c: RouteCheck, world: World, prober: LiveProber): Promise<CheckResult> {
  const expected = routeExpectation(c);
  const evidence = gradeRoute(c, world);
  const because = evidence.passed ? '' : ` (the rules say: ${evidence.explanation})`;
  const fail = (observed: string, explanation: string) => checkResult(c, { passed: false, expected, observed, explanation: `${explanation}${because}`, flows: evidence.flows });
  const r = await prober.ingressRequest(c.url);
  if ('error' in r) return fail('no response', `GET ${c.url} from outside the cluster: ${r.error}`);
  const answered = `status ${r.status} from ${r.addr ?? 'the controller itself'} [${r.upstream}]`;
  const { host, tls } = requestOf(c.url);
  if (!c.reaches) {
    return r.addr === undefined && r.status === 404
      ? checkResult(c, { passed: true, expected, observed: '404', explanation: `GET ${c.url}: the controller answered 404 itself: no rule matched`, flows: evidence.flows })
      : fail(answered, `GET ${c.url}: ${answered}, where no rule should match`);
  }
  if (tls && !(r.certificate ?? []).some((n) => hostMatches(n.toLowerCase(), host))) {
    return fail('the certificate does not name the host', `GET ${c.url}: the controller served a certificate for ${(r.certificate ?? []).join(', ') || 'no name'}, not for ${host}`);
  }
  const want = `Service ${c.reaches.namespace}/${c.reaches.service}`;
  if (r.addr === undefined) return fail(answered, `GET ${c.url}: ${answered}: no pod answered, where ${want}'s should`);
  const ep = await prober.getObject('Endpoints', c.reaches.namespace, c.reaches.service);
  const ips = ((ep?.subsets ?? []) as { addresses?: { ip: string }[] }[]).flatMap((s) => (s.addresses ?? []).map((a) => a.ip));
  const ip = r.addr.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  if (!ips.includes(ip)) return fail(answered, `GET ${c.url}: ${answered}, which is not a pod of ${want} (${ips.join(', ') || 'it has no endpoints'})`);
  return checkResult(c, { passed: true, expected, observed: `reaches ${c.reaches.namespace}/${c.reaches.service}`, explanation: `GET ${c.url} from outside: ${answered}, a pod of ${want}${tls ? `, with a certificate for ${host}` : ''}`, flows: evidence.flows });
}

async function liveResource(c: ResourceCheck, world: World, prober: LiveProber): Promise<CheckResult> {
  const ns = c.object.kind === 'Namespace' ? undefined : (c.object.namespace ?? 'default');
  const obj = await prober.getObject(c.object.kind, ns, c.object.name);
  // The same comparison as static mode, over what the cluster holds.
  return gradeResource(c, { ...world, objects: obj ? [obj] : [] });
}
