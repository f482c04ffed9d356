/**
 * @module
 * Pod networking through the real CNI reference plugins, invoked as the CNI spec says:
 * CNI_COMMAND/CNI_CONTAINERID/CNI_NETNS/CNI_IFNAME/CNI_PATH in the environment, the
 * plugin's config on stdin, the previous plugin's result chained in as prevResult.
 * The conflist is written to the node's /etc/cni/net.d/ where a learner can read it.
 */
import { FlatnetError } from '../../../checkers/errors.ts';
import type { Sandbox } from './sandbox.ts';

export const CNI_BIN_DIR = '/usr/lib/cni';
export const CNI_CONF_PATH = '/etc/cni/net.d/10-flatnet.conflist';
/** host-local keeps its leases on the node's private /run, so they vanish with the node. */
const IPAM_DIR = '/run/flatnet/ipam';

export interface NetworkConfig {
  /** IPv4 subnets pods take addresses from (the first is used for new pods; the others only for requested addresses). */
  podSubnets: string[];
  podSubnetsV6?: string[];
  mtu: number;
}

export function conflist(net: NetworkConfig): object {
  const v6 = net.podSubnetsV6 ?? [];
  const ranges = [net.podSubnets.map((subnet) => ({ subnet })), ...(v6.length ? [v6.map((subnet) => ({ subnet }))] : [])];
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

/** Writes the conflist on the node. */
export async function installConfig(node: Sandbox, net: NetworkConfig): Promise<void> {
  const r = await node.run('sh', ['-c', `cat > ${CNI_CONF_PATH}`], { input: `${JSON.stringify(conflist(net), null, 2)}\n` });
  if (r.code !== 0) throw cniError('writing the CNI config', r.stderr);
}

export interface Attachment {
  containerId: string;
  netnsPath: string;
  /** Ask host-local for these addresses (a pod that declares status.podIP keeps it). */
  ips?: string[];
}

/** CNI ADD for loopback, then every plugin of the list in order. */
export async function add(node: Sandbox, net: NetworkConfig, a: Attachment): Promise<CniResult> {
  await invoke(node, 'ADD', { cniVersion: '1.0.0', name: 'lo', type: 'loopback' }, { ...a, ifname: 'lo' });
  const list = conflist(net) as { plugins: Record<string, unknown>[] };
  let prev: CniResult | undefined;
  for (const plugin of list.plugins) {
    const conf: Record<string, unknown> = { cniVersion: '1.0.0', name: 'flatnet', ...plugin, ...(prev ? { prevResult: prev } : {}) };
    // host-local honours runtimeConfig.ips: how a pod that declares status.podIP keeps that address.
    if (a.ips && plugin.type === 'ptp') conf.runtimeConfig = { ips: a.ips };
    prev = await invoke(node, 'ADD', conf, { ...a, ifname: 'eth0' });
  }
  const result = prev as unknown as { ips: { address: string }[]; interfaces: CniResult['interfaces'] };
  return { ips: result.ips.map((i) => i.address.split('/')[0]!), interfaces: result.interfaces };
}

/** CNI DEL in reverse order; DEL must succeed even when ADD half-failed (the spec asks plugins to tolerate it). */
export async function del(node: Sandbox, net: NetworkConfig, a: Attachment): Promise<void> {
  const list = conflist(net) as { plugins: Record<string, unknown>[] };
  for (const plugin of [...list.plugins].reverse()) {
    await invoke(node, 'DEL', { cniVersion: '1.0.0', name: 'flatnet', ...plugin }, { ...a, ifname: 'eth0' }).catch(() => undefined);
  }
}

async function invoke(node: Sandbox, command: 'ADD' | 'DEL', conf: Record<string, unknown>, a: Attachment & { ifname: string }): Promise<CniResult> {
  const env = [
    `CNI_COMMAND=${command}`,
    `CNI_CONTAINERID=${a.containerId}`,
    `CNI_NETNS=${a.netnsPath}`,
    `CNI_IFNAME=${a.ifname}`,
    `CNI_PATH=${CNI_BIN_DIR}`,
  ];
  const r = await node.run('env', [...env, `${CNI_BIN_DIR}/${String(conf.type)}`], { input: JSON.stringify(conf) });
  if (r.code !== 0) throw cniError(`CNI ${command} (${String(conf.type)}) for ${a.containerId}`, r.stdout || r.stderr);
  return (r.stdout.trim() ? JSON.parse(r.stdout) : {}) as CniResult;
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
