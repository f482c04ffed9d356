/**
 * @module
 * Loading the rules into a node, in the order kube-proxy's syncProxyRules does:
 *
 * 1. set route_localnet, so NodePorts answer on 127.0.0.1 (NewProxier);
 * 2. ask iptables whether MASQUERADE --random-fully is there (HasRandomFully);
 * 3. ensure the jumps from the built-in chains: `-N` the chain (exit 1 means it exists),
 *    then `-C` the rule and `-I` it only when the check fails (EnsureChain, EnsureRule
 *    with Prepend). Checking first is what keeps repeated applies from stacking up
 *    duplicate PREROUTING/OUTPUT/POSTROUTING jumps; iptables-restore cannot do it, since
 *    with --noflush an `-A PREROUTING` line would add one more jump on every apply;
 * 4. read the nat table's chain names with iptables-save, so chains left from an earlier
 *    apply (a deleted Service, a moved endpoint) are deleted;
 * 5. load both tables in one `iptables-restore --noflush`: all of it or none of it, and
 *    chains that are not kube-proxy's (CNI's, NetworkPolicy's) stay untouched.
 *
 * `-C` then `-I` is not atomic, so applies are queued: two at once could both see a jump
 * missing and both insert it.
 */
import { FlatnetError } from '../../../../checkers/errors.ts';
import { kubeProxyRules } from './iptables.ts';
import { JUMP_CHAINS, jumpRuleArgs } from './jump-chains.ts';
import type { ProxyInput } from './model.ts';

export type Run = (cmd: string, args: string[], stdin?: string) => Promise<{ code: number; stdout: string; stderr: string }>;

/** How long iptables waits for the xtables lock, as kube-proxy's `-w 5`. */
const WAIT = ['-w', '5'];
let queue: Promise<unknown> = Promise.resolve();

export function applyProxyRules(input: ProxyInput, run: Run): Promise<void> {
  const next = queue.then(() => applyOnce(input, run));
  queue = next.catch(() => undefined);
  return next;
}

/** What a node has been prepared with, per runner: the sysctl, the version probe and the base jumps happen once. */
const prepared = new WeakMap<Run, { randomFully: boolean }>();

async function applyOnce(input: ProxyInput, run: Run): Promise<void> {
  kubeProxyRules(input); // invalid input fails here, before the node is touched
  let node = prepared.get(run);
  if (!node) {
    node = await prepare(run);
    prepared.set(run, node);
  }
  const saved = await must(run, 'reading the nat table', 'iptables-save', ['-t', 'nat']);
  // Someone flushed the base jumps (e.g. `iptables -t nat -F` in the node shell): put them back.
  if (!saved.stdout.includes('-j KUBE-SERVICES')) await installJumps(run);
  const rules = kubeProxyRules(input, { randomFully: node.randomFully, existingNatChains: chainNames(saved.stdout) });
  const text = rules.filter + rules.nat;
  const args = [...WAIT, '--noflush', '--counters'];
  const r = await run('iptables-restore', args, text);
  if (r.code !== 0) throw failed('loading the Service rules', 'iptables-restore', args, r, offendingLine(r.stderr, text));
}

async function prepare(run: Run): Promise<{ randomFully: boolean }> {
  const probe = await must(run, 'preparing the node for Services', 'sh', ['-c', 'sysctl -qw net.ipv4.conf.all.route_localnet=1 && iptables --version']);
  await installJumps(run);
  return { randomFully: hasRandomFully(probe.stdout) };
}

/**
 * kube-proxy ensures each jump from a built-in chain with `iptables -C`, then `-I` when missing.
 * Same result, two commands: read both tables once, then one restore that creates the missing
 * chains and inserts the missing jumps (each at the top, in kube-proxy's order). Built-in
 * chains are not flushed by a --noflush restore, so the CNI's and NetworkPolicy's rules stay.
 */
export async function installJumps(run: Run): Promise<void> {
  const saved = await must(run, 'reading the tables', 'sh', ['-c', 'iptables-save -t filter; iptables-save -t nat']);
  const text = jumpRestore(saved.stdout);
  if (!text) return;
  const args = [...WAIT, '--noflush'];
  const r = await run('iptables-restore', args, text);
  if (r.code !== 0) throw failed('adding the jumps to the KUBE-* chains', 'iptables-restore', args, r, offendingLine(r.stderr, text));
}

/** The restore input that adds what `save` (iptables-save of filter and nat) lacks; '' when nothing. */
export function jumpRestore(save: string): string {
  const out: string[] = [];
  for (const table of ['filter', 'nat'] as const) {
    const section = save.split(/^\*/m).find((s) => s.startsWith(`${table}\n`)) ?? '';
    const chains = new Set(chainNames(`*${section}`));
    const lines: string[] = [];
    for (const jump of JUMP_CHAINS.filter((j) => j.table === table)) {
      if (!chains.has(jump.dstChain)) {
        lines.push(`:${jump.dstChain} - [0:0]`);
        chains.add(jump.dstChain);
      }
      const present = section.split('\n').some((l) => l.startsWith(`-A ${jump.srcChain} `) && l.endsWith(`-j ${jump.dstChain}`) && l.includes(jump.comment));
      if (!present) lines.push(`-I ${jump.srcChain} 1 ${jumpRuleArgs(jump).map(quote).join(' ')}`);
    }
    if (lines.length) out.push(`*${table}`, ...lines, 'COMMIT');
  }
  return out.length ? `${out.join('\n')}\n` : '';
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
