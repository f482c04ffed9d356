/**
 * @module
 * What this host needs, checked one by one, with the Debian package that provides each
 * missing part — and, when root and asked to, installed with apt.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface Requirement {
  name: string;
  /** Why flatnet needs it, in a few words. */
  why: string;
  /** Debian package that provides it, when one does. */
  pkg?: string;
  /** Optional parts only limit some features. */
  optional?: boolean;
  check(): boolean;
}

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const ok = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
const isRoot = () => process.getuid?.() === 0;

export const REQUIREMENTS: Requirement[] = [
  { name: 'ip (iproute2)', why: 'network namespaces, veths, routes', pkg: 'iproute2', check: () => has('ip') },
  { name: 'unshare, nsenter', why: 'the node sandbox and entering pods', pkg: 'util-linux', check: () => has('unshare') && has('nsenter') },
  { name: 'iptables', why: 'Services (kube-proxy rules) and NetworkPolicy', pkg: 'iptables', check: () => has('iptables') && has('iptables-restore') },
  { name: 'CNI plugins', why: 'pod networking (ptp, host-local, loopback, portmap)', pkg: 'containernetworking-plugins', check: () => ['ptp', 'host-local', 'loopback', 'portmap'].every((p) => existsSync(`/usr/lib/cni/${p}`)) },
  { name: 'busybox (static)', why: 'the shell and tools inside pods', pkg: 'busybox-static', check: () => existsSync('/bin/busybox') && !spawnSync('ldd', ['/bin/busybox'], { encoding: 'utf8' }).stdout.includes('=>') },
  { name: 'curl', why: 'curl inside pods, live probes', pkg: 'curl', check: () => has('curl') },
  { name: 'socat', why: 'socat inside pods', pkg: 'socat', check: () => has('socat') },
  { name: 'C compiler', why: "builds the pods' agnhost helper (serves ports, runs probes) and the tunnel agent once", pkg: 'gcc', check: () => has('cc') || has('gcc') },
  { name: 'static libc', why: 'links that helper statically, so it runs in any pod', pkg: 'libc6-dev', check: () => ['x86_64', 'aarch64'].some((a) => existsSync(`/usr/lib/${a}-linux-gnu/libc.a`)) },
  { name: 'nft (nftables)', why: "kube-proxy's nftables mode (cluster up --proxy-mode nftables)", pkg: 'nftables', optional: true, check: () => has('nft') },
  { name: 'ipvsadm', why: "kube-proxy's IPVS mode (cluster up --proxy-mode ipvs; the kernel needs IPVS too)", pkg: 'ipvsadm', optional: true, check: () => has('ipvsadm') },
  { name: 'ipset', why: "kube-proxy's IPVS mode (cluster up --proxy-mode ipvs)", pkg: 'ipset', optional: true, check: () => has('ipset') },
  { name: 'TUN device', why: 'multi-node clusters over ipip or geneve (the tunnel agent); vxlan and routed need none', optional: true, check: () => existsSync('/dev/net/tun') },
  { name: 'conntrack', why: 'inspecting connections from the node shell', pkg: 'conntrack', optional: true, check: () => has('conntrack') },
  { name: 'tcpdump', why: 'capturing packets from the node shell', pkg: 'tcpdump', optional: true, check: () => has('tcpdump') },
  { name: 'dig', why: 'DNS tests', pkg: 'dnsutils', optional: true, check: () => has('dig') },
  { name: 'chromium', why: 'browser tests of the course site', pkg: 'chromium', optional: true, check: () => existsSync(process.env.FLATNET_CHROMIUM ?? '/usr/bin/chromium') },
  {
    name: 'namespaces allowed',
    why: isRoot() ? 'root: network, mount and PID namespaces' : 'rootless: user namespaces (kernel.unprivileged_userns_clone, user.max_user_namespaces)',
    check: () => ok('unshare', [...(isRoot() ? [] : ['--user', '--map-root-user']), '--net', '--mount', '--pid', '--fork', 'true']),
  },
  { name: 'kubectl', why: 'learners type kubectl against the local cluster', optional: true, check: () => has('kubectl') },
  { name: 'docker', why: 'only for the kind provider (Calico / Cilium)', optional: true, check: () => ok('docker', ['info']) },
];

export interface Report {
  results: { req: Requirement; ok: boolean }[];
  missingPackages: string[];
}

export function diagnose(): Report {
  const results = REQUIREMENTS.map((req) => ({ req, ok: req.check() }));
  const missingPackages = [...new Set(results.filter((r) => !r.ok && r.req.pkg && r.req.name !== 'chromium').map((r) => r.req.pkg!))];
  return { results, missingPackages };
}

/** apt-get install of the missing packages (root only). Returns the exit code. */
export function install(pkgs: string[]): number {
  if (pkgs.length === 0) return 0;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  if (update.status !== 0) return update.status ?? 1;
  return spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env }).status ?? 1;
}
