/**
 * The Services both proxy modes' sandbox tests program: `web` (a NodePort over the two
 * backends), `empty` (a NodePort whose only endpoint is not ready) and a headless one.
 */
import type { ProxyInput } from '../model.ts';

export const CLUSTER_IP = '10.96.0.50';
export const EMPTY_IP = '10.96.0.51';
export const NODE_PORT = 30080;
export const EMPTY_NODE_PORT = 30081;

export function view(pods: Record<string, string>, withWeb = true): ProxyInput {
  const a = pods['backend-a']!;
  const b = pods['backend-b']!;
  const web = { namespace: 'default', name: 'web', type: 'NodePort' as const, clusterIP: CLUSTER_IP, ports: [
    { name: 'http', port: 80, protocol: 'TCP' as const, nodePort: NODE_PORT, endpoints: [{ ip: a, port: 8080, ready: true }, { ip: b, port: 8080, ready: true }] },
  ] };
  const empty = { namespace: 'default', name: 'empty', type: 'NodePort' as const, clusterIP: EMPTY_IP, ports: [
    { name: 'http', port: 80, protocol: 'TCP' as const, nodePort: EMPTY_NODE_PORT, endpoints: [{ ip: a, port: 8080, ready: false }] },
  ] };
  const headless = { namespace: 'default', name: 'headless', type: 'ClusterIP' as const, clusterIP: 'None', ports: [
    { name: '', port: 80, protocol: 'TCP' as const, endpoints: [{ ip: a, port: 8080, ready: true }] },
  ] };
  return { services: [...(withWeb ? [web] : []), empty, headless], nodeIPs: ['10.0.0.10'], clusterCIDR: '10.244.0.0/16' };
}
