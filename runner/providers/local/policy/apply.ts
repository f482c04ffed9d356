/**
 * @module
 * Loading the NetworkPolicy rules into the node, per address family:
 *
 * 1. `iptables-save -t filter`: which FLATNET-* chains exist, and where FORWARD jumps to ours;
 * 2. one `iptables-restore --noflush` that, all or nothing, rewrites our chains, deletes the
 *    ones nothing uses any more (a deleted pod or policy), and makes the FORWARD jump the
 *    first rule of FORWARD — exactly once.
 *
 * First, because a rule above it could ACCEPT a new pod flow before policy sees it
 * (kube-proxy's KUBE-FORWARD accepts packets marked for masquerade); if someone inserted
 * one there, the next apply moves our jump back up. Doing the jump inside the restore,
 * from what iptables-save showed, keeps repeated applies from stacking duplicate jumps.
 * IPv6 is loaded when the cluster has IPv6 pod addresses, or to clean up after it had some.
 */
import { FlatnetError } from '../../../../checkers/errors.ts';
import type { Cluster } from '../../../../checkers/engine/index.ts';
import { runQueue } from '../run-queue.ts';
import { FORWARD_CHAIN, isPolicyChain } from './chain-names.ts';
import { policyRules } from './iptables.ts';

export type Run = (cmd: string, args: string[], stdin?: string) => Promise<{ code: number; stdout: string; stderr: string }>;

/** How long iptables waits for the xtables lock, as kube-proxy's `-w 5`. */
const WAIT = ['-w', '5'];
const JUMP = `-m comment --comment "flatnet NetworkPolicy: check each new flow" -j ${FORWARD_CHAIN}`;

/** Per node (a node is one runner): applies to one node queue; different nodes apply at once. */
const queue = runQueue();

/** Idempotent; concurrent calls run one after the other (save, then restore, must not interleave). */
export function applyPolicyRules(cluster: Cluster, run: Run, rules = policyRules(cluster)): Promise<void> {
  return queue(run, () => applyOnce(cluster, run, rules));
}

/** Nodes (by runner) that were given IPv6 rules: only they can have IPv6 rules to clean up. */
const hadV6 = new WeakSet<Run>();

async function applyOnce(cluster: Cluster, run: Run, rules: { v4: string; v6: string }): Promise<void> {
  await applyFamily(run, 'iptables', rules.v4, true);
  const hasV6 = cluster.pods.some((p) => p.ips.some((ip) => ip.family === 6));
  // A node starts with empty tables (it is made new with each cluster process), so without
  // IPv6 pods, now or before, there is nothing to load or clean: skip the ip6tables round trip.
  if (!hasV6 && !hadV6.has(run)) return;
  hadV6.add(run);
  await applyFamily(run, 'ip6tables', rules.v6, hasV6);
}

async function applyFamily(run: Run, tool: 'iptables' | 'ip6tables', text: string, needed: boolean): Promise<void> {
  const saveArgs = ['-t', 'filter'];
  const saved = await run(`${tool}-save`, saveArgs);
  if (saved.code !== 0) {
    if (!needed) return; // no IPv6 pods and no working ip6tables: nothing to enforce or clean
    throw failed(`reading the ${tool} filter table`, `${tool}-save`, saveArgs, saved);
  }
  const state = readFilterTable(saved.stdout);
  if (!needed && state.chains.length === 0) return;
  const input = restoreInput(text, state);
  const args = [...WAIT, '--noflush'];
  const r = await run(`${tool}-restore`, args, input);
  if (r.code !== 0) throw failed('loading the NetworkPolicy rules', `${tool}-restore`, args, r, offendingLine(r.stderr, input));
}

export interface FilterState {
  /** FLATNET-* chains that exist now. */
  chains: string[];
  /** Every FORWARD rule, as iptables-save prints it (`-A FORWARD ...`). */
  forward: string[];
}

export function readFilterTable(save: string): FilterState {
  const lines = save.split('\n');
  return {
    chains: lines.filter((l) => l.startsWith(':')).map((l) => l.slice(1).split(' ')[0]!).filter(isPolicyChain),
    forward: lines.filter((l) => l.startsWith('-A FORWARD ')),
  };
}

/** The restore text: our section, plus stale-chain removal and the FORWARD jump fix-up. */
export function restoreInput(text: string, state: FilterState): string {
  const lines = text.trimEnd().split('\n');
  const declared = new Set(lines.filter((l) => l.startsWith(':')).map((l) => l.slice(1).split(' ')[0]!));
  const stale = state.chains.filter((c) => !declared.has(c)).sort();
  const tail: string[] = [];
  const jumps = state.forward.filter((l) => l.endsWith(` -j ${FORWARD_CHAIN}`));
  if (!(jumps.length === 1 && state.forward[0] === jumps[0])) {
    // -D with the rule exactly as iptables-save printed it always matches it.
    for (const j of jumps) tail.push(j.replace(/^-A /, '-D '));
    tail.push(`-I FORWARD 1 ${JUMP}`);
  }
  // Declaring a stale chain empties it (so nothing of ours still jumps to it); -X deletes it.
  for (const c of stale) tail.push(`-X ${c}`);
  const lastDeclaration = lines.findLastIndex((l) => l.startsWith(':'));
  const commit = lines.lastIndexOf('COMMIT');
  return [
    ...lines.slice(0, lastDeclaration + 1),
    ...stale.map((c) => `:${c} - [0:0]`),
    ...lines.slice(lastDeclaration + 1, commit),
    ...tail,
    ...lines.slice(commit),
    '',
  ].join('\n');
}

/** iptables-restore names the line it stopped at ("Error occurred at line: 7"); show it. */
function offendingLine(stderr: string, text: string): string | undefined {
  const m = /line:? (\d+)/.exec(stderr);
  return m ? text.split('\n')[Number(m[1]) - 1] : undefined;
}

function failed(what: string, cmd: string, args: string[], r: { code: number; stderr: string; stdout: string }, line?: string): FlatnetError {
  const detail = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ');
  return new FlatnetError(
    'PolicyRulesFailed',
    `${what} failed: ${cmd} ${args.join(' ')} exited ${r.code}${detail ? `: ${detail}` : ''}${line ? ` (at: ${line})` : ''}`,
    {},
    'check that iptables works in the node (`flatnet cluster shell node`, then `iptables-save -t filter`); the node keeps its previous NetworkPolicy rules',
  );
}
