/**
 * @module
 * The snapshot the cluster DNS server answers from. The cluster daemon writes it as JSON
 * (tmp + rename) and the server in the coredns pod reads it: the pod lives in another
 * network namespace, so a file is the channel (docs/0001-local-cluster.md).
 *
 * The shape is what CoreDNS's kubernetes plugin keeps of the API objects: Services, the
 * ready addresses of their EndpointSlices, and Pods. Namespaces are not listed; a
 * namespace exists for DNS when a Service or Pod is in it (CoreDNS asks the API).
 */

export interface DnsRecords {
  /** The cluster domain, e.g. `cluster.local`. */
  domain: string;
  services: Array<{
    namespace: string;
    name: string;
    type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
    /** `spec.clusterIPs`; `[]` or `['None']` means headless. */
    clusterIPs: string[];
    externalName?: string;
    ports: Array<{ name?: string; port: number; protocol: 'TCP' | 'UDP' | 'SCTP' }>;
    /**
     * The Service's EndpointSlice endpoints, one per address. `ports` are the slice's
     * ports (target ports); when omitted the Service's ports stand in for them.
     */
    endpoints: Array<{ ip: string; hostname?: string; podName?: string; ready: boolean; ports?: Array<{ name?: string; port: number; protocol: string }> }>;
  }>;
  pods: Array<{ namespace: string; name: string; ips: string[]; hostname?: string; subdomain?: string }>;
}

export type DnsService = DnsRecords['services'][number];
export type DnsEndpoint = DnsService['endpoints'][number];

/** What the server answers before the first snapshot arrives: a cluster with nothing in it. */
export function emptyRecords(domain = 'cluster.local'): DnsRecords {
  return { domain, services: [], pods: [] };
}

/**
 * Parses a records file and checks its shape, so a bad write is rejected whole instead of
 * failing one query at a time. Throws with the path of the first bad field.
 */
export function parseRecords(text: string): DnsRecords {
  const data: unknown = JSON.parse(text);
  const at = (path: string, ok: boolean) => {
    if (!ok) throw new Error(`records: ${path} has the wrong type`);
  };
  const str = (v: unknown) => typeof v === 'string';
  const optStr = (v: unknown) => v === undefined || typeof v === 'string';
  const list = (v: unknown): v is unknown[] => Array.isArray(v);
  const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const port = (p: unknown, path: string) => {
    at(path, obj(p));
    const q = p as Record<string, unknown>;
    at(`${path}.port`, Number.isInteger(q.port));
    at(`${path}.name`, optStr(q.name));
    at(`${path}.protocol`, str(q.protocol));
  };

  at('$', obj(data));
  const d = data as Record<string, unknown>;
  at('domain', str(d.domain) && (d.domain as string).length > 0);
  at('services', list(d.services));
  at('pods', list(d.pods));
  (d.services as unknown[]).forEach((s, i) => {
    const p = `services[${i}]`;
    at(p, obj(s));
    const v = s as Record<string, unknown>;
    at(`${p}.namespace`, str(v.namespace));
    at(`${p}.name`, str(v.name));
    at(`${p}.type`, ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'].includes(v.type as string));
    at(`${p}.clusterIPs`, list(v.clusterIPs) && v.clusterIPs.every(str));
    at(`${p}.externalName`, optStr(v.externalName));
    at(`${p}.ports`, list(v.ports));
    (v.ports as unknown[]).forEach((q, j) => port(q, `${p}.ports[${j}]`));
    at(`${p}.endpoints`, list(v.endpoints));
    (v.endpoints as unknown[]).forEach((e, j) => {
      const ep = `${p}.endpoints[${j}]`;
      at(ep, obj(e));
      const x = e as Record<string, unknown>;
      at(`${ep}.ip`, str(x.ip));
      at(`${ep}.ready`, typeof x.ready === 'boolean');
      at(`${ep}.hostname`, optStr(x.hostname));
      at(`${ep}.podName`, optStr(x.podName));
      at(`${ep}.ports`, x.ports === undefined || list(x.ports));
      ((x.ports ?? []) as unknown[]).forEach((q, k) => port(q, `${ep}.ports[${k}]`));
    });
  });
  (d.pods as unknown[]).forEach((pod, i) => {
    const p = `pods[${i}]`;
    at(p, obj(pod));
    const v = pod as Record<string, unknown>;
    at(`${p}.namespace`, str(v.namespace));
    at(`${p}.name`, str(v.name));
    at(`${p}.ips`, list(v.ips) && v.ips.every(str));
    at(`${p}.hostname`, optStr(v.hostname));
    at(`${p}.subdomain`, optStr(v.subdomain));
  });
  return data as DnsRecords;
}
