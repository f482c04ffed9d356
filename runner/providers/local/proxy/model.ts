/**
 * @module
 * What the proxy needs to know about the cluster: Services already joined with their
 * EndpointSlices, flattened to one entry per service port. The daemon builds this from its
 * object store; the rules are a pure function of it.
 */

export interface ServiceView {
  namespace: string;
  name: string;
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  /** 'None' for headless Services, which get no rules (DNS answers with the pods instead). */
  clusterIP: string;
  /** A LoadBalancer Service's ingress addresses (status.loadBalancer.ingress[].ip), once assigned. */
  loadBalancerIPs?: string[];
  ports: Array<{
    /** '' when the port is unnamed; it is part of the chain-name hash, as in kube-proxy. */
    name: string;
    port: number;
    protocol: 'TCP' | 'UDP' | 'SCTP';
    nodePort?: number;
    /** Only ready endpoints receive traffic; the others are kept so callers need not filter. */
    endpoints: Array<{ ip: string; port: number; ready: boolean }>;
  }>;
}

export interface ProxyInput {
  services: ServiceView[];
  /**
   * The node's own addresses. NodePorts match `-m addrtype --dst-type LOCAL`, as kube-proxy
   * does when --nodeport-addresses is unset, so these are checked but not written into rules.
   */
  nodeIPs: string[];
  /** The pod network, e.g. 10.244.0.0/16: traffic to a cluster IP from outside it is masqueraded. */
  clusterCIDR: string;
}
