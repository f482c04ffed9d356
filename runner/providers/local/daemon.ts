/**
 * @module
 * The cluster process: one per cluster, started detached by `flatnet cluster up`. It owns
 * the object store, the cluster's sandbox and its nodes, the controllers and the control
 * socket the CLI talks to. Ordered start-up actions, and on SIGTERM an orderly stop; on
 * SIGKILL the nodes die with it (see sandbox.ts).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installConfig, type NetworkConfig, type Subnet } from './cni.ts';
import { clusterDir } from './config.ts';
import { bindControlServer, serveControl } from './control/server.ts';
import { startApiServer } from './api/server.ts';
import { ensureCredentials, kubeconfigYaml, writeKubeconfig } from './api/tls.ts';
import { becomeOwner, Record } from './owner.ts';
import { bootstrap, ensureObject } from './controllers/bootstrap.ts';
import { Dataplane } from './controllers/dataplane.ts';
import { reconcileEndpoints } from './controllers/endpoints.ts';
import { reconcileLoadBalancers } from './controllers/loadbalancer.ts';
import { ingressAddon } from '../../../checkers/ingress/addon.ts';
import { reconcileIngressStatus } from './controllers/ingress.ts';
import { Recorder } from './controllers/events.ts';
import { DNS_MAIN, Kubelet } from './controllers/kubelet.ts';
import { reconcileNamespaces } from './controllers/namespaces.ts';
import { portForwardTarget } from './pods/forward.ts';
import { PodRuntime } from './pods/runtime.ts';
import { Scheduler } from './controllers/scheduler.ts';
import { NODE_SHELL_PRELOAD, Node } from './node.ts';
import { overlaySetup } from './overlay.ts';
import { Sandbox } from './sandbox.ts';
import { planTopology, type PodNetworkMode, type Topology } from './topology.ts';
import type { ProxyMode } from './proxy/mode.ts';
import { FlatnetError } from '../../../checkers/errors.ts';
import { ensureNative } from './native/build.ts';
import { loadSnapshot, persist } from './store/persist.ts';
import { ObjectStore } from './store/store.ts';
import { debug } from '../../log.ts';
import { ensureBundle } from '../../build/bundle.ts';

export interface DaemonInfo {
  name: string;
  pid: number;
  /** Host PID of the cluster sandbox's holder: when it is gone, so is every node. */
  sandboxPid: number;
  /** The first node's holder (the control plane), for `cluster shell node`. */
  nodePid: number;
  nodes: { name: string; ip: string; pid: number }[];
  network: PodNetworkMode;
  proxyMode: ProxyMode;
  rootless: boolean;
  socket: string;
  /** The Kubernetes API's port on 127.0.0.1, and the kubeconfig that reaches it. */
  apiPort: number;
  kubeconfig: string;
  startedAt: string;
}

export interface Cluster {
  name: string;
  store: ObjectStore;
  sandbox: Sandbox;
  topology: Topology;
  /** Every node with what runs its pods, control plane first. */
  nodes: NodeAgent[];
  dataplane: Dataplane;
  /** Where the kubelets write container logs (api/logs.ts reads them). */
  logDir: string;
  /** Progress of start-up, for `cluster up` to show. */
  stage: string;
  ready: boolean;
  /** Milliseconds from the daemon process starting to Ready (its own share of `cluster up`). */
  readyAfterMs?: number;
  /** Set once running: stops the cluster in order. */
  onShutdown?: () => Promise<void>;
}

export async function runDaemon(name: string): Promise<void> {
  const dir = clusterDir(name);
  mkdirSync(dir, { recursive: true });
  const options = readOptions(dir);
  // 0. The control socket, bound first: an owned cluster binds it, and opens the files root
  // will trust, while still root; then it becomes its owner (owner.ts).
  const socket = join(dir, 'control.sock');
  const server = await bindControlServer(socket);
  let data = dir;
  let records: { info: Record; kubeconfig: Record } | undefined;
  if (options.owner !== undefined) {
    data = join(dir, 'data');
    records = { info: new Record(join(dir, 'daemon.json'), 0o644), kubeconfig: new Record(join(dir, 'kubeconfig'), 0o600) };
    becomeOwner(options.owner);
  }
  const logDir = join(data, 'logs');
  const recordsDir = join(data, 'dns');
  const ingressDir = join(data, 'ingress');
  for (const d of [logDir, recordsDir, ingressDir]) mkdirSync(d, { recursive: true });
  const rootless = process.getuid?.() !== 0;
  const topology = planTopology(name, options);

  // 1. The store, as it was when the cluster last ran.
  const store = new ObjectStore(loadSnapshot(data));
  const flush = persist(store, data);
  // 2. The sandbox and its nodes: namespaces, the pod network between nodes, CNI config.
  debug(`starting cluster ${name} (${rootless ? 'rootless' : 'root'}, ${topology.nodes.length} node(s), ${topology.network})`);
  void ensureBundle('dns', DNS_MAIN); // ready by the time the coredns pods start
  const credentials = ensureCredentials(data); // made while the node starts
  credentials.catch(() => {}); // awaited below; this only keeps an early failure from being unhandled
  const sandbox = await Sandbox.start({ rootless });
  debug(`cluster sandbox up, holder pid ${sandbox.pid}`);
  const nodes = await Promise.all(topology.nodes.map((plan) => startNode(sandbox, plan, topology, options)));
  const cluster: Cluster = {
    name,
    store,
    sandbox,
    topology,
    nodes: nodes.map(({ node, net }) => {
      const runtime = new PodRuntime(node, net);
      const kubelet = new Kubelet(store, runtime, new Recorder(store, 'kubelet', node.name), { node: node.name, hostIP: node.ip, logDir, recordsDir, ingressDir });
      return { node, runtime, kubelet };
    }),
    dataplane: new Dataplane(store, nodes.map((n) => n.node), { recordsDir, ...(options.ingress ? { ingressDir } : {}) }, options.proxyMode ?? 'iptables'),
    logDir,
    stage: 'Starting control plane',
    ready: false,
  };
  // 3. The control routes, so `cluster up` can follow progress from here on.
  serveControl(server, cluster);
  // 4. System objects, then the controllers that make them real: the pods start now.
  bootstrap(store, topology);
  if (options.ingress) for (const o of ingressAddon()) ensureObject(store, o);
  cluster.stage = 'Starting CoreDNS';
  cluster.dataplane.start();
  new Scheduler(store, new Recorder(store, 'default-scheduler', '')).start();
  for (const a of cluster.nodes) a.kubelet.start();
  const lbEvents = new Recorder(store, 'metallb-controller', '');
  const lbFailures = new Map<string, string>();
  const controllers = () => {
    reconcileNamespaces(store);
    reconcileEndpoints(store);
    reconcileLoadBalancers(store, lbEvents, lbFailures);
    reconcileIngressStatus(store);
  };
  let pending = false;
  store.watch(() => {
    if (pending) return;
    pending = true;
    queueMicrotask(() => {
      pending = false;
      controllers();
    });
  });
  controllers();
  // 5. The Kubernetes API for kubectl, while the system pods start.
  // On 127.0.0.1 only, with this cluster's CA and token.
  const creds = await credentials;
  const api = await startApiServer(store, creds, {
    exec: async (ns, pod, container, argv, tty) => {
      const { kubelet, runtime } = agentOf(cluster, ns, pod);
      const target = kubelet.container(ns, pod, container);
      return tty ? runtime.execTty(target.running, argv, tty) : runtime.exec(target.running, argv);
    },
    attach: async (ns, pod, container) => {
      const { running, tty, releaseStdin } = agentOf(cluster, ns, pod).kubelet.attachTarget(ns, pod, container);
      return { tty, releaseStdin, exited: running.exited, watchOutput: running.watchOutput, stdin: running.stdin, resize: running.resize };
    },
    ...portForwardTarget(store, (ns, pod) => agentOf(cluster, ns, pod)),
  }, logDir);
  let kubeconfig: string;
  if (records) {
    records.kubeconfig.write(kubeconfigYaml(name, api.port, creds));
    kubeconfig = records.kubeconfig.path;
  } else kubeconfig = writeKubeconfig(dir, name, api.port, creds);
  const info: DaemonInfo = {
    name,
    pid: process.pid,
    sandboxPid: sandbox.pid,
    nodePid: nodes[0]!.node.pid,
    nodes: nodes.map(({ node }) => ({ name: node.name, ip: node.ip, pid: node.pid })),
    network: topology.network,
    proxyMode: options.proxyMode ?? 'iptables',
    rootless,
    socket,
    apiPort: api.port,
    kubeconfig,
    startedAt: new Date().toISOString(),
  };
  if (records) records.info.write(JSON.stringify(info, null, 2)); // a half-written file does not parse: readers wait
  else {
    // Written whole, then renamed: `cluster up` polls this file and must never read half of it.
    writeFileSync(join(dir, 'daemon.json.tmp'), JSON.stringify(info, null, 2));
    renameSync(join(dir, 'daemon.json.tmp'), join(dir, 'daemon.json'));
  }

  await untilDnsReady(store);
  debug('coredns ready');
  await cluster.dataplane.settled();
  debug('dataplane settled: ready');
  cluster.stage = 'Ready';
  cluster.readyAfterMs = Math.round(performance.now());
  cluster.ready = true;

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    server.close();
    api.server.close();
    await sandbox.stop(); // ends every node and pod at once: the kernel kills the sandbox's PID namespace
    flush();
    // An owned cluster cannot remove root's files: `cluster down` removes the whole folder.
    if (!records) {
      rmSync(socket, { force: true });
      rmSync(join(dir, 'daemon.json'), { force: true });
    }
    process.exit(0);
  };
  cluster.onShutdown = stop;
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

/** Options `cluster up` leaves for the daemon (e.g. `reach --live` widens the pod subnets to fit requested addresses). */
export interface ClusterOptions {
  /** How many nodes (default 1), and how pod traffic crosses between them (topology.ts). */
  nodes?: number;
  network?: PodNetworkMode;
  /** kube-proxy's mode for Services (default iptables; proxy/mode.ts). */
  proxyMode?: ProxyMode;
  /** Run the ingress controller addon (controllers/ingress.ts). */
  ingress?: boolean;
  /** A one-node cluster's pod subnets, instead of 10.244.0.0/24. */
  podSubnets?: Subnet[];
  podSubnetsV6?: Subnet[];
  /** The uid the cluster runs as, once started (owner.ts); root only. */
  owner?: number;
}

export interface NodeAgent {
  node: Node;
  runtime: PodRuntime;
  kubelet: Kubelet;
}

/** The node a pod is bound to, with its kubelet and runtime. */
export function agentOf(c: Cluster, namespace: string, pod: string): NodeAgent {
  const obj = c.store.get('pods', namespace, pod);
  if (!obj) throw new FlatnetError('NotFound', `pods "${pod}" not found`);
  const node = obj.spec?.nodeName as string | undefined;
  const agent = c.nodes.find((a) => a.node.name === node);
  if (!agent) throw new FlatnetError('BadRequest', `pod ${pod} is not running on any node${node ? ` (node ${node} does not exist)` : ' yet (not scheduled)'}`, {}, 'see `kubectl describe pod` for why');
  return agent;
}

/** One node: its namespaces, its CNI config, and its end of the pod network between nodes. */
async function startNode(sandbox: Sandbox, plan: Topology['nodes'][number], topology: Topology, options: ClusterOptions): Promise<{ node: Node; net: NetworkConfig }> {
  const node = await Node.start(sandbox, plan);
  debug(`node ${node.name} up, holder pid ${node.pid}`);
  // `reach --live` may widen a one-node cluster's pod subnets to fit the addresses it asks for.
  const single = topology.nodes.length === 1;
  const net: NetworkConfig = {
    podSubnets: single && options.podSubnets ? options.podSubnets : [plan.podCIDR],
    ...(single && options.podSubnetsV6 ? { podSubnetsV6: options.podSubnetsV6 } : {}),
    mtu: topology.mtu,
  };
  installConfig(node, net);
  if (sandbox.rootless) copyFileSync(ensureNative('nosetgroups'), node.path(NODE_SHELL_PRELOAD));
  if (topology.nodes.length > 1) {
    const setup = overlaySetup(topology.network, plan, topology.nodes, topology.mtu);
    await must(node, `setting up ${topology.network} on ${node.name}`, setup.script);
    if (setup.agent) {
      const agent = node.spawn(ensureNative('tunnel'), setup.agent, { stdio: ['ignore', 'ignore', 'pipe'] });
      agent.stderr!.on('data', (b: Buffer) => debug(`tunnel agent on ${node.name}: ${b.toString().trim()}`));
      await must(node, `routing ${topology.network} on ${node.name}`, `for i in $(seq 100); do ip link show ${setup.agent[1]} | grep -q LOWER_UP && break; sleep 0.01; done\n${setup.routes ?? ''}`);
    }
  }
  return { node, net };
}

async function must(node: Node, what: string, script: string): Promise<void> {
  const r = await node.run('sh', ['-c', script]);
  if (r.code !== 0) throw new FlatnetError('SandboxFailed', `${what} failed: ${r.stderr.trim() || `exit ${r.code}`}`, {}, 'run `npx flatnet doctor` to see what this host is missing');
}

function readOptions(dir: string): ClusterOptions {
  const path = join(dir, 'options.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ClusterOptions) : {};
}

async function untilDnsReady(store: ObjectStore): Promise<void> {
  for (;;) {
    const dns = store.list('pods', 'kube-system', (p) => p.metadata.labels?.['k8s-app'] === 'kube-dns');
    if (dns.length > 0 && dns.every((p) => (p.status?.conditions as { type: string; status: string }[] | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True'))) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}
