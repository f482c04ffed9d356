/**
 * @module
 * LoadBalancer Services, the way MetalLB's layer-2 mode serves them on kind: an address from a
 * pool on the cluster's underlay (172.18.255.200–250, where kind's MetalLB guide puts it) is
 * written to status.loadBalancer.ingress, and one node answers for it on the underlay — it
 * carries the address on its loopback, so it replies to ARP and takes the packets, which
 * kube-proxy's rules send on to the Service's pods. A Service keeps its address for its life;
 * spec.loadBalancerIP (deprecated upstream, still honoured by MetalLB) asks for one.
 */
import { createHash } from 'node:crypto';
import { formatIP, parseIP } from '../../../../checkers/net/ip.ts';
import type { ObjectStore } from '../store/store.ts';
import type { KObject } from '../store/types.ts';
import type { Recorder } from './events.ts';

const FIRST = 200;
const LAST = 250;
export const LB_POOL = `172.18.255.${FIRST}-172.18.255.${LAST}`;
const poolIP = (i: number) => `172.18.255.${i}`;
const inPool = (ip: string) => {
  const m = /^172\.18\.255\.(\d+)$/.exec(ip);
  return !!m && Number(m[1]) >= FIRST && Number(m[1]) <= LAST;
};

const ingressIPs = (svc: KObject): string[] => (((svc.status?.loadBalancer as { ingress?: { ip?: string }[] } | undefined)?.ingress ?? []).map((i) => i.ip).filter(Boolean) as string[]);

/**
 * Gives every LoadBalancer Service an address (and takes it back from one that stopped being
 * one). `reported` remembers the failures already told as events: an event is a change in the
 * store, which runs the controllers again, so telling one twice would never stop.
 */
export function reconcileLoadBalancers(store: ObjectStore, events: Recorder, reported = new Map<string, string>()): void {
  const services = store.list('services');
  const taken = new Set<string>();
  const waiting: KObject[] = [];
  for (const svc of services) {
    const ips = ingressIPs(svc);
    const isLB = (svc.spec?.type as string | undefined) === 'LoadBalancer';
    if (!isLB) {
      if (ips.length > 0) store.mutate('services', svc.metadata.namespace, svc.metadata.name, (o) => void (o.status = { loadBalancer: {} }));
      continue;
    }
    if (ips.length > 0 && ips.every((ip) => inPool(ip) && !taken.has(ip))) ips.forEach((ip) => taken.add(ip));
    else waiting.push(svc);
  }
  const fail = (svc: KObject, why: string) => {
    const message = `Failed to allocate IP for "${svc.metadata.namespace}/${svc.metadata.name}": ${why}`;
    if (reported.get(svc.metadata.uid!) === message) return;
    reported.set(svc.metadata.uid!, message);
    events.record(svc, 'Warning', 'AllocationFailed', message);
  };
  // First come, first served: the older Service gets an address two of them ask for.
  const age = (o: KObject) => `${o.metadata.creationTimestamp ?? ''} ${o.metadata.namespace}/${o.metadata.name}`;
  waiting.sort((a, b) => (age(a) < age(b) ? -1 : age(a) > age(b) ? 1 : 0));
  for (const svc of waiting) {
    const asked = svc.spec?.loadBalancerIP as string | undefined;
    let ip: string | undefined;
    if (asked) {
      const parsed = parseIP(asked);
      const normal = parsed ? formatIP(parsed) : asked;
      if (!inPool(normal) || taken.has(normal)) {
        fail(svc, `${normal} is not free in the pool ${LB_POOL}`);
        continue;
      }
      ip = normal;
    } else {
      for (let i = FIRST; i <= LAST && !ip; i++) if (!taken.has(poolIP(i))) ip = poolIP(i);
    }
    if (!ip) {
      fail(svc, `no available IPs in the pool ${LB_POOL}`);
      continue;
    }
    taken.add(ip);
    reported.delete(svc.metadata.uid!);
    const chosen = ip;
    store.mutate('services', svc.metadata.namespace, svc.metadata.name, (o) => void (o.status = { loadBalancer: { ingress: [{ ip: chosen, ipMode: 'VIP' }] } }));
    events.record(svc, 'Normal', 'IPAllocated', `Assigned IP ["${chosen}"]`);
  }
}

/**
 * Which node answers for which load-balancer address: one node per Service, picked by a hash
 * of its name (as MetalLB's speakers agree on one), so Services spread over the nodes.
 */
export function announcements(store: ObjectStore, nodes: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>(nodes.map((n) => [n, []]));
  for (const svc of store.list('services')) {
    if ((svc.spec?.type as string | undefined) !== 'LoadBalancer') continue;
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    const node = nodes[createHash('sha256').update(key).digest().readUInt32BE(0) % nodes.length]!;
    out.get(node)!.push(...ingressIPs(svc));
  }
  return out;
}
