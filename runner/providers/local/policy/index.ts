/**
 * @module
 * NetworkPolicy for the `local` cluster, enforced in the node's kernel with iptables and
 * compiled from the engine's Cluster, so the kernel allows exactly the flows `flatnet
 * reach` says are allowed. Every pod-to-pod packet is routed through the node (CNI ptp),
 * so filter FORWARD sees each new flow once; FLATNET-FORWARD sends it through the source
 * pod's egress chain and the destination pod's ingress chain, and a denied packet is
 * DROPped. `policyRules` is the pure part (Cluster → iptables-restore text, IPv4 and IPv6);
 * `applyPolicyRules` loads it into a node. Chain layout: compile.ts.
 */
export { policyRules, familyRules } from './iptables.ts';
export { applyPolicyRules, type Run } from './apply.ts';
export { chainName, FORWARD_CHAIN } from './chain-names.ts';
