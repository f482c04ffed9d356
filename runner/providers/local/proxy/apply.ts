/**
 * @module
 * Loading the rules into a node, in the order kube-proxy's syncProxyRules does:
 *
 * 1. set route_localnet, so NodePorts answer on 127.0.0.1 (NewProxier);
 * 2. ask iptables whether MASQUERADE --random-fully is there (HasRandomFully);
 * 3. read the filter and nat tables with iptables-save: which jumps from the built-in chains
 *    are missing (kube-proxy's EnsureChain/EnsureRule: `-C` the rule, `-I` it only when
 *    missing; checking first is what keeps repeated applies from stacking up duplicate
 *    PREROUTING/OUTPUT/POSTROUTING jumps), and which KUBE-* chains an earlier apply left (a
 *    deleted Service, a moved endpoint), so they are deleted;
 * 4. load everything — the missing jumps, both tables' chains — in one
 *    `iptables-restore --noflush`: all of it or none of it, and chains that are not
 *    kube-proxy's (CNI's, NetworkPolicy's) stay untouched.
 *
 * Reading, then writing, is not atomic, so applies are queued: two at once could both see a
 * jump missing and both insert it.
 */
import { FlatnetError } from '../../../../checkers/errors.ts';
import { runQueue } from '../run-queue.ts';
import { kubeProxyRules } from './iptables.ts';
import { JUMP_CHAINS, jumpRuleArgs, type JumpChain } from './jump-chains.ts';
import type { ProxyInput } from './model.ts';

export type Run = (cmd: string, args: string[], stdin?: string) => Promise<{ code: number; stdout: string; stderr: string }>;

/** How long iptables waits for the xtables lock, as kube-proxy's `-w 5`. */
const WAIT = ['-w', '5'];
/** Per node (a node is one runner): applies to one node queue; different nodes apply at once. */
const queue = runQueue();

export function applyProxyRules(input: ProxyInput, run: Run): Promise<void> {
  return queue(run, () => applyOnce(input, run));
}

/** What a node has been prepared with, per runner: the sysctl, the version probe and the base jumps happen once. */
const prepared = new WeakMap<Run, { randomFully: boolean }>();

async function applyOnce(input: ProxyInput, run: Run): Promise<void> {
  kubeProxyRules(input); // invalid input fails here, before the node is touched
  // The one-time preparation runs beside the first read: it touches neither table.
  const [node, saved] = await Promise.all([
    prepared.get(run) ?? prepare(run),
    must(run, 'reading the tables', 'sh', ['-c', 'iptables-save -t filter; iptables-save -t nat']),
  ]);
  prepared.set(run, node);
  const rules = kubeProxyRules(input, { randomFully: node.randomFully, existingNatChains: chainNames(tableSection(saved.stdout, 'nat')) });
  // Jumps someone flushed (e.g. `iptables -t nat -F` in the node shell) are put back too.
  const text = withJumps(rules.filter + rules.nat, saved.stdout);
  const args = [...WAIT, '--noflush', '--counters'];
  const r = await run('iptables-restore', args, text);
  if (r.code !== 0) throw failed('loading the Service rules', 'iptables-restore', args, r, offendingLine(r.stderr, text));
}

async function prepare(run: Run): Promise<{ randomFully: boolean }> {
  const probe = await must(run, 'preparing the node for Services', 'sh', ['-c', 'sysctl -qw net.ipv4.conf.all.route_localnet=1 && iptables --version']);
  return { randomFully: hasRandomFully(probe.stdout) };
}

/** One table's part of an iptables-save output (`*nat` up to its COMMIT). */
export function tableSection(save: string, table: 'filter' | 'nat'): string {
  const section = save.split(/^\*/m).find((s) => s.startsWith(`${table}\n`));
  return section ? `*${section}` : '';
}

/**
 * The lines that add what `save` (iptables-save of filter and nat) lacks, per table: a
 * declaration for a missing chain, then `-I SRC 1 ...` for each missing jump, in kube-proxy's
 * order. Built-in chains are not flushed by a --noflush restore, so the CNI's and
 * NetworkPolicy's rules in them stay.
 */
export function missingJumps(save: string, jumps: readonly JumpChain[] = JUMP_CHAINS): Record<'filter' | 'nat', string[]> {
  const out = { filter: [] as string[], nat: [] as string[] };
  for (const table of ['filter', 'nat'] as const) {
    const section = tableSection(save, table);
    const chains = new Set(chainNames(section));
    for (const jump of jumps.filter((j) => j.table === table)) {
      if (!chains.has(jump.dstChain)) {
        out[table].push(`:${jump.dstChain} - [0:0]`);
        chains.add(jump.dstChain);
      }
      const present = section.split('\n').some((l) => l.startsWith(`-A ${jump.srcChain} `) && l.endsWith(`-j ${jump.dstChain}`) && l.includes(jump.comment));
      if (!present) out[table].push(`-I ${jump.srcChain} 1 ${jumpRuleArgs(jump).map(quote).join(' ')}`);
    }
  }
  return out;
}

/**
 * `text` (restore input with a *filter and a *nat section) with the missing jumps added to
 * their table, after its chain declarations (a jump needs its chain to exist). Checking first,
 * as kube-proxy's EnsureRule does, keeps repeated syncs from stacking up duplicate jumps.
 * `jumps`: iptables mode's by default; ipvs mode has its own (ipvs.ts).
 */
export function withJumps(text: string, save: string, jumps: readonly JumpChain[] = JUMP_CHAINS): string {
  const missing = missingJumps(save, jumps);
  let out = text;
  for (const table of ['filter', 'nat'] as const) {
    if (missing[table].length === 0) continue;
    const lines = out.split('\n');
    const start = lines.indexOf(`*${table}`);
    if (start < 0) {
      out = `${out.trimEnd()}\n*${table}\n${missing[table].join('\n')}\nCOMMIT\n`;
      continue;
    }
    const end = lines.indexOf('COMMIT', start);
    const declared = new Set(lines.slice(start, end).filter((l) => l.startsWith(':')).map((l) => l.slice(1).split(' ')[0]));
    const add = missing[table].filter((l) => !(l.startsWith(':') && declared.has(l.slice(1).split(' ')[0])));
    const lastDecl = start + lines.slice(start, end).findLastIndex((l) => l.startsWith(':'));
    lines.splice(Math.max(lastDecl, start) + 1, 0, ...add);
    out = lines.join('\n');
  }
  return out;
}

const quote = (a: string) => (/[\s"]/.test(a) ? `"${a.replace(/"/g, '\\"')}"` : a);

/** iptables >= 1.6.2 has --random-fully (utiliptables' MinRandomFullyVersion). */
export function hasRandomFully(versionOutput: string): boolean {
  const m = /v(\d+)\.(\d+)\.(\d+)/.exec(versionOutput);
  if (!m) return false;
  const [major, minor, patch] = m.slice(1).map(Number) as [number, number, number];
  return major > 1 || (major === 1 && (minor > 6 || (minor === 6 && patch >= 2)));
}

/** The chains an `iptables-save` section declares (utiliptables.GetChainsFromTable). */
export function chainNames(save: string): string[] {
  return save.split('\n').filter((l) => l.startsWith(':')).map((l) => l.slice(1).split(' ')[0]!);
}

/** iptables-restore names the line it stopped at; show it, as kube-proxy logs it. */
function offendingLine(stderr: string, text: string): string | undefined {
  const m = /line:? (\d+)/.exec(stderr);
  return m ? text.split('\n')[Number(m[1]) - 1] : undefined;
}

async function must(run: Run, what: string, cmd: string, args: string[]) {
  const r = await run(cmd, args);
  if (r.code !== 0) throw failed(what, cmd, args, r);
  return r;
}

function failed(what: string, cmd: string, args: string[], r: { code: number; stderr: string; stdout: string }, line?: string): FlatnetError {
  const detail = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ');
  return new FlatnetError(
    'ProxyRulesFailed',
    `${what} failed: ${cmd} ${args.join(' ')} exited ${r.code}${detail ? `: ${detail}` : ''}${line ? ` (at: ${line})` : ''}`,
    {},
    'check that iptables works on this host (`iptables-save -t nat` as root); the node keeps its previous Service rules',
  );
}
