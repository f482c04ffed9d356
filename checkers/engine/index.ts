/**
 * @module
 * The NetworkPolicy semantics engine: Kubernetes objects in, verdicts with evidence out.
 * Isomorphic — it runs in the CLI, the runner and the browser — so nothing here may
 * import from Node.
 *
 * @example
 * const { cluster } = buildCluster(parseManifests(yamlText, 'lab.yaml'));
 * const v = evaluate(cluster, { from: pod('x', 'a'), to: pod('y', 'b'), port: 80, protocol: 'TCP' });
 * v.allowed; v.reason; // "denied: y/b is isolated for ingress by y/deny-all and no ingress rule allows x/a on TCP 80"
 */
export { buildCluster, DEFAULT_POD_CIDR, NAMESPACE_NAME_LABEL, type BuildResult } from './cluster.ts';
export { evaluate, isAllowed, resolveEndpoint, type Resolved } from './evaluate.ts';
export { explain, endpointName, ruleName } from './explain.ts';
export { defaultPolicyTypes } from './policy.ts';
export type * from './types.ts';

import type { Endpoint } from './types.ts';
export const pod = (namespace: string, name: string): Endpoint => ({ kind: 'pod', namespace, name });
export const ip = (address: string): Endpoint => ({ kind: 'ip', ip: address });
