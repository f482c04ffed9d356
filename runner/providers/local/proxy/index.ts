/**
 * @module
 * Services for the `local` cluster, the way kube-proxy's iptables mode implements them:
 * KUBE-SERVICES in nat PREROUTING and OUTPUT matches each cluster IP and port and jumps to
 * a KUBE-SVC-<hash> chain, which picks a KUBE-SEP-<hash> endpoint chain at random, which
 * DNATs to the pod. NodePorts enter through KUBE-NODEPORTS and KUBE-EXT-<hash>; Services
 * with no ready endpoint are REJECTed in the filter table. `kubeProxyRules` is the pure
 * part (input → iptables-restore text); `applyProxyRules` loads it into a node.
 */
export type { ProxyInput, ServiceView } from './model.ts';
export { kubeProxyRules, type RulesOptions } from './iptables.ts';
export { applyProxyRules, type Run } from './apply.ts';
