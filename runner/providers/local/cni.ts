/**
 * @module
 * Pod networking through the real CNI reference plugins, invoked as the CNI spec says:
 * CNI_COMMAND/CNI_CONTAINERID/CNI_NETNS/CNI_IFNAME/CNI_PATH in the environment, the
 * plugin's config on stdin, the previous plugin's result chained in as prevResult.
 * The conflist is written to the node's /etc/cni/net.d/ where a learner can read it.
 */
import { FlatnetError } from '../../../checkers/errors.ts';
import type { Node } from './node.ts';

export const CNI_BIN_DIR = '/usr/lib/cni';
export const CNI_CONF_PATH = '/etc/cni/net.d/10-flatnet.conflist';
/** host-local keeps its leases on the node's private /run, so they vanish with the node. */
const IPAM_DIR = '/run/flatnet/ipam';

/** A subnet pods take addresses from; `gateway` (default: the subnet's first address) is the node side of each pod's veth. */
export type Subnet = string | { subnet: string; gateway: string };

export interface NetworkConfig {
  /** IPv4 subnets (the first is used for new pods; the others only for requested addresses). */
  podSubnets: Subnet[];
  podSubnetsV6?: Subnet[];
  mtu: number;
}

export function conflist(net: NetworkConfig): object {
  const v6 = net.podSubnetsV6 ?? [];
  const range = (s: Subnet) => (typeof s === 'string' ? { subnet: s } : s);
  const ranges = [net.podSubnets.map(range), ...(v6.length ? [v6.map(range)] : [])];
  const routes = [{ dst: '0.0.0.0/0' }, ...(v6.length ? [{ dst: '::/0' }] : [])];
  return {
    cniVersion: '1.0.0',
    name: 'flatnet',
    plugins: [
      // ptp: a veth per pod and a /32 route on the node, so all pod traffic is routed through
      // the node's netfilter hooks (Services and NetworkPolicy see both directions).
      { type: 'ptp', mtu: net.mtu, ipMasq: false, ipam: { type: 'host-local', dataDir: IPAM_DIR, ranges, routes } },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
}

export interface CniResult {
  ips: string[];
  interfaces: { name: string; sandbox?: string }[];
}

/** Writes the conflist on the node (through /proc/<holder>/root: no process needed). */
export function installConfig(node: Node, net: NetworkConfig): void {
  node.writeFile(CNI_CONF_PATH, `${JSON.stringify(conflist(net), null, 2)}\n`);
}

export interface Attachment {
  containerId: string;
  netnsPath: string;
  /** Ask host-local for these addresses (a pod that declares status.podIP keeps it). */
  ips?: string[];
}

/**
 * CNI ADD as a shell fragment: loopback on `lo`, then every plugin of the list in order on
 * `eth0`, each given the previous one's result as prevResult. Run inside the node, it prints
 * the final result (or the failing plugin's error) and nothing else. One fragment, so the node is entered once per pod.
 */
export function addScript(net: NetworkConfig, a: Attachment): { script: string; env: Record<string, string> } {
  const list = conflist(net) as { plugins: Record<string, unknown>[] };
  const env: Record<string, string> = { CNI_CONTAINERID: a.containerId, CNI_NETNS: a.netnsPath, CNI_PATH: CNI_BIN_DIR };
  // loopback is a network of its own (lo, not eth0), so it runs beside the list, not before it.
  const lines = [
    `export CNI_CONTAINERID CNI_NETNS CNI_PATH`,
    `printf '%s' "$CNI_LO" | CNI_COMMAND=ADD CNI_IFNAME=lo ${CNI_BIN_DIR}/loopback >/dev/null & lo=$!`,
    `prev=''`,
  ];
  env.CNI_LO = JSON.stringify({ cniVersion: '1.0.0', name: 'lo', type: 'loopback' });
  list.plugins.forEach((plugin, i) => {
    const conf: Record<string, unknown> = { cniVersion: '1.0.0', name: 'flatnet', ...plugin };
    // host-local honours runtimeConfig.ips: how a pod that declares status.podIP keeps that address.
    if (a.ips && plugin.type === 'ptp') conf.runtimeConfig = { ips: a.ips };
    env[`CNI_CONF_${i}`] = JSON.stringify(conf).slice(0, -1); // prevResult is appended in the script
    lines.push(
      `conf="$CNI_CONF_${i}"; [ -n "$prev" ] && conf="$conf,\\"prevResult\\":$prev"`,
      `prev=$(printf '%s}' "$conf" | CNI_COMMAND=ADD CNI_IFNAME=eth0 ${CNI_BIN_DIR}/${String(plugin.type)}) || { printf '%s\n' "$prev"; exit 92; }`,
    );
  });
  lines.push(`wait $lo || exit 91`);
  if ((net.podSubnetsV6 ?? []).length > 0) {
    // Routed like Calico: a pod reaches every other pod through the node, also within its own
    // IPv6 /64 (ptp leaves an on-link /64 route there, whose neighbour discovery nobody answers).
    lines.push(`ip -n "\${CNI_NETNS##*/}" -6 route show dev eth0 proto kernel 2>/dev/null | awk '$1 !~ /^fe80/ {print $1}' | while read r; do ip -n "\${CNI_NETNS##*/}" -6 route del "$r" dev eth0; done`);
  }
  lines.push(`printf '%s\n' "$prev"`);
  return { script: lines.join('\n'), env };
}

/** Reads addScript's output; a plugin's error object becomes a catalogue error. */
export function parseAdd(code: number, stdout: string, stderr: string, containerId: string): CniResult {
  const out = stdout.trim();
  if (code !== 0) throw cniError(`CNI ADD for ${containerId}`, out || stderr);
  const result = JSON.parse(out) as { ips: { address: string }[]; interfaces: CniResult['interfaces'] };
  return { ips: result.ips.map((i) => i.address.split('/')[0]!), interfaces: result.interfaces };
}

/** CNI DEL in reverse order, as a shell fragment; DEL must succeed even when ADD half-failed. */
export function delScript(net: NetworkConfig, a: Attachment): { script: string; env: Record<string, string> } {
  const list = conflist(net) as { plugins: Record<string, unknown>[] };
  const env: Record<string, string> = { CNI_CONTAINERID: a.containerId, CNI_NETNS: a.netnsPath, CNI_PATH: CNI_BIN_DIR };
  const lines = ['export CNI_CONTAINERID CNI_NETNS CNI_PATH'];
  [...list.plugins].reverse().forEach((plugin, i) => {
    env[`CNI_DEL_${i}`] = JSON.stringify({ cniVersion: '1.0.0', name: 'flatnet', ...plugin });
    lines.push(`printf '%s' "$CNI_DEL_${i}" | CNI_COMMAND=DEL CNI_IFNAME=eth0 ${CNI_BIN_DIR}/${String(plugin.type)} >/dev/null 2>&1`);
  });
  return { script: lines.join('\n'), env };
}

function cniError(what: string, detail: string): FlatnetError {
  let msg = detail.trim();
  try {
    const j = JSON.parse(msg) as { msg?: string; details?: string };
    msg = [j.msg, j.details].filter(Boolean).join(': ');
  } catch {
    // not a CNI error object: keep the text
  }
  return new FlatnetError('CniFailed', `${what} failed: ${msg}`, {}, `check that ${CNI_BIN_DIR} has the CNI plugins (\`npx flatnet doctor\`)`);
}
