/**
 * @module
 * Which of kube-proxy's modes programs the node's Services, and whether this host can run it.
 * iptables is kube-proxy's default; nftables is GA since Kubernetes 1.33; IPVS needs the
 * kernel's IP Virtual Server, and kube-proxy deprecated it in 1.35 in favour of nftables.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { FlatnetError } from '../../../../checkers/errors.ts';
import type { ClusterSpec } from '../../provider.ts';

export type ProxyMode = NonNullable<ClusterSpec['proxyMode']>;
export const PROXY_MODES: readonly ProxyMode[] = ['iptables', 'nftables', 'ipvs'];

/** One of kube-proxy's modes, or a BadProxyMode error. */
export function parseProxyMode(mode: string): ProxyMode {
  if (!(PROXY_MODES as readonly string[]).includes(mode)) {
    throw new FlatnetError('BadProxyMode', `proxy mode ${JSON.stringify(mode)} is not one of kube-proxy's modes`, {}, `use --proxy-mode ${PROXY_MODES.join('|')}`);
  }
  return mode as ProxyMode;
}

/** Throws, saying why and what to use instead, when the local cluster cannot run `mode` on this host. */
export function checkProxyMode(mode: string): ProxyMode {
  parseProxyMode(mode);
  if (mode === 'nftables') {
    // knftables refuses nft before 1.0.1 (its set and comment syntax).
    const version = /nftables v(\d+)\.(\d+)\.(\d+)/.exec(spawnSync('nft', ['--version'], { encoding: 'utf8' }).stdout ?? '');
    if (!version) throw new FlatnetError('NoNft', 'proxy mode nftables needs the nft command, and this host has none', {}, 'install it (apt-get install nftables, or `npx flatnet doctor --install`), or use --proxy-mode iptables');
    const [major, minor, patch] = version.slice(1).map(Number) as [number, number, number];
    if (major < 1 || (major === 1 && minor === 0 && patch < 1)) throw new FlatnetError('OldNft', `nft ${version.slice(1).join('.')} found; kube-proxy's nftables mode needs >= 1.0.1`, {}, 'install a newer nftables package, or use --proxy-mode iptables');
  }
  if (mode === 'ipvs') {
    if (!existsSync('/proc/net/ip_vs')) {
      throw new FlatnetError('NoIpvs', 'proxy mode ipvs: this kernel has no IP Virtual Server (no /proc/net/ip_vs: CONFIG_IP_VS is off, or the ip_vs module is not loaded)', {}, 'use --proxy-mode nftables (kube-proxy deprecated ipvs in Kubernetes 1.35 in favour of it) or iptables; where IPVS exists, load it with `modprobe ip_vs`');
    }
    // kube-proxy drives IPVS and the sets through netlink; flatnet runs the tools in the node.
    const missing = ['ipvsadm', 'ipset'].filter((cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status !== 0);
    if (missing.length > 0) {
      throw new FlatnetError('NoIpvsTools', `proxy mode ipvs: this kernel has IPVS, but the ${missing.join(' and ')} command${missing.length > 1 ? 's are' : ' is'} missing`, {}, 'install them (apt-get install ipvsadm ipset, or `npx flatnet doctor --install`), or use --proxy-mode nftables');
    }
  }
  return mode as ProxyMode;
}

/** Why this host cannot run `mode` (the words `cluster up` refuses it with), or undefined: for tests and benches that skip it. */
export function proxyModeUnavailable(mode: string): string | undefined {
  try {
    checkProxyMode(mode);
    return undefined;
  } catch (e) {
    if (!(e instanceof FlatnetError)) throw e;
    return e.message;
  }
}
