/**
 * @module
 * Loading kube-proxy's IPVS mode into a node, a full sync per call, in the order its
 * syncProxyRules works:
 *
 * 1. once per node: the sysctls NewProxier sets (net.ipv4.vs.conntrack=1 so iptables can
 *    masquerade IPVS connections, expire_nodest_conn, expire_quiescent_template, ip_forward,
 *    conn_reuse_mode=0 on the kernels that need it) and the iptables version probe;
 * 2. the dummy interface kube-ipvs0 (created when missing, left down as kube-proxy leaves it:
 *    an address on a down interface is still local, which is all IPVS needs) and the addresses
 *    it lacks — not one the node has on another interface already;
 * 3. the ipsets: `ipset save`, then one `ipset restore -exist` that creates every set and
 *    deletes and adds only the members that changed;
 * 4. the KUBE-* chains and the missing jumps to them in one `iptables-restore --noflush` —
 *    after the sets, which the rules name;
 * 5. the virtual servers: `ipvsadm -Sn`, then `ipvsadm -R` with only the changes. Not
 *    `ipvsadm --clear` and a full restore (`ipvsadm-restore` clears first, too): every sync
 *    would drop every virtual server for a moment and, with expire_nodest_conn, cut the
 *    established connections of Services that did not change. kube-proxy diffs the same way;
 * 6. the addresses no virtual server uses any more, removed last.
 *
 * Each step reads before it writes, so a node's applies are queued (run-queue.ts).
 */
import { FlatnetError } from '../../../../checkers/errors.ts';
import { runQueue } from '../run-queue.ts';
import { hasRandomFully, withJumps, type Run } from './apply.ts';
import { IPVS_DEVICE, IPVS_JUMP_CHAINS, ipsetRestore, ipvsadmDiff, kubeProxyIpvs, parseIpsetSave, parseIpvsadmSave, type IpvsOptions } from './ipvs.ts';
import type { ProxyInput } from './model.ts';

/** How long iptables waits for the xtables lock, as kube-proxy's `-w 5`. */
const WAIT = ['-w', '5'];
/** Per node (a node is one runner): applies to one node queue; different nodes apply at once. */
const queue = runQueue();

export function applyIpvsRules(input: ProxyInput, run: Run, options: Omit<IpvsOptions, 'randomFully'> = {}): Promise<void> {
  return queue(run, () => applyOnce(input, run, options));
}

/** What a node has been prepared with, per runner: the sysctls and the version probe happen once. */
const prepared = new WeakMap<Run, { randomFully: boolean }>();

async function applyOnce(input: ProxyInput, run: Run, options: IpvsOptions): Promise<void> {
  kubeProxyIpvs(input, options); // invalid input fails here, before the node is touched
  const node = prepared.get(run) ?? (await prepare(run));
  prepared.set(run, node);
  const { bound, elsewhere } = await ensureDevice(run);
  const rules = kubeProxyIpvs(input, { ...options, randomFully: node.randomFully, localAddresses: elsewhere });

  const add = rules.addresses.filter((a) => !bound.has(a));
  if (add.length > 0) await ipBatch(run, 'binding the Service addresses to kube-ipvs0', add.map((a) => `address add ${a}/32 dev ${IPVS_DEVICE}`));

  const sets = await must(run, 'reading the ipsets', 'ipset', ['save'], undefined, IPSET_FIX);
  await must(run, 'loading the ipsets', 'ipset', ['restore', '-exist'], ipsetRestore(rules.ipsets, parseIpsetSave(sets.stdout)), IPSET_FIX);

  const saved = await must(run, 'reading the tables', 'sh', ['-c', 'iptables-save -t filter; iptables-save -t nat'], undefined, IPTABLES_FIX);
  const text = withJumps(rules.iptables.nat + rules.iptables.filter, saved.stdout, IPVS_JUMP_CHAINS);
  const args = [...WAIT, '--noflush', '--counters'];
  const r = await run('iptables-restore', args, text);
  if (r.code !== 0) throw failed('loading the Service rules', 'iptables-restore', args, r, IPTABLES_FIX, offendingLine(r.stderr, text));

  const table = await must(run, 'reading the IPVS table', 'ipvsadm', ['-Sn'], undefined, IPVS_FIX);
  const changes = ipvsadmDiff(parseIpvsadmSave(table.stdout), rules.virtualServers);
  if (changes.length > 0) await must(run, 'loading the virtual servers', 'ipvsadm', ['-R'], `${changes.join('\n')}\n`, IPVS_FIX);

  const wanted = new Set(rules.addresses);
  const stale = [...bound].filter((a) => !wanted.has(a)).sort();
  if (stale.length > 0) await ipBatch(run, 'removing unused Service addresses from kube-ipvs0', stale.map((a) => `address del ${a}/32 dev ${IPVS_DEVICE}`));
}

async function prepare(run: Run): Promise<{ randomFully: boolean }> {
  const sysctls = ['net.ipv4.vs.conntrack=1', 'net.ipv4.vs.expire_nodest_conn=1', 'net.ipv4.vs.expire_quiescent_template=1', 'net.ipv4.ip_forward=1'];
  const probe = await must(run, 'preparing the node for IPVS', 'sh', ['-c', `sysctl -qw ${sysctls.join(' ')} && uname -r && iptables --version`], undefined, SYSCTL_FIX);
  const [release = '', version = ''] = probe.stdout.trim().split('\n');
  if (needsConnReuseModeZero(release)) await must(run, 'preparing the node for IPVS', 'sysctl', ['-qw', 'net.ipv4.vs.conn_reuse_mode=0'], undefined, SYSCTL_FIX);
  return { randomFully: hasRandomFully(version) };
}

/**
 * Whether kube-proxy sets net.ipv4.vs.conn_reuse_mode=0 on this kernel: from 4.1, which has
 * the sysctl, to before 5.9, which fixed the slow reuse of connections (issue 93297) — from
 * then on it is left as the kernel has it.
 */
export function needsConnReuseModeZero(release: string): boolean {
  const m = /^(\d+)\.(\d+)/.exec(release);
  if (!m) return false;
  const v = Number(m[1]) * 1000 + Number(m[2]);
  return v >= 4001 && v < 5009;
}

/**
 * The node's IPv4 addresses, on kube-ipvs0 and elsewhere, after creating kube-ipvs0 (a dummy,
 * down) when it is missing. `ip -o address show` lists only interfaces that have an address,
 * so the device itself is looked for only when it shows none.
 */
async function ensureDevice(run: Run): Promise<{ bound: Set<string>; elsewhere: Set<string> }> {
  const shown = await must(run, 'reading the node\'s addresses', 'ip', ['-o', '-4', 'address', 'show'], undefined, DEVICE_FIX);
  const addresses = parseAddresses(shown.stdout);
  const bound = new Set(addresses.filter((a) => a.dev === IPVS_DEVICE && a.prefix === 32).map((a) => a.ip));
  const elsewhere = new Set(addresses.filter((a) => a.dev !== IPVS_DEVICE).map((a) => a.ip));
  if (bound.size > 0) return { bound, elsewhere };
  const args = ['-o', 'link', 'show', 'dev', IPVS_DEVICE];
  const link = await run('ip', args);
  if (link.code !== 0) {
    if (!/does not exist/i.test(link.stderr)) throw failed(`looking for ${IPVS_DEVICE}`, 'ip', args, link, DEVICE_FIX);
    await must(run, `creating ${IPVS_DEVICE}`, 'ip', ['link', 'add', IPVS_DEVICE, 'type', 'dummy'], undefined, DEVICE_FIX);
  }
  return { bound, elsewhere };
}

/** `ip -o -4 address show`: one line per address, `7: kube-ipvs0    inet 10.96.0.10/32 scope global ...`. */
export function parseAddresses(text: string): { dev: string; ip: string; prefix: number }[] {
  return [...text.matchAll(/^\d+:\s+([^\s@]+)(?:@\S+)?\s+inet (\d+\.\d+\.\d+\.\d+)\/(\d+)/gm)].map((m) => ({ dev: m[1]!, ip: m[2]!, prefix: Number(m[3]) }));
}

async function ipBatch(run: Run, what: string, lines: string[]): Promise<void> {
  await must(run, what, 'ip', ['-batch', '-'], `${lines.join('\n')}\n`, DEVICE_FIX);
}

/** iptables-restore names the line it stopped at; show it, as kube-proxy logs it. */
function offendingLine(stderr: string, text: string): string | undefined {
  const m = /line:? (\d+)/.exec(stderr);
  return m ? text.split('\n')[Number(m[1]) - 1] : undefined;
}

const SYSCTL_FIX = 'the net.ipv4.vs.* sysctls exist once the kernel has IPVS: load it on the host with `modprobe ip_vs`, or use --proxy-mode nftables';
const DEVICE_FIX = `kube-ipvs0 is a dummy interface: load the module on the host (\`modprobe dummy\`); \`flatnet cluster shell node -- ip addr show ${IPVS_DEVICE}\` shows what the node has`;
const IPSET_FIX = 'check that ipset works on this host (`ipset list -n` as root; `modprobe ip_set`); the node keeps its previous Service rules';
const IPTABLES_FIX = 'check that iptables works on this host (`iptables-save -t nat` as root); the node keeps its previous Service rules';
const IPVS_FIX = 'check the node\'s IPVS table (`flatnet cluster shell node -- ipvsadm -Ln`) and that the scheduler\'s module loads on the host (`modprobe ip_vs_rr`)';

async function must(run: Run, what: string, cmd: string, args: string[], stdin: string | undefined, fix: string) {
  const r = await run(cmd, args, stdin);
  if (r.code !== 0) throw failed(what, cmd, args, r, fix);
  return r;
}

function failed(what: string, cmd: string, args: string[], r: { code: number; stderr: string; stdout: string }, fix: string, line?: string): FlatnetError {
  const detail = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ');
  return new FlatnetError('ProxyRulesFailed', `${what} failed: ${cmd} ${args.join(' ')} exited ${r.code}${detail ? `: ${detail}` : ''}${line ? ` (at: ${line})` : ''}`, {}, fix);
}
