/**
 * @module
 * Keeps every node's kernel in step with the store: kube-proxy rules for Services, filter
 * rules for NetworkPolicies (compiled by the same engine as `flatnet reach`), and the DNS
 * records file the coredns pods serve. Changes are coalesced for a few milliseconds, then
 * applied in one go, to all nodes at once; applies never overlap.
 *
 * Every node gets the whole rule set, as kube-proxy programs every Service on every node.
 * Policy rules match pods by address, and pod addresses survive the trip between nodes (no
 * NAT on the overlay), so a flow between nodes is judged the same on both: the same verdict
 * twice, where Calico checks egress on the source node and ingress on the destination.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCluster } from '../../../../checkers/engine/index.ts';
import { CLUSTER_DOMAIN, POD_CIDR, SERVICE_CIDR } from '../config.ts';
import type { DnsRecords } from '../dns/records.ts';
import { applyPolicyRules } from '../policy/apply.ts';
import { policyRules } from '../policy/iptables.ts';
import { applyProxyRules, type ProxyInput, type ServiceView } from '../proxy/index.ts';
import { applyNftRules } from '../proxy/apply-nft.ts';
import { applyIpvsRules } from '../proxy/apply-ipvs.ts';
import type { ProxyMode } from '../proxy/mode.ts';
import { announcements } from './loadbalancer.ts';
import { ingressTable } from './ingress.ts';
import { tableDigest } from '../ingress/table-file.ts';
import type { Node } from '../node.ts';
import type { ObjectStore } from '../store/store.ts';
import type { KObject } from '../store/types.ts';
import { debug } from '../../../log.ts';

const COALESCE_MS = 5;
const WATCHED = new Set(['pods', 'services', 'endpoints', 'namespaces', 'networkpolicies', 'ingresses', 'secrets', 'gatewayclasses', 'gateways', 'httproutes']);

export class Dataplane {
  private readonly store: ObjectStore;
  private readonly nodes: readonly Node[];
  private readonly recordsDir: string;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopWatch: (() => void) | undefined;
  /** Resolves after the next apply completes (tests and `wait` use it). */
  private waiters: (() => void)[] = [];
  lastError: string | undefined;

  private readonly proxyMode: ProxyMode;

  get mode(): ProxyMode {
    return this.proxyMode;
  }

  private readonly ingressDir: string | undefined;

  constructor(store: ObjectStore, nodes: readonly Node[], dirs: { recordsDir: string; ingressDir?: string }, proxyMode: ProxyMode = 'iptables') {
    this.store = store;
    this.nodes = nodes;
    this.recordsDir = dirs.recordsDir;
    this.ingressDir = dirs.ingressDir;
    this.proxyMode = proxyMode;
    this.runners = nodes.map((node) => async (cmd: string, args: string[], stdin?: string) => {
      const t = performance.now();
      const r = await node.run(cmd, args, { input: stdin });
      if (process.env.FLATNET_DEBUG) debug(`  ${node.name}: ${cmd} ${args.slice(0, 4).join(' ')}: ${Math.round(performance.now() - t)}ms`);
      return r;
    });
  }

  start(): void {
    this.stopWatch = this.store.watch((e) => {
      if (WATCHED.has(e.resource)) this.schedule();
    });
    this.schedule();
  }

  stop(): Promise<void> {
    this.stopWatch?.();
    if (this.timer) clearTimeout(this.timer);
    return this.running;
  }

  /** Waits until everything changed so far is in the kernel. */
  settled(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const waiters = this.waiters.splice(0);
      this.running = this.running.then(() => this.apply()).finally(() => waiters.forEach((w) => w()));
    }, COALESCE_MS);
  }

  /** One runner per node for the node's lifetime: the proxy prepares a node once per runner. */
  private readonly runners: ((cmd: string, args: string[], stdin?: string) => Promise<{ code: number; stdout: string; stderr: string }>)[];

  /** What was last loaded; most store changes (pod status, events) change neither. */
  private applied = { records: '', ingress: '', proxy: '', policy: '', announced: new Map<string, string[]>() };

  /** The ingress table last written (its digest, as the controller logs it), once there is one. */
  get ingressTableDigest(): string | undefined {
    return this.applied.ingress ? tableDigest(this.applied.ingress) : undefined;
  }

  private async apply(): Promise<void> {
    try {
      const records = JSON.stringify(this.records());
      if (records !== this.applied.records) {
        snapshot(join(this.recordsDir, 'records.json'), records);
        this.applied.records = records;
      }
      // The ingress controller's table, when the cluster runs one (it holds TLS keys: owner-only).
      if (this.ingressDir) {
        const table = JSON.stringify(ingressTable(this.store));
        if (table !== this.applied.ingress) {
          snapshot(join(this.ingressDir, 'table.json'), table, 0o600);
          this.applied.ingress = table;
        }
      }
      const proxy = this.proxyInput();
      const proxyKey = JSON.stringify(proxy);
      if (proxyKey !== this.applied.proxy) {
        await Promise.all(
          this.nodes.map((n, i) =>
            this.proxyMode === 'nftables'
              ? applyNftRules({ ...proxy, nodeIPs: [n.ip] }, this.runners[i]!, { serviceCIDR: SERVICE_CIDR })
              : this.proxyMode === 'ipvs'
                ? applyIpvsRules({ ...proxy, nodeIPs: [n.ip] }, this.runners[i]!)
                : applyProxyRules({ ...proxy, nodeIPs: [n.ip] }, this.runners[i]!),
          ),
        );
        this.applied.proxy = proxyKey;
      }
      await this.announce();
      const cluster = this.policyCluster();
      // No policy, and none loaded yet: every flow is allowed with or without our chains, so a
      // new cluster does not spend a save and a restore on them (they come with the first policy).
      if (cluster.policies.length > 0 || this.applied.policy !== '') {
        const rules = policyRules(cluster);
        // The header comments count pods; a new pod that no policy selects changes nothing else.
        const policyKey = JSON.stringify(rules, (_k, v: unknown) => (typeof v === 'string' ? v.replace(/^#.*\n/gm, '') : v));
        if (policyKey !== this.applied.policy) {
          await Promise.all(this.runners.map((run) => applyPolicyRules(cluster, run, rules)));
          this.applied.policy = policyKey;
        }
      }
      this.lastError = undefined;
      debug('dataplane applied');
    } catch (e) {
      this.lastError = e instanceof Error ? e.message : String(e);
      debug(`dataplane apply failed: ${this.lastError}`);
    }
  }

  /**
   * Load-balancer addresses on the loopback of the node that answers for them (loadbalancer.ts):
   * the node then replies to ARP for them on the underlay and takes their packets.
   */
  private async announce(): Promise<void> {
    const want = announcements(this.store, this.nodes.map((n) => n.name));
    await Promise.all(
      this.nodes.map(async (node, i) => {
        const had = new Set(this.applied.announced.get(node.name) ?? []);
        const has = new Set(want.get(node.name) ?? []);
        const added = [...has].filter((ip) => !had.has(ip));
        // A gratuitous ARP for each new address, as MetalLB's speaker sends: a neighbour that
        // still has the address at another node (it moved, or was freed and reused) learns anew.
        const script = [
          ...[...had].filter((ip) => !has.has(ip)).map((ip) => `ip addr del ${ip}/32 dev lo`),
          ...added.map((ip) => `ip addr replace ${ip}/32 dev lo`),
          ...added.map((ip) => `busybox arping -U -c 1 -I eth0 ${ip} >/dev/null 2>&1 || true`),
        ];
        if (script.length === 0) return;
        const r = await this.runners[i]!('sh', ['-c', script.join('\n')]);
        if (r.code !== 0) throw new Error(`announcing load-balancer addresses on ${node.name}: ${r.stderr.trim()}`);
        this.applied.announced.set(node.name, [...has]);
      }),
    );
  }

  private proxyInput(): ProxyInput {
    const services: ServiceView[] = this.store.scan('services').map((svc) => {
      const spec = svc.spec as { type?: ServiceView['type']; clusterIP?: string; ports?: { name?: string; port: number; protocol?: string; nodePort?: number }[] };
      const endpoints = this.store.get('endpoints', svc.metadata.namespace, svc.metadata.name);
      const ingress = (svc.status?.loadBalancer as { ingress?: { ip?: string }[] } | undefined)?.ingress ?? [];
      return {
        namespace: svc.metadata.namespace!,
        name: svc.metadata.name,
        type: spec.type ?? 'ClusterIP',
        clusterIP: spec.clusterIP ?? 'None',
        ...(spec.type === 'LoadBalancer' ? { loadBalancerIPs: ingress.map((i) => i.ip).filter((ip): ip is string => !!ip) } : {}),
        ports: (spec.ports ?? []).map((p) => ({
          name: p.name ?? '',
          port: p.port,
          protocol: (p.protocol ?? 'TCP') as 'TCP',
          ...(p.nodePort ? { nodePort: p.nodePort } : {}),
          endpoints: endpointsFor(endpoints, p.name ?? '', p.protocol ?? 'TCP'),
        })),
      };
    });
    return { services, nodeIPs: [], clusterCIDR: POD_CIDR };
  }

  /** Only pods that have an address are on the network; the engine must not invent one for the others. */
  private policyCluster() {
    const pods = this.store.scan('pods').filter((p) => p.status?.podIP && !p.spec?.hostNetwork);
    return buildCluster([...this.store.scan('namespaces'), ...pods, ...this.store.scan('networkpolicies')]).cluster;
  }

  private records(): DnsRecords {
    const pods = this.store.scan('pods');
    const records: DnsRecords = {
      domain: CLUSTER_DOMAIN,
      services: this.store.scan('services').map((svc) => {
        const spec = svc.spec as { type?: string; clusterIPs?: string[]; clusterIP?: string; externalName?: string; ports?: { name?: string; port: number; protocol?: string }[] };
        const ep = this.store.get('endpoints', svc.metadata.namespace, svc.metadata.name);
        return {
          namespace: svc.metadata.namespace!,
          name: svc.metadata.name,
          type: (spec.type ?? 'ClusterIP') as 'ClusterIP',
          clusterIPs: spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : []),
          ...(spec.externalName ? { externalName: spec.externalName } : {}),
          ports: (spec.ports ?? []).map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, protocol: (p.protocol ?? 'TCP') as 'TCP' })),
          endpoints: dnsEndpoints(ep, pods),
        };
      }),
      pods: pods
        .filter((p) => p.status?.podIP)
        .map((p) => ({
          namespace: p.metadata.namespace!,
          name: p.metadata.name,
          ips: ((p.status?.podIPs as { ip: string }[] | undefined) ?? []).map((i) => i.ip),
          ...(p.spec?.hostname ? { hostname: String(p.spec.hostname) } : {}),
          ...(p.spec?.subdomain ? { subdomain: String(p.spec.subdomain) } : {}),
        })),
    };
    return records;
  }
}

type Subset = { addresses?: { ip: string }[]; notReadyAddresses?: { ip: string }[]; ports?: { name?: string; port: number; protocol?: string }[] };

function endpointsFor(ep: KObject | undefined, portName: string, protocol: string): { ip: string; port: number; ready: boolean }[] {
  const out: { ip: string; port: number; ready: boolean }[] = [];
  for (const s of (ep?.subsets ?? []) as Subset[]) {
    const port = s.ports?.find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol);
    if (!port) continue;
    for (const a of s.addresses ?? []) out.push({ ip: a.ip, port: port.port, ready: true });
    for (const a of s.notReadyAddresses ?? []) out.push({ ip: a.ip, port: port.port, ready: false });
  }
  return out;
}

function dnsEndpoints(ep: KObject | undefined, pods: readonly KObject[]): DnsRecords['services'][number]['endpoints'] {
  const out: DnsRecords['services'][number]['endpoints'] = [];
  for (const s of (ep?.subsets ?? []) as (Subset & { addresses?: { ip: string; targetRef?: { name: string } }[] })[]) {
    const ports = (s.ports ?? []).map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, protocol: p.protocol ?? 'TCP' }));
    const add = (a: { ip: string; targetRef?: { name: string } }, ready: boolean) => {
      const pod = pods.find((p) => p.metadata.name === a.targetRef?.name);
      const hostname = pod?.spec?.hostname as string | undefined;
      out.push({ ip: a.ip, ready, ports, ...(a.targetRef ? { podName: a.targetRef.name } : {}), ...(hostname ? { hostname } : {}) });
    };
    for (const a of s.addresses ?? []) add(a, true);
    for (const a of (s.notReadyAddresses ?? []) as { ip: string; targetRef?: { name: string } }[]) add(a, false);
  }
  return out;
}

/** Writes a file the pods read whole, then renames it into place: a reader never sees half (snapshot-file.ts). */
function snapshot(path: string, text: string, mode?: number): void {
  writeFileSync(`${path}.tmp`, text, mode === undefined ? undefined : { mode });
  renameSync(`${path}.tmp`, path);
}
