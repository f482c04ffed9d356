/**
 * @module
 * `dns`: each pod of `from` resolves `name` (to the given Service), or fails to. Static
 * mode decides what policies and objects decide; the lookup itself happens in live mode.
 */
import type { DnsCheck } from '../../lab/check.ts';
import type { ProbeResult } from '../../truth-table.ts';
import { lookup } from '../dns.ts';
import { describeEndpoint, expand } from '../endpoints.ts';
import { checkResult, type CheckResult } from '../result.ts';
import type { World } from '../world.ts';

export function gradeDns(c: DnsCheck, world: World): CheckResult {
  const target = c.resolvesTo ? `Service ${c.resolvesTo.namespace}/${c.resolvesTo.service}` : 'a Service';
  const expected = c.expect === 'resolves' ? `${c.name} resolves to ${target}` : `${c.name} does not resolve`;
  const froms = expand(world.cluster, c.from);
  if (froms.length === 0) return checkResult(c, { passed: false, expected, observed: 'no pod to test', explanation: `no pod matches ${describeEndpoint(c.from)}` });
  const flows: ProbeResult[] = [];
  for (const from of froms) {
    const l = lookup(world, from, c.name);
    flows.push(...l.flows);
    const svc = l.service;
    const right = svc !== undefined && (!c.resolvesTo || (svc.metadata.name === c.resolvesTo.service && (svc.metadata.namespace ?? 'default') === c.resolvesTo.namespace));
    const resolves = l.dnsReachable && svc !== undefined;
    const observed = !l.dnsReachable ? 'lookup fails (DNS blocked)' : !svc ? 'NXDOMAIN' : `resolves to Service ${svc.metadata.namespace ?? 'default'}/${svc.metadata.name}`;
    const ok = c.expect === 'resolves' ? resolves && right : !resolves;
    if (!ok) return checkResult(c, { passed: false, expected, observed, explanation: `${from.name}: ${l.reason}`, flows });
  }
  const last = lookup(world, froms[0]!, c.name);
  return checkResult(c, { passed: true, expected, observed: c.expect === 'resolves' ? `resolves (${froms.length} ${froms.length === 1 ? 'pod' : 'pods'})` : 'lookup fails', explanation: `${froms[0]!.name}: ${last.reason} (static: decided from Services and policies; live mode performs the lookup)`, flows });
}
