/**
 * @module
 * `reach`: every flow the check expands to (each source pod × each destination, on
 * one protocol or all of them) must be allowed, or denied, by the policies.
 */
import type { Protocol } from '../../engine/index.ts';
import { PROTOCOLS } from '../../k8s/schema/network-policy.ts';
import type { ReachCheck } from '../../lab/check.ts';
import type { ProbeResult } from '../../truth-table.ts';
import { describeEndpoint, expand, type Target } from '../endpoints.ts';
import { describeProbe, probe, type Side } from '../flows.ts';
import { checkResult, type CheckResult } from '../result.ts';
import type { World } from '../world.ts';

/** How one flow is decided: by the engine (static), or by a packet (live, measured beforehand). */
export type Measure = (from: Target, to: Target, port: number, protocol: Protocol, side: Side) => ProbeResult;

/** The flows a reach check looks at, in the order gradeReach measures them. */
export function reachFlows(c: ReachCheck, world: World): { from: Target; to: Target; protocol: Protocol }[] {
  const protocols: readonly Protocol[] = c.protocol === 'any' ? PROTOCOLS : [c.protocol];
  const out: { from: Target; to: Target; protocol: Protocol }[] = [];
  for (const from of expand(world.cluster, c.from)) {
    for (const to of expand(world.cluster, c.to)) {
      if (from.pod && from.pod === to.pod) continue;
      for (const protocol of protocols) out.push({ from, to, protocol });
    }
  }
  return out;
}

export function gradeReach(c: ReachCheck, world: World, measure: Measure = (from, to, port, protocol, side) => probe(world.cluster, from, to, port, protocol, side)): CheckResult {
  const froms = expand(world.cluster, c.from);
  const tos = expand(world.cluster, c.to);
  const protocols: readonly Protocol[] = c.protocol === 'any' ? PROTOCOLS : [c.protocol];
  const want = c.expect === 'allowed';
  const flows: ProbeResult[] = [];
  const bad: ProbeResult[] = [];
  let pairs = 0;
  for (const from of froms) {
    for (const to of tos) {
      if (from.pod && from.pod === to.pod) continue;
      pairs++;
      const probes = protocols.map((p) => measure(from, to, c.port, p, c.side));
      flows.push(...probes);
      // With protocol any, a pair is "allowed" when some protocol gets through.
      const allowed = probes.some((p) => p.allowed);
      if (allowed !== want) bad.push(...probes.filter((p) => p.allowed !== want).slice(0, want ? 1 : undefined));
    }
  }
  const what = `${c.protocol === 'any' ? 'any protocol' : c.protocol} ${c.port}${c.side ? ` (${c.side} side only)` : ''}`;
  const expected = `${describeEndpoint(c.from)} -> ${describeEndpoint(c.to)} on ${what}: ${c.expect}`;
  if (pairs === 0) {
    return checkResult(c, { passed: false, expected, observed: 'no flow to test', explanation: `no pod matches ${describeEndpoint(pairsMissing(froms.length, c))}`, flows });
  }
  if (bad.length === 0) {
    const first = flows.find((f) => f.allowed === want) ?? flows[0]!;
    return checkResult(c, { passed: true, expected, observed: `${c.expect} (${pairs} of ${pairs} ${pairs === 1 ? 'flow' : 'flows'})`, explanation: describeProbe(first), flows });
  }
  const badPairs = new Set(bad.map((b) => `${b.from}|${b.to}`)).size;
  const more = badPairs > 1 ? ` (and ${badPairs - 1} more ${badPairs === 2 ? 'flow' : 'flows'})` : '';
  return checkResult(c, {
    passed: false,
    expected,
    observed: `${want ? 'denied' : 'allowed'} (${badPairs} of ${pairs} ${pairs === 1 ? 'flow' : 'flows'})`,
    explanation: describeProbe(bad[0]!) + more,
    flows,
  });
}

function pairsMissing(froms: number, c: ReachCheck) {
  return froms === 0 ? c.from : c.to;
}
