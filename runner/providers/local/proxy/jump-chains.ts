/**
 * @module
 * The jumps from the built-in chains into kube-proxy's chains, copied from iptablesJumpChains
 * and iptablesKubeletJumpChains in pkg/proxy/iptables/proxier.go. The built-in chains they sit
 * in are shared with the CNI plugins and the NetworkPolicy rules, so apply.ts never rewrites
 * them: it inserts only the jumps that are missing (`-I CHAIN 1` lines in a --noflush restore).
 */

export interface JumpChain {
  table: 'filter' | 'nat';
  /** The kube-proxy chain jumped to. */
  dstChain: string;
  /** The built-in chain the jump sits in. */
  srcChain: 'INPUT' | 'FORWARD' | 'OUTPUT' | 'PREROUTING' | 'POSTROUTING';
  comment: string;
  extraArgs: string[];
}

const ctNew = ['-m', 'conntrack', '--ctstate', 'NEW'];

export const JUMP_CHAINS: readonly JumpChain[] = [
  { table: 'filter', dstChain: 'KUBE-EXTERNAL-SERVICES', srcChain: 'INPUT', comment: 'kubernetes externally-visible service portals', extraArgs: ctNew },
  { table: 'filter', dstChain: 'KUBE-EXTERNAL-SERVICES', srcChain: 'FORWARD', comment: 'kubernetes externally-visible service portals', extraArgs: ctNew },
  { table: 'filter', dstChain: 'KUBE-NODEPORTS', srcChain: 'INPUT', comment: 'kubernetes health check service ports', extraArgs: [] },
  { table: 'filter', dstChain: 'KUBE-SERVICES', srcChain: 'FORWARD', comment: 'kubernetes service portals', extraArgs: ctNew },
  { table: 'filter', dstChain: 'KUBE-SERVICES', srcChain: 'OUTPUT', comment: 'kubernetes service portals', extraArgs: ctNew },
  { table: 'filter', dstChain: 'KUBE-FORWARD', srcChain: 'FORWARD', comment: 'kubernetes forwarding rules', extraArgs: [] },
  { table: 'filter', dstChain: 'KUBE-PROXY-FIREWALL', srcChain: 'INPUT', comment: 'kubernetes load balancer firewall', extraArgs: ctNew },
  { table: 'filter', dstChain: 'KUBE-PROXY-FIREWALL', srcChain: 'OUTPUT', comment: 'kubernetes load balancer firewall', extraArgs: ctNew },
  { table: 'filter', dstChain: 'KUBE-PROXY-FIREWALL', srcChain: 'FORWARD', comment: 'kubernetes load balancer firewall', extraArgs: ctNew },
  { table: 'nat', dstChain: 'KUBE-SERVICES', srcChain: 'OUTPUT', comment: 'kubernetes service portals', extraArgs: [] },
  { table: 'nat', dstChain: 'KUBE-SERVICES', srcChain: 'PREROUTING', comment: 'kubernetes service portals', extraArgs: [] },
  { table: 'nat', dstChain: 'KUBE-POSTROUTING', srcChain: 'POSTROUTING', comment: 'kubernetes postrouting rules', extraArgs: [] },
  // kubelet's copy of the anti-martian chain; kube-proxy ensures these too (no comment).
  { table: 'filter', dstChain: 'KUBE-FIREWALL', srcChain: 'INPUT', comment: '', extraArgs: [] },
  { table: 'filter', dstChain: 'KUBE-FIREWALL', srcChain: 'OUTPUT', comment: '', extraArgs: [] },
];

/** The rule as iptables arguments (no quoting: these go to execve, not to a restore file). */
export function jumpRuleArgs(jump: JumpChain): string[] {
  return [...jump.extraArgs, ...(jump.comment ? ['-m', 'comment', '--comment', jump.comment] : []), '-j', jump.dstChain];
}
