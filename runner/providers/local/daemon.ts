/**
 * @module
 * The cluster process: one per cluster, started detached by `flatnet cluster up`. It owns
 * the object store, the node sandbox, the controllers and the control socket the CLI talks
 * to. Ordered start-up actions, and on SIGTERM an orderly stop; on SIGKILL the node dies
 * with it (see sandbox.ts).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installConfig, type NetworkConfig, type Subnet } from './cni.ts';
import { MTU, NODE_IP, NODE_POD_CIDR, clusterDir, nodeName } from './config.ts';
import { bindControlServer, serveControl } from './control/server.ts';
import { startApiServer } from './api/server.ts';
import { ensureCredentials, kubeconfigYaml, writeKubeconfig } from './api/tls.ts';
import { becomeOwner, Record } from './owner.ts';
import { bootstrap } from './controllers/bootstrap.ts';
import { Dataplane } from './controllers/dataplane.ts';
import { reconcileEndpoints } from './controllers/endpoints.ts';
import { Recorder } from './controllers/events.ts';
import { DNS_MAIN, Kubelet } from './controllers/kubelet.ts';
import { reconcileNamespaces } from './controllers/namespaces.ts';
import { portForwardTarget } from './pods/forward.ts';
import { PodRuntime } from './pods/runtime.ts';
import { NODE_SHELL_PRELOAD, Sandbox } from './sandbox.ts';
import { ensureNative } from './native/build.ts';
import { loadSnapshot, persist } from './store/persist.ts';
import { ObjectStore } from './store/store.ts';
import { debug } from '../../log.ts';
import { ensureBundle } from '../../build/bundle.ts';

export interface DaemonInfo {
  name: string;
  pid: number;
  nodePid: number;
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
  node: Sandbox;
  kubelet: Kubelet;
  dataplane: Dataplane;
  runtime: PodRuntime;
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
  for (const d of [logDir, recordsDir]) mkdirSync(d, { recursive: true });
  const rootless = process.getuid?.() !== 0;
  const node = nodeName(name);
  const net: NetworkConfig = { podSubnets: options.podSubnets ?? [NODE_POD_CIDR], podSubnetsV6: options.podSubnetsV6, mtu: MTU };

  // 1. The store, as it was when the cluster last ran.
  const store = new ObjectStore(loadSnapshot(data));
  const flush = persist(store, data);
  // 2. The node: namespaces, CNI config.
  debug(`starting cluster ${name} (${rootless ? 'rootless' : 'root'})`);
  void ensureBundle('dns', DNS_MAIN); // ready by the time the coredns pods start
  const credentials = ensureCredentials(data); // made while the node starts
  credentials.catch(() => {}); // awaited below; this only keeps an early failure from being unhandled
  const sandbox = await Sandbox.start({ node, nodeIP: NODE_IP, rootless });
  debug(`node sandbox up, holder pid ${sandbox.pid}`);
  installConfig(sandbox, net);
  if (rootless) copyFileSync(ensureNative('nosetgroups'), sandbox.path(NODE_SHELL_PRELOAD));
  const runtime = new PodRuntime(sandbox, net);
  const cluster: Cluster = {
    name,
    store,
    node: sandbox,
    runtime,
    kubelet: new Kubelet(store, runtime, new Recorder(store, 'kubelet', node), { node, hostIP: NODE_IP, logDir, recordsDir }),
    dataplane: new Dataplane(store, sandbox, NODE_IP, recordsDir),
    stage: 'Starting control plane',
    ready: false,
  };
  // 3. The control routes, so `cluster up` can follow progress from here on.
  serveControl(server, cluster);
  // 4. System objects, then the controllers that make them real: the pods start now.
  bootstrap(store, node, NODE_IP);
  cluster.stage = 'Starting CoreDNS';
  cluster.dataplane.start();
  cluster.kubelet.start();
  const controllers = () => {
    reconcileNamespaces(store);
    reconcileEndpoints(store, node);
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
      const target = cluster.kubelet.container(ns, pod, container);
      return tty ? cluster.runtime.execTty(target.running, argv, tty) : cluster.runtime.exec(target.running, argv);
    },
    attach: async (ns, pod, container) => {
      const { running, tty, releaseStdin } = cluster.kubelet.attachTarget(ns, pod, container);
      return { tty, releaseStdin, exited: running.exited, watchOutput: running.watchOutput, stdin: running.stdin, resize: running.resize };
    },
    ...portForwardTarget(store, sandbox, runtime),
  }, logDir);
  let kubeconfig: string;
  if (records) {
    records.kubeconfig.write(kubeconfigYaml(name, api.port, creds));
    kubeconfig = records.kubeconfig.path;
  } else kubeconfig = writeKubeconfig(dir, name, api.port, creds);
  const info: DaemonInfo = { name, pid: process.pid, nodePid: sandbox.pid, rootless, socket, apiPort: api.port, kubeconfig, startedAt: new Date().toISOString() };
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
    await sandbox.stop(); // ends every pod at once: the kernel kills the node's PID namespace
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
  podSubnets?: Subnet[];
  podSubnetsV6?: Subnet[];
  /** The uid the cluster runs as, once started (owner.ts); root only. */
  owner?: number;
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
