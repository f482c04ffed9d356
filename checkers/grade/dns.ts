/**
 * @module
 * Cluster DNS, statically: a pod's lookup works when its queries reach every kube-dns
 * pod (UDP 53 — resolvers ask over UDP first; kube-proxy may pick any of the pods, so one
 * blocked pod means lookups that fail at random), and the name, expanded with the pod's
 * search path as /etc/resolv.conf does (ndots:5), names a Service that exists.
 */
import type { Service } from '../k8s/schema/service.ts';
import { CLUSTER_DOMAIN, DNS_SERVICE } from '../lab/baseline.ts';
import type { ProbeResult } from '../truth-table.ts';
import { podTarget, type Target } from './endpoints.ts';
import { describeProbe, probe } from './flows.ts';
import type { World } from './world.ts';

export interface Lookup {
  /** True when the pod's DNS queries reach every kube-dns pod. */
  dnsReachable: boolean;
  /** The Service the name resolves to, when it does. */
  service: Service | undefined;
  /** The fully qualified name that matched, or the candidates tried. */
  tried: string[];
  flows: ProbeResult[];
  /** Plain words: why the lookup succeeds or fails. */
  reason: string;
}

export function lookup(world: World, from: Target, name: string): Lookup {
  const dnsPods = dnsServers(world);
  const flows = dnsPods.map((d) => probe(world.cluster, from, d, 53, 'UDP'));
  const blocked = flows.filter((f) => !f.allowed);
  const ns = from.pod?.namespace ?? 'default';
  const tried = candidates(name, ns);
  const service = tried.map((fqdn) => serviceOf(world.services, fqdn)).find((s) => s !== undefined);
  if (dnsPods.length === 0) return { dnsReachable: false, service, tried, flows, reason: `no kube-dns pods in ${DNS_SERVICE.namespace} answer queries` };
  if (blocked.length > 0) {
    const which = blocked.length === flows.length ? 'DNS queries are blocked' : `DNS queries to ${blocked.length} of ${flows.length} kube-dns pods are blocked`;
    return { dnsReachable: false, service, tried, flows, reason: `${which}: ${describeProbe(blocked[0]!)}` };
  }
  const reason = service
    ? `${name} is Service ${service.metadata.namespace ?? 'default'}/${service.metadata.name} and ${from.name} may query kube-dns on UDP 53`
    : `no Service answers to ${tried.join(', ')}`;
  return { dnsReachable: true, service, tried, flows, reason };
}

/** The pods behind the kube-dns Service. */
export function dnsServers(world: World): Target[] {
  const svc = world.services.find((s) => s.metadata.name === DNS_SERVICE.name && s.metadata.namespace === DNS_SERVICE.namespace);
  const sel = Object.entries(svc?.spec.selector ?? {});
  if (!svc || sel.length === 0) return [];
  return world.cluster.pods.filter((p) => p.namespace === DNS_SERVICE.namespace && sel.every(([k, v]) => p.labels[k] === v)).map(podTarget);
}

/** resolv.conf in a pod of `ns`: search ns.svc.cluster.local svc.cluster.local cluster.local, options ndots:5. */
export function candidates(name: string, ns: string): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const search = [`${ns}.svc.${CLUSTER_DOMAIN}`, `svc.${CLUSTER_DOMAIN}`, CLUSTER_DOMAIN].map((d) => `${name}.${d}`);
  const dots = name.split('.').length - 1;
  return dots >= 5 ? [name, ...search] : [...search, name];
}

function serviceOf(services: Service[], fqdn: string): Service | undefined {
  const suffix = `.svc.${CLUSTER_DOMAIN}`;
  if (!fqdn.endsWith(suffix)) return undefined;
  const parts = fqdn.slice(0, -suffix.length).split('.');
  if (parts.length !== 2) return undefined;
  const [name, ns] = parts;
  return services.find((s) => s.metadata.name === name && (s.metadata.namespace ?? 'default') === ns);
}
