/**
 * @module
 * From ServiceViews to the service ports kube-proxy's IPv4 proxier would program, with the
 * endpoints it would use. Everything here ends up inside iptables-restore input, so names and
 * addresses are checked first: a stray quote or newline would change what the file means.
 */
import { FlatnetError, type Where } from '../../../../checkers/errors.ts';
import { formatIP, parseCIDR, parseIP } from '../../../../checkers/net/ip.ts';
import { servicePortName } from './chain-names.ts';
import type { ProxyInput, ServiceView } from './model.ts';

export interface ServicePort {
  /** `ns/name:port`: the chain-name hash input and the rule comments. */
  spn: string;
  /** Lower-case, as written after `-m` and `-p`. */
  protocol: 'tcp' | 'udp' | 'sctp';
  clusterIP: string;
  port: number;
  nodePort: number;
  /** IPv4 load-balancer ingress addresses (none until one is assigned). */
  loadBalancerIPs: string[];
  /** Ready IPv4 endpoints as `ip:port`, sorted by that string as kube-proxy's byEndpoint does. */
  endpoints: string[];
}

const DNS_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const PORT_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$/;

/** Service ports in a stable order (kube-proxy walks a map; sorting keeps diffs readable). */
export function servicePorts(input: ProxyInput): ServicePort[] {
  checkAddresses(input);
  const out: ServicePort[] = [];
  for (const svc of input.services) {
    // ShouldSkipService: no virtual IP, nothing to proxy.
    if (svc.type === 'ExternalName' || svc.clusterIP === 'None' || svc.clusterIP === '') continue;
    const where: Where = { object: `Service ${svc.namespace}/${svc.name}` };
    if (!DNS_NAME.test(svc.namespace) || !DNS_NAME.test(svc.name)) throw invalid(where, 'namespace and name must be DNS names');
    const ip = parseIP(svc.clusterIP);
    if (!ip) throw invalid({ ...where, field: 'spec.clusterIP' }, `${JSON.stringify(svc.clusterIP)} is not an IP address`);
    if (ip.family !== 4) continue; // ip6tables' business; this proxier is IPv4 only
    const clusterIP = formatIP(ip);
    const lbIPs = (svc.loadBalancerIPs ?? []).map((raw) => {
      const lb = parseIP(raw);
      if (!lb) throw invalid({ ...where, field: 'status.loadBalancer.ingress' }, `${JSON.stringify(raw)} is not an IP address`);
      return lb;
    });
    const loadBalancerIPs = lbIPs.filter((lb) => lb.family === 4).map(formatIP);
    svc.ports.forEach((p, i) => out.push({ ...servicePort(svc, clusterIP, p, { ...where, field: `spec.ports[${i}]` }), loadBalancerIPs }));
  }
  const key = (sp: ServicePort) => `${sp.spn} ${sp.protocol}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function servicePort(svc: ServiceView, clusterIP: string, p: ServiceView['ports'][number], where: Where): ServicePort {
  if (!PORT_NAME.test(p.name)) throw invalid(where, `port name ${JSON.stringify(p.name)} must be a DNS label or ''`);
  if (!isPort(p.port)) throw invalid(where, `port ${p.port} is not in 1-65535`);
  if (p.nodePort !== undefined && p.nodePort !== 0 && !isPort(p.nodePort)) throw invalid(where, `nodePort ${p.nodePort} is not in 1-65535`);
  const endpoints = new Set<string>();
  for (const ep of p.endpoints) {
    const ip = parseIP(ep.ip);
    if (!ip || !isPort(ep.port)) throw invalid(where, `endpoint ${ep.ip}:${ep.port} is not an address and port`);
    // Not-ready endpoints get no traffic; duplicates (one pod in two slices) collapse to one.
    if (ep.ready && ip.family === 4) endpoints.add(`${formatIP(ip)}:${ep.port}`);
  }
  return {
    spn: servicePortName(svc.namespace, svc.name, p.name),
    protocol: p.protocol.toLowerCase() as ServicePort['protocol'],
    clusterIP,
    port: p.port,
    nodePort: p.nodePort ?? 0,
    loadBalancerIPs: [],
    endpoints: [...endpoints].sort(),
  };
}

function checkAddresses(input: ProxyInput): void {
  const cidr = parseCIDR(input.clusterCIDR);
  if (!cidr || cidr.family !== 4) throw invalid({ field: 'clusterCIDR' }, `${JSON.stringify(input.clusterCIDR)} is not an IPv4 CIDR`);
  for (const ip of input.nodeIPs) if (!parseIP(ip)) throw invalid({ field: 'nodeIPs' }, `${JSON.stringify(ip)} is not an IP address`);
}

const isPort = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535;

const invalid = (where: Where, message: string) =>
  new FlatnetError('InvalidServiceView', message, where, 'this is a bug in how the Service was read; the API server would have rejected it');
