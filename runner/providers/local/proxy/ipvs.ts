/**
 * @module
 * kube-proxy's IPVS mode as a pure function (pkg/proxy/ipvs/proxier.go; notes with sources in
 * docs/research/kube-proxy-ipvs.md), so a node's `ipvsadm -Ln`, `ipset list` and
 * `iptables-save` read like a real node's.
 *
 * The kernel's IP Virtual Server does the load balancing: one virtual server per cluster IP and
 * port, per load-balancer IP and port, and per node address and NodePort, each with the ready
 * endpoints as masquerading (NAT) real servers. IPVS only sees packets addressed to the node,
 * so every cluster IP is put on a dummy interface, kube-ipvs0. iptables is left with the little
 * IPVS cannot do — marking traffic for masquerade — and it matches ipsets instead of one rule per
 * Service, so the rule count stays the same however many Services there are.
 *
 * A Service with no ready endpoint keeps its virtual server, with no real server: IPVS itself
 * answers a new connection to it with ICMP port unreachable (ip_vs_leave in the kernel's
 * net/netfilter/ipvs/ip_vs_core.c), so the client is refused at once, as in the other modes,
 * and no REJECT rule is written for it — kube-proxy writes none either.
 */
import { FlatnetError } from '../../../../checkers/errors.ts';
import { MASQUERADE_MARK } from './iptables.ts';
import type { JumpChain } from './jump-chains.ts';
import type { ProxyInput } from './model.ts';
import { servicePorts, type ServicePort } from './service-ports.ts';

/** The dummy interface the virtual addresses are put on (defaultDummyDevice). */
export const IPVS_DEVICE = 'kube-ipvs0';
/** kube-proxy's --ipvs-scheduler default: round robin. */
export const DEFAULT_SCHEDULER = 'rr';

export type Protocol = ServicePort['protocol'];

export interface RealServer {
  address: string;
  port: number;
  /** Always 1: kube-proxy gives every endpoint the same weight. */
  weight: number;
}

export interface VirtualServer {
  protocol: Protocol;
  address: string;
  port: number;
  scheduler: string;
  /** The Service port it stands for (`ns/name:port`), for messages. */
  service: string;
  realServers: RealServer[];
}

export interface IpSet {
  name: string;
  type: 'hash:ip' | 'hash:ip,port' | 'hash:ip,port,ip' | 'hash:ip,port,net' | 'bitmap:port';
  comment: string;
  /** As `ipset save` prints them: `10.96.0.10,tcp:53`, `30080`, `10.244.0.5,tcp:8080,10.244.0.5`. */
  members: string[];
}

export interface IpvsRules {
  virtualServers: VirtualServer[];
  /** What kube-ipvs0 carries, one /32 each: the cluster IPs and the load-balancer IPs. */
  addresses: string[];
  ipsets: IpSet[];
  /** The whole IPVS table as `ipvsadm -Sn` prints it (and `ipvsadm-restore` reads it). */
  ipvsadm: string;
  /** Creates every set and fills it, for `ipset restore` on an empty node. */
  ipsetRestore: string;
  /** The KUBE-* chains for `iptables-restore --noflush`, nat then filter, as kube-proxy writes them. */
  iptables: { nat: string; filter: string };
}

export interface IpvsOptions {
  /** --ipvs-scheduler: rr by default; the kernel module ip_vs_<scheduler> must exist. */
  scheduler?: string;
  /** iptables can do `MASQUERADE --random-fully` (kube-proxy's HasRandomFully). Default true. */
  randomFully?: boolean;
  /**
   * Addresses the node has on its other interfaces (kube-proxy's nodeAddressSet): a
   * load-balancer IP among them — the one a node announcing it carries on its loopback — is
   * not bound to kube-ipvs0 a second time.
   */
  localAddresses?: Iterable<string>;
}

// The set names and comments of pkg/proxy/ipvs/ipset.go; the comments reappear in the rules.
const SET = {
  loopBack: 'KUBE-LOOP-BACK',
  clusterIP: 'KUBE-CLUSTER-IP',
  externalIP: 'KUBE-EXTERNAL-IP',
  externalIPLocal: 'KUBE-EXTERNAL-IP-LOCAL',
  loadBalancer: 'KUBE-LOAD-BALANCER',
  loadBalancerFW: 'KUBE-LOAD-BALANCER-FW',
  loadBalancerLocal: 'KUBE-LOAD-BALANCER-LOCAL',
  loadBalancerSourceIP: 'KUBE-LOAD-BALANCER-SOURCE-IP',
  loadBalancerSourceCIDR: 'KUBE-LOAD-BALANCER-SOURCE-CIDR',
  nodePortTCP: 'KUBE-NODE-PORT-TCP',
  nodePortLocalTCP: 'KUBE-NODE-PORT-LOCAL-TCP',
  nodePortUDP: 'KUBE-NODE-PORT-UDP',
  nodePortLocalUDP: 'KUBE-NODE-PORT-LOCAL-UDP',
  nodePortSCTP: 'KUBE-NODE-PORT-SCTP-HASH',
  nodePortLocalSCTP: 'KUBE-NODE-PORT-LOCAL-SCTP-HASH',
  healthCheckNodePort: 'KUBE-HEALTH-CHECK-NODE-PORT',
  ipvsIPs: 'KUBE-IPVS-IPS',
} as const;

/** Every set kube-proxy creates (ipsetInfo), in its order: all exist even when empty, as on a real node. */
const SETS: readonly Omit<IpSet, 'members'>[] = [
  { name: SET.loopBack, type: 'hash:ip,port,ip', comment: 'Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose' },
  { name: SET.clusterIP, type: 'hash:ip,port', comment: 'Kubernetes service cluster ip + port for masquerade purpose' },
  { name: SET.externalIP, type: 'hash:ip,port', comment: 'Kubernetes service external ip + port for masquerade and filter purpose' },
  { name: SET.externalIPLocal, type: 'hash:ip,port', comment: 'Kubernetes service external ip + port with externalTrafficPolicy=local' },
  { name: SET.loadBalancer, type: 'hash:ip,port', comment: 'Kubernetes service lb portal' },
  { name: SET.loadBalancerFW, type: 'hash:ip,port', comment: 'Kubernetes service load balancer ip + port for load balancer with sourceRange' },
  { name: SET.loadBalancerLocal, type: 'hash:ip,port', comment: 'Kubernetes service load balancer ip + port with externalTrafficPolicy=local' },
  { name: SET.loadBalancerSourceIP, type: 'hash:ip,port,ip', comment: 'Kubernetes service load balancer ip + port + source IP for packet filter purpose' },
  { name: SET.loadBalancerSourceCIDR, type: 'hash:ip,port,net', comment: 'Kubernetes service load balancer ip + port + source cidr for packet filter purpose' },
  { name: SET.nodePortTCP, type: 'bitmap:port', comment: 'Kubernetes nodeport TCP port for masquerade purpose' },
  { name: SET.nodePortLocalTCP, type: 'bitmap:port', comment: 'Kubernetes nodeport TCP port with externalTrafficPolicy=local' },
  { name: SET.nodePortUDP, type: 'bitmap:port', comment: 'Kubernetes nodeport UDP port for masquerade purpose' },
  { name: SET.nodePortLocalUDP, type: 'bitmap:port', comment: 'Kubernetes nodeport UDP port with externalTrafficPolicy=local' },
  { name: SET.nodePortSCTP, type: 'hash:ip,port', comment: "Kubernetes nodeport SCTP port for masquerade purpose with type 'hash ip:port'" },
  { name: SET.nodePortLocalSCTP, type: 'hash:ip,port', comment: "Kubernetes nodeport SCTP port with externalTrafficPolicy=local with type 'hash ip:port'" },
  { name: SET.healthCheckNodePort, type: 'bitmap:port', comment: 'Kubernetes health check node port' },
  { name: SET.ipvsIPs, type: 'hash:ip', comment: 'Addresses on the ipvs interface' },
];

export const IPSET_NAMES: readonly string[] = SETS.map((s) => s.name);

/** The chains kube-proxy's IPVS mode owns (iptablesChains), per table. */
const NAT_CHAINS = ['KUBE-SERVICES', 'KUBE-POSTROUTING', 'KUBE-NODE-PORT', 'KUBE-LOAD-BALANCER', 'KUBE-MARK-MASQ'];
const FILTER_CHAINS = ['KUBE-FORWARD', 'KUBE-NODE-PORT', 'KUBE-PROXY-FIREWALL', 'KUBE-SOURCE-RANGES-FIREWALL', 'KUBE-IPVS-FILTER', 'KUBE-IPVS-OUT-FILTER'];

/** The jumps from the built-in chains (iptablesJumpChain), each ensured by prepending it when missing. */
export const IPVS_JUMP_CHAINS: readonly JumpChain[] = [
  { table: 'nat', srcChain: 'OUTPUT', dstChain: 'KUBE-SERVICES', comment: 'kubernetes service portals', extraArgs: [] },
  { table: 'nat', srcChain: 'PREROUTING', dstChain: 'KUBE-SERVICES', comment: 'kubernetes service portals', extraArgs: [] },
  { table: 'nat', srcChain: 'POSTROUTING', dstChain: 'KUBE-POSTROUTING', comment: 'kubernetes postrouting rules', extraArgs: [] },
  { table: 'filter', srcChain: 'FORWARD', dstChain: 'KUBE-FORWARD', comment: 'kubernetes forwarding rules', extraArgs: [] },
  { table: 'filter', srcChain: 'INPUT', dstChain: 'KUBE-NODE-PORT', comment: 'kubernetes health check rules', extraArgs: [] },
  { table: 'filter', srcChain: 'INPUT', dstChain: 'KUBE-PROXY-FIREWALL', comment: 'kube-proxy firewall rules', extraArgs: [] },
  { table: 'filter', srcChain: 'FORWARD', dstChain: 'KUBE-PROXY-FIREWALL', comment: 'kube-proxy firewall rules', extraArgs: [] },
  { table: 'filter', srcChain: 'INPUT', dstChain: 'KUBE-IPVS-FILTER', comment: 'kubernetes ipvs access filter', extraArgs: [] },
  { table: 'filter', srcChain: 'OUTPUT', dstChain: 'KUBE-IPVS-OUT-FILTER', comment: 'kubernetes ipvs access filter', extraArgs: [] },
];

/** ipvsadm's protocol option, as `ipvsadm -Sn` writes it. */
const PROTOCOL_FLAG: Record<Protocol, string> = { tcp: '-t', udp: '-u', sctp: '--sctp-service' };

export function kubeProxyIpvs(input: ProxyInput, options: IpvsOptions = {}): IpvsRules {
  const scheduler = options.scheduler ?? DEFAULT_SCHEDULER;
  if (!/^[a-z]{1,15}$/.test(scheduler)) {
    throw new FlatnetError('BadIpvsScheduler', `IPVS scheduler ${JSON.stringify(scheduler)} is not a scheduler name`, {}, 'use one of the kernel\'s IPVS schedulers: rr (the default), wrr, lc, wlc, sh, dh, mh, sed, nq');
  }
  const ports = servicePorts(input);
  const members = new Map<string, Set<string>>(SETS.map((s) => [s.name, new Set()]));
  const add = (set: string, member: string) => members.get(set)!.add(member);
  const servers = new Map<string, VirtualServer>();
  const addresses = new Set<string>();
  const local = new Set([...input.nodeIPs, ...(options.localAddresses ?? [])]);

  const virtualServer = (sp: ServicePort, address: string, port: number) => {
    const vs: VirtualServer = {
      protocol: sp.protocol,
      address,
      port,
      scheduler,
      service: sp.spn,
      realServers: sp.endpoints.map((ep) => ({ address: ep.slice(0, ep.lastIndexOf(':')), port: Number(ep.slice(ep.lastIndexOf(':') + 1)), weight: 1 })),
    };
    // The first Service port to claim an address and port keeps it, as the first AddVirtualServer would.
    const key = virtualServerKey(vs);
    if (!servers.has(key)) servers.set(key, vs);
  };

  for (const sp of ports) {
    const p = sp.protocol;
    // Hairpin: a pod that IPVS sends back to itself is masqueraded (KUBE-LOOP-BACK dst,dst,src).
    // kube-proxy lists only this node's endpoints; the model does not say where a pod runs, and
    // a remote endpoint's entry never matches here (its own packets do not pass this node's
    // POSTROUTING addressed to itself), so all of them are listed.
    for (const ep of sp.endpoints) {
      const ip = ep.slice(0, ep.lastIndexOf(':'));
      add(SET.loopBack, `${ip},${p}:${ep.slice(ep.lastIndexOf(':') + 1)},${ip}`);
    }
    add(SET.clusterIP, `${sp.clusterIP},${p}:${sp.port}`);
    virtualServer(sp, sp.clusterIP, sp.port);
    addresses.add(sp.clusterIP);

    for (const lb of sp.loadBalancerIPs) {
      add(SET.loadBalancer, `${lb},${p}:${sp.port}`);
      virtualServer(sp, lb, sp.port);
      // An address the node already has on another interface is not bound twice.
      if (!local.has(lb)) addresses.add(lb);
    }

    if (sp.nodePort !== 0) {
      if (p === 'tcp') add(SET.nodePortTCP, String(sp.nodePort));
      else if (p === 'udp') add(SET.nodePortUDP, String(sp.nodePort));
      else for (const ip of input.nodeIPs) add(SET.nodePortSCTP, `${ip},${p}:${sp.nodePort}`);
      for (const ip of input.nodeIPs) virtualServer(sp, ip, sp.nodePort);
    }
  }
  for (const ip of addresses) add(SET.ipvsIPs, ip);

  const ipsets: IpSet[] = SETS.map((s) => ({ ...s, members: [...members.get(s.name)!].sort() }));
  const virtualServers = [...servers.values()];
  return {
    virtualServers,
    addresses: [...addresses],
    ipsets,
    ipvsadm: ipvsadmSave(virtualServers),
    ipsetRestore: ipsetRestore(ipsets, new Map()),
    iptables: iptablesRules(ipsets, input.clusterCIDR, options.randomFully ?? true),
  };
}

/** `-t 10.96.0.10:80`: how ipvsadm names a virtual server. */
export const virtualServerKey = (vs: Pick<VirtualServer, 'protocol' | 'address' | 'port'>) => `${PROTOCOL_FLAG[vs.protocol]} ${vs.address}:${vs.port}`;

const serviceLine = (op: '-A' | '-E', vs: VirtualServer) => `${op} ${virtualServerKey(vs)} -s ${vs.scheduler}`;
/** `-m`: masquerading, the NAT forwarding kube-proxy uses for every real server. */
const realLine = (op: '-a' | '-e', vs: VirtualServer, rs: RealServer) => `${op} ${virtualServerKey(vs)} -r ${rs.address}:${rs.port} -m -w ${rs.weight}`;

/** The IPVS table in `ipvsadm -Sn` form: each virtual server, then its real servers. */
export function ipvsadmSave(virtualServers: readonly VirtualServer[]): string {
  const lines = virtualServers.flatMap((vs) => [serviceLine('-A', vs), ...vs.realServers.map((rs) => realLine('-a', vs, rs))]);
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** What `ipvsadm -Sn` shows: per virtual server (by key), its scheduler and real servers (`ip:port` → `-m -w 1`). */
export interface IpvsTable {
  services: Map<string, { scheduler: string; flags: string; reals: Map<string, string> }>;
}

/** Reads `ipvsadm -Sn` (or ipvsadmSave's output). */
export function parseIpvsadmSave(text: string): IpvsTable {
  const services: IpvsTable['services'] = new Map();
  for (const raw of text.split('\n')) {
    const words = raw.trim().split(/\s+/);
    const [op, flag, target] = words;
    if ((op !== '-A' && op !== '-a') || !flag || !target) continue;
    const key = `${flag} ${target}`;
    if (op === '-A') {
      const s = words.indexOf('-s');
      const scheduler = s > 0 ? (words[s + 1] ?? '') : '';
      // Persistence (-p), netmask (-M) and the like: compared as one string.
      const flags = words.slice(3).filter((_, i, rest) => !(rest[i] === '-s' || rest[i - 1] === '-s')).join(' ');
      services.set(key, { scheduler, flags, reals: services.get(key)?.reals ?? new Map() });
    } else {
      const r = words.indexOf('-r');
      const real = r > 0 ? words[r + 1] : undefined;
      if (!real) continue;
      const entry = services.get(key) ?? { scheduler: '', flags: '', reals: new Map() };
      entry.reals.set(real, words.slice(r + 2).join(' '));
      services.set(key, entry);
    }
  }
  return { services };
}

/**
 * The ipvsadm commands (for `ipvsadm-restore`) that turn the table `current` shows into the
 * wanted one, touching only what differs — kube-proxy's syncService, syncEndpoint and
 * cleanLegacyService. Unchanged virtual servers and real servers are left alone, so their
 * established connections keep flowing; `ipvsadm --clear` and a full restore would cut them.
 */
export function ipvsadmDiff(current: IpvsTable, wanted: readonly VirtualServer[]): string[] {
  const out: string[] = [];
  const wantedKeys = new Set(wanted.map(virtualServerKey));
  for (const key of [...current.services.keys()].sort()) if (!wantedKeys.has(key)) out.push(`-D ${key}`);
  for (const vs of wanted) {
    const key = virtualServerKey(vs);
    const have = current.services.get(key);
    if (!have) {
      out.push(serviceLine('-A', vs), ...vs.realServers.map((rs) => realLine('-a', vs, rs)));
      continue;
    }
    if (have.scheduler !== vs.scheduler || have.flags !== '') out.push(serviceLine('-E', vs));
    const wantReals = new Map(vs.realServers.map((rs) => [`${rs.address}:${rs.port}`, rs]));
    for (const real of [...have.reals.keys()].sort()) if (!wantReals.has(real)) out.push(`-d ${key} -r ${real}`);
    for (const [real, rs] of wantReals) {
      const now = have.reals.get(real);
      if (now === undefined) out.push(realLine('-a', vs, rs));
      else if (now !== `-m -w ${rs.weight}`) out.push(realLine('-e', vs, rs));
    }
  }
  return out;
}

/** Members per set, from `ipset save` (only the `add` lines count). */
export function parseIpsetSave(text: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const [op, set, member] = line.trim().split(/\s+/);
    if (op === 'create' && set && !out.has(set)) out.set(set, new Set());
    if (op !== 'add' || !set || !member) continue;
    if (!out.has(set)) out.set(set, new Set());
    out.get(set)!.add(member);
  }
  return out;
}

/** The `create` arguments kube-proxy passes (createSet: the defaults of setIPSetDefaults). */
function createArgs(set: Omit<IpSet, 'members'>): string {
  return set.type === 'bitmap:port' ? `${set.type} range 0-65535` : `${set.type} family inet hashsize 1024 maxelem 65536`;
}

/**
 * `ipset restore` input, as kube-proxy's syncIPSetEntries writes it: every set created
 * (`-exist`: an existing one is kept), then per set the stale members deleted and the new ones
 * added — only the difference, so a member that stays is never missing, not even for a moment.
 * `current` is what `ipset save` shows (an empty map for a new node).
 */
export function ipsetRestore(sets: readonly IpSet[], current: Map<string, Set<string>>): string {
  const lines = sets.map((s) => `create ${s.name} ${createArgs(s)} -exist`);
  for (const s of sets) {
    const have = current.get(s.name) ?? new Set<string>();
    const want = new Set(s.members);
    for (const m of [...have].sort()) if (!want.has(m)) lines.push(`del ${s.name} ${m}`);
    for (const m of s.members) if (!have.has(m)) lines.push(`add ${s.name} ${m} -exist`);
  }
  return `${lines.join('\n')}\n`;
}

const quoted = (text: string) => `"${text}"`;
const setComment = (name: string) => quoted(SETS.find((s) => s.name === name)!.comment);

/** The nat and filter sections, rule by rule as writeIptablesRules writes them. */
function iptablesRules(ipsets: readonly IpSet[], clusterCIDR: string, randomFully: boolean): { nat: string; filter: string } {
  const nonEmpty = (name: string) => (ipsets.find((s) => s.name === name)?.members.length ?? 0) > 0;
  const nat: string[] = [];
  const filter: string[] = [];
  const matchSet = (name: string, dir: string) => ['-m', 'set', '--match-set', name, dir];

  // Connections from the node's loopback are left alone early (no NodePorts on 127.0.0.1 in this mode).
  nat.push(['-A', 'KUBE-SERVICES', '-s', '127.0.0.0/8', '-j', 'RETURN'].join(' '));

  // ipsetWithIptablesChain: one rule per non-empty set.
  const setRules: [set: string, table: string[], from: string, to: string, dir: string, proto: string][] = [
    [SET.loopBack, nat, 'KUBE-POSTROUTING', 'MASQUERADE', 'dst,dst,src', ''],
    [SET.loadBalancer, nat, 'KUBE-SERVICES', 'KUBE-LOAD-BALANCER', 'dst,dst', ''],
    [SET.loadBalancerLocal, nat, 'KUBE-LOAD-BALANCER', 'RETURN', 'dst,dst', ''],
    [SET.nodePortLocalTCP, nat, 'KUBE-NODE-PORT', 'RETURN', 'dst', 'tcp'],
    [SET.nodePortTCP, nat, 'KUBE-NODE-PORT', 'KUBE-MARK-MASQ', 'dst', 'tcp'],
    [SET.nodePortLocalUDP, nat, 'KUBE-NODE-PORT', 'RETURN', 'dst', 'udp'],
    [SET.nodePortUDP, nat, 'KUBE-NODE-PORT', 'KUBE-MARK-MASQ', 'dst', 'udp'],
    [SET.nodePortLocalSCTP, nat, 'KUBE-NODE-PORT', 'RETURN', 'dst,dst', 'sctp'],
    [SET.nodePortSCTP, nat, 'KUBE-NODE-PORT', 'KUBE-MARK-MASQ', 'dst,dst', 'sctp'],
    [SET.loadBalancerFW, filter, 'KUBE-PROXY-FIREWALL', 'KUBE-SOURCE-RANGES-FIREWALL', 'dst,dst', ''],
    [SET.loadBalancerSourceCIDR, filter, 'KUBE-SOURCE-RANGES-FIREWALL', 'RETURN', 'dst,dst,src', ''],
    [SET.loadBalancerSourceIP, filter, 'KUBE-SOURCE-RANGES-FIREWALL', 'RETURN', 'dst,dst,src', ''],
  ];
  for (const [set, table, from, to, dir, proto] of setRules) {
    if (!nonEmpty(set)) continue;
    table.push(['-A', from, ...(proto ? ['-p', proto] : []), '-m', 'comment', '--comment', setComment(set), ...matchSet(set, dir), '-j', to].join(' '));
  }

  // Traffic to a cluster IP from outside the pod network (the node itself, say) must come back
  // through this node, so it is masqueraded (the LocalTrafficDetector on the cluster CIDR).
  if (nonEmpty(SET.clusterIP)) {
    nat.push(['-A', 'KUBE-SERVICES', '-m', 'comment', '--comment', setComment(SET.clusterIP), ...matchSet(SET.clusterIP, 'dst,dst'), '!', '-s', clusterCIDR, '-j', 'KUBE-MARK-MASQ'].join(' '));
  }
  nat.push(['-A', 'KUBE-SERVICES', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'KUBE-NODE-PORT'].join(' '));
  // Load-balancer traffic may cross nodes, so it is always masqueraded.
  nat.push(['-A', 'KUBE-LOAD-BALANCER', '-j', 'KUBE-MARK-MASQ'].join(' '));
  filter.push(['-A', 'KUBE-SOURCE-RANGES-FIREWALL', '-j', 'DROP'].join(' '));
  // Accept what IPVS will handle, so no later nat rule (another tool's) rewrites it first.
  for (const set of [SET.clusterIP, SET.loadBalancer]) {
    if (nonEmpty(set)) nat.push(['-A', 'KUBE-SERVICES', ...matchSet(set, 'dst,dst'), '-j', 'ACCEPT'].join(' '));
  }

  const mark = `${MASQUERADE_MARK}/${MASQUERADE_MARK}`;
  // Forward what was marked for masquerade, and its replies, even where FORWARD's policy is DROP.
  filter.push(['-A', 'KUBE-FORWARD', '-m', 'comment', '--comment', quoted('kubernetes forwarding rules'), '-m', 'mark', '--mark', mark, '-j', 'ACCEPT'].join(' '));
  filter.push(['-A', 'KUBE-FORWARD', '-m', 'comment', '--comment', quoted('kubernetes forwarding conntrack rule'), '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'].join(' '));
  filter.push(['-A', 'KUBE-NODE-PORT', '-m', 'comment', '--comment', setComment(SET.healthCheckNodePort), ...matchSet(SET.healthCheckNodePort, 'dst'), '-j', 'ACCEPT'].join(' '));

  // The addresses on kube-ipvs0 are the node's own, so every port the node listens on would
  // answer on them too (issue 72236): only the Services' ports are let through, new connections
  // to any other port of those addresses are refused.
  for (const [set, dir] of [[SET.loadBalancer, 'dst,dst'], [SET.clusterIP, 'dst,dst'], [SET.externalIP, 'dst,dst'], [SET.externalIPLocal, 'dst,dst'], [SET.healthCheckNodePort, 'dst']] as const) {
    filter.push(['-A', 'KUBE-IPVS-FILTER', ...matchSet(set, dir), '-j', 'RETURN'].join(' '));
  }
  filter.push(['-A', 'KUBE-IPVS-FILTER', '-m', 'conntrack', '--ctstate', 'NEW', ...matchSet(SET.ipvsIPs, 'dst'), '-j', 'REJECT'].join(' '));

  // Masquerade is two steps, as in the iptables mode: marked where decided, done here.
  nat.push(['-A', 'KUBE-POSTROUTING', '-m', 'mark', '!', '--mark', mark, '-j', 'RETURN'].join(' '));
  nat.push(['-A', 'KUBE-POSTROUTING', '-j', 'MARK', '--xor-mark', MASQUERADE_MARK].join(' '));
  nat.push(['-A', 'KUBE-POSTROUTING', '-m', 'comment', '--comment', quoted('kubernetes service traffic requiring SNAT'), '-j', 'MASQUERADE', ...(randomFully ? ['--random-fully'] : [])].join(' '));
  nat.push(['-A', 'KUBE-MARK-MASQ', '-j', 'MARK', '--or-mark', MASQUERADE_MARK].join(' '));

  const section = (table: string, chains: string[], rules: string[]) => [`*${table}`, ...chains.map((c) => `:${c} - [0:0]`), ...rules, 'COMMIT', ''].join('\n');
  return { nat: section('nat', NAT_CHAINS, nat), filter: section('filter', FILTER_CHAINS, filter) };
}
