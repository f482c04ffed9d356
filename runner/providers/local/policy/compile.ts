/**
 * @module
 * The engine's compiled Cluster → chains for one address family. With the CNI ptp plugin
 * every pod-to-pod packet is routed through the node, so the filter table's FORWARD sees
 * each new flow once, after nat PREROUTING has DNATed Service addresses to pods:
 *
 *     FORWARD -> FLATNET-FORWARD
 *       1. RELATED,ESTABLISHED -> RETURN        replies: the first packet was checked
 *       2. -s <pod> -> FLATNET-EGRESS-<pod>     for each pod some policy isolates for egress
 *       3. -d <pod> -> FLATNET-INGRESS-<pod>    for each pod isolated for ingress
 *     FLATNET-EGRESS-<pod> / FLATNET-INGRESS-<pod>
 *       clear the allow mark; for each isolating policy: jump to its FLATNET-NP-OUT/IN chain
 *       (union of its rules; a match sets the mark), RETURN if marked; finally DROP.
 *
 * A packet DROPped on the way is denied, as Calico and Cilium do (no reject). One that gets
 * through returns to FORWARD: allowed means "NetworkPolicy has no objection", and the rest
 * of FORWARD still applies. Traffic from the node itself never enters FORWARD (OUTPUT), so
 * it is never policed, as the API asks.
 */
import type { Cluster, CompiledPolicy, Direction, PodInfo } from '../../../../checkers/engine/index.ts';
import type { Family } from '../../../../checkers/net/ip.ts';
import { chainName, FORWARD_CHAIN } from './chain-names.ts';
import type { CompileContext } from './peers.ts';
import { ruleLines } from './rule-lines.ts';
import { ChainTable, CLEAR_ALLOW, IS_ALLOWED, podAddress, podKey, type Ruleset } from './ruleset.ts';

export function compileRuleset(cluster: Cluster, family: Family): Ruleset {
  const chains = new ChainTable();
  const ctx: CompileContext = { pods: cluster.pods, family, chains };
  const forward = chains.lines(FORWARD_CHAIN);
  forward.push({
    args: ['-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED'],
    comment: 'replies and related packets: policy was checked on the first packet of their flow',
    target: ['RETURN'],
  });
  // Egress before ingress: a flow must pass both, and a DROP in either ends it.
  for (const dir of ['egress', 'ingress'] as const) {
    for (const pod of cluster.pods) {
      const address = podAddress(pod, family);
      const policies = cluster.isolatedBy[dir][pod.index]!;
      if (!address || policies.length === 0) continue;
      const chain = podChain(ctx, pod, dir, policies);
      forward.push({ args: [dir === 'egress' ? '-s' : '-d', address], comment: `${podKey(pod)} ${dir}: isolated by ${names(policies)}`, target: [chain] });
    }
  }
  return { family, chains: chains.list() };
}

function podChain(ctx: CompileContext, pod: PodInfo, dir: Direction, policies: CompiledPolicy[]): string {
  const name = chainName(dir === 'ingress' ? 'podIngress' : 'podEgress', podKey(pod));
  const lines = ctx.chains.lines(name);
  const who = `${podKey(pod)} ${dir}`;
  // Policies without rules for this direction (deny-all) have no chain: they only isolate.
  const jumps = policies.flatMap((policy) => {
    const chain = policyChain(ctx, policy, dir);
    return chain ? [{ policy, chain }] : [];
  });
  if (jumps.length > 0) lines.push({ args: [], comment: `${who}: not allowed until a rule says so`, target: CLEAR_ALLOW });
  for (const { policy, chain } of jumps) {
    lines.push({ args: [], comment: `${who}: rules of ${ref(policy)}`, target: [chain] });
    lines.push({ args: IS_ALLOWED, comment: `${who}: allowed by ${ref(policy)}`, target: ['RETURN'] });
  }
  lines.push({ args: [], comment: `${who}: isolated by ${names(policies)} and no rule allows this`, target: ['DROP'] });
  return name;
}

/** The union of one policy's rules for one direction, shared by every pod it selects. */
function policyChain(ctx: CompileContext, policy: CompiledPolicy, dir: Direction): string | undefined {
  const name = chainName(dir === 'ingress' ? 'policyIngress' : 'policyEgress', ref(policy));
  return ctx.chains.shared(name, () => policy[dir].flatMap((rule) => ruleLines(ctx, policy, rule, dir)));
}

const ref = (p: CompiledPolicy) => `${p.ref.namespace}/${p.ref.name}`;
const names = (policies: CompiledPolicy[]) => policies.map(ref).join(', ');
