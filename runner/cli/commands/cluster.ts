/**
 * @module
 * `flatnet cluster up|down|status|apply|exec|shell|port-forward`: drive the embedded `local` cluster.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { FlatnetError } from '../../../checkers/errors.ts';
import { call, daemonInfo, isAlive, notRunning } from '../../providers/local/client.ts';
import { forwardToLoadBalancer, loadBalancerTarget, loopbackAddress, parsePortSpec } from '../../providers/local/lb-forward.ts';
import type { KObject } from '../../providers/local/store/types.ts';
import { runDaemon } from '../../providers/local/daemon.ts';
import { NODE_SHELL_PRELOAD } from '../../providers/local/node.ts';
import { planTopology, type PodNetworkMode } from '../../providers/local/topology.ts';
import { checkProxyMode, parseProxyMode } from '../../providers/local/proxy/mode.ts';
import { down, downAll, list, up } from '../../providers/local/lifecycle.ts';
import { enterContainer } from '../../providers/local/pods/runtime.ts';
import { chooseProvider } from '../../providers/choose.ts';
import { readInputs } from '../inputs.ts';
import type { Command, IO } from '../command.ts';

const USAGE = `flatnet cluster <subcommand> [--name NAME] [--provider local|kind]

  up [--nodes N] [--network vxlan|ipip|geneve|routed] [--proxy-mode iptables|nftables|ipvs] [--ingress]
                           start a cluster (default name: flatnet, one node) and wait until it
                           is ready; with N > 1 nodes, pod traffic between nodes goes over the
                           network mode (default vxlan); Services are programmed by kube-proxy's
                           iptables mode (default), its nftables mode (\`nft list ruleset\` on a node)
                           or, where the kernel has IPVS, its ipvs mode (\`ipvsadm -Ln\`);
                           --ingress adds an ingress controller (IngressClass flatnet, the default, and
                           GatewayClass flatnet for the Gateway API) behind a LoadBalancer Service
                           in namespace ingress-flatnet
  down [--all]             stop a cluster and delete its state; --all also removes leftovers of crashed clusters
  status                   list clusters and their pods
  kubeconfig               print the path of the cluster's kubeconfig (for KUBECONFIG=...)
  apply -f FILE_OR_DIR     create or update objects (like kubectl apply)
  exec NS/POD [-c C] [-i] [-t] -- CMD...
                           run a command in a pod's container
  shell node [--node N] [-- CMD...]
                           a shell on a node, or CMD run there (ip a, iptables-save, cat /etc/cni/net.d/*, tcpdump -i any);
                           N is the node's number (0 is the control plane; node N has pods 10.244.N.0/24)
                           or its name (as \`kubectl get nodes\` shows)
  shell client [-- CMD...] a shell outside the cluster on its underlay (172.18.0.1, like the host of a
                           kind cluster): curl a LoadBalancer Service's EXTERNAL-IP from here
  port-forward NS/SERVICE [LOCAL:]PORT [--address 127.0.0.1]
                           reach a LoadBalancer Service's EXTERNAL-IP from the host: listens on
                           127.0.0.1:LOCAL (default PORT; 0 picks a free one) and carries each
                           connection to EXTERNAL-IP:PORT from outside the cluster, through the
                           load balancer as the world's traffic goes (PORT: the Service's port,
                           number or name); runs until Ctrl-C. --address: a 127.0.0.0/8 address only

The cluster is made of real Linux parts inside its own namespaces (docs/0001-local-cluster.md).

--provider kind: a real kind cluster (Docker) instead, for up, down [--all], status and kubeconfig:
  up --provider kind [--cni calico|cilium|kindnet] [--nodes N]
                           kind cluster flatnet-NAME with that CNI (default calico), ready when
                           the CNI's pods and CoreDNS are; \`npx flatnet doctor --provider kind\` first`;

export const clusterCommand: Command = {
  name: 'cluster',
  summary: 'Run the embedded local cluster: up, down, status, kubeconfig, apply, exec, shell, port-forward',
  usage: USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    const split = rest.indexOf('--');
    const flags = split >= 0 ? rest.slice(0, split) : rest;
    const command = split >= 0 ? rest.slice(split + 1) : [];
    const { values, positionals } = parseArgs({
      args: flags,
      options: {
        name: { type: 'string', default: process.env.FLATNET_CLUSTER || 'flatnet' },
        all: { type: 'boolean', default: false },
        filename: { type: 'string', short: 'f', multiple: true },
        container: { type: 'string', short: 'c' },
        stdin: { type: 'boolean', short: 'i', default: false },
        tty: { type: 'boolean', short: 't', default: false },
        provider: { type: 'string', default: 'local' },
        cni: { type: 'string' },
        nodes: { type: 'string' },
        network: { type: 'string' },
        node: { type: 'string' },
        'proxy-mode': { type: 'string' },
        ingress: { type: 'boolean', default: false },
        address: { type: 'string' },
      },
      allowPositionals: true,
    });
    const name = values.name;
    if (values.provider !== 'local' || values.cni !== undefined) return kindCluster(sub, name, values, io);
    switch (sub) {
      case '__daemon':
        await runDaemon(name);
        return new Promise<number>(() => {}); // runs until stopped
      case 'up': {
        const nodes = nodeCount(values.nodes);
        const network = values.network as PodNetworkMode | undefined;
        const topology = planTopology(name, { nodes, network }); // bad values fail before anything starts
        const proxyMode = values['proxy-mode'] === undefined ? undefined : checkProxyMode(values['proxy-mode']);
        io.err(`Creating cluster "${name}"${topology.nodes.length > 1 ? ` with ${topology.nodes.length} nodes, ${topology.network} between them (pod MTU ${topology.mtu})` : ''} ...`);
        const ms = await up(name, { stage: (s) => io.err(` • ${s}`) }, { ...(nodes !== undefined ? { nodes } : {}), ...(network ? { network } : {}), ...(proxyMode ? { proxyMode } : {}), ...(values.ingress ? { ingress: true } : {}) });
        io.err(` ✓ Ready in ${(ms / 1000).toFixed(2)}s`);
        io.err('\nUse kubectl with it:');
        io.out(`export KUBECONFIG=${daemonInfo(name)!.kubeconfig}`);
        return 0;
      }
      case 'down': {
        if (values.all) {
          const removed = await downAll();
          io.err(removed.length ? `Deleted: ${removed.join(', ')}` : 'Nothing to delete');
        } else {
          io.err((await down(name)) ? `Deleted cluster "${name}"` : `No cluster "${name}"`);
        }
        return 0;
      }
      case 'status':
        return status(io);
      case 'kubeconfig': {
        const info = daemonInfo(name);
        if (!info) throw notRunning(name);
        io.out(info.kubeconfig);
        return 0;
      }
      case 'apply': {
        const objects = readInputs(values.filename ?? []).map((m) => m.object);
        const r = await call<{ lines: string[] }>(name, 'POST', '/apply', { objects });
        for (const l of r.lines) io.out(l);
        await call(name, 'POST', '/settle');
        return 0;
      }
      case 'exec':
        return exec(name, positionals[0], values.container, command, values.tty);
      case 'shell':
        if (positionals[0] === 'client') return shellClient(name, command);
        if (positionals[0] !== 'node') throw new FlatnetError('BadShell', `shell ${positionals[0] ?? ''}: there is \`shell node\` and \`shell client\``, {}, 'run `flatnet cluster shell node` (a node) or `flatnet cluster shell client` (the network outside the cluster)');
        return shellNode(name, values.node, command);
      case 'port-forward':
        return portForward(name, positionals[0], positionals[1], values.address, io);
      default:
        io.err(USAGE);
        return 2;
    }
  },
};

async function kindCluster(sub: string | undefined, name: string, values: { provider: string; cni?: string; nodes?: string; network?: string; 'proxy-mode'?: string; all: boolean }, io: IO): Promise<number> {
  const { provider, cni } = chooseProvider(values.provider, values.cni);
  if (values.network !== undefined) {
    throw new FlatnetError('NetworkNotForKind', `--network ${values.network}: only the local cluster takes a network mode; a kind cluster carries pods between nodes the way its CNI does (Calico: IP-in-IP or VXLAN, Cilium: VXLAN)`, {}, 'leave --network out, or use the local provider (no --provider, no --cni)');
  }
  switch (sub) {
    case 'up': {
      const nodes = nodeCount(values.nodes);
      io.err(`Creating ${provider.name} cluster "${name}"${cni ? ` with ${cni}` : ''} ...`);
      const t0 = performance.now();
      const proxyMode = values['proxy-mode'] === undefined ? undefined : parseProxyMode(values['proxy-mode']);
      const info = await provider.create({ name, ...(cni ? { cni } : {}), ...(nodes !== undefined ? { nodes } : {}), ...(proxyMode ? { proxyMode } : {}) }, (e) => io.err(` • [${e.step}/${e.of}] ${e.stage}`));
      io.err(` ✓ Ready in ${((performance.now() - t0) / 1000).toFixed(1)}s (${info.capabilities.cni}${info.capabilities.ipBlockMatchesPods ? '' : '; ipBlock does not match pod traffic on this CNI'})`);
      io.err('\nUse kubectl with it:');
      io.out(`export KUBECONFIG=${info.kubeconfig}`);
      return 0;
    }
    case 'down':
      if (values.all) {
        const removed = await provider.destroyLeaked();
        io.err(removed.length ? `Deleted: ${removed.join(', ')}` : 'Nothing to delete');
      } else {
        await provider.destroy(name);
        io.err(`Deleted cluster "${name}"`);
      }
      return 0;
    case 'status':
      io.out(`${name}: ${await provider.status(name)}`);
      return 0;
    case 'kubeconfig':
      io.out(provider.kubeconfig(name));
      return 0;
    default:
      throw new FlatnetError('BadArguments', `cluster ${sub ?? ''} --provider ${provider.name}: only up, down, status and kubeconfig take --provider`.replace('  ', ' '), {}, 'for the rest use kubectl with the cluster\'s kubeconfig (`flatnet cluster kubeconfig --provider kind --name NAME`)');
  }
}

async function status(io: IO): Promise<number> {
  const names = list();
  if (names.length === 0) {
    io.out('No clusters. Start one with `npx flatnet cluster up`.');
    return 0;
  }
  for (const n of names) {
    const info = daemonInfo(n);
    if (!info) {
      io.out(`${n}: stopped (state kept; \`flatnet cluster down --name ${n}\` deletes it)`);
      continue;
    }
    const s = await call<{ stage: string; rootless: boolean; network: string; nodes: unknown[]; pods: { namespace: string; name: string; phase: string; ip: string | null; node: string | null; ready: boolean; restarts: number; reason: string | null }[] }>(n, 'GET', '/status');
    const shape = s.nodes.length > 1 ? `, ${s.nodes.length} nodes over ${s.network}` : '';
    io.out(`${n}: ${s.stage} (${s.rootless ? 'rootless' : 'root'}${shape}, pid ${info.pid})`);
    const rows = s.pods.map((p) => [p.namespace, p.name, p.reason ?? p.phase, p.ip ?? '<none>', p.node ?? '<none>', String(p.restarts)]);
    io.out(table([['NAMESPACE', 'NAME', 'STATUS', 'IP', 'NODE', 'RESTARTS'], ...rows]));
  }
  return 0;
}

async function exec(name: string, target: string | undefined, container: string | undefined, argv: string[], tty: boolean): Promise<number> {
  if (!target || !target.includes('/')) throw new FlatnetError('BadPod', `exec ${target ?? ''}: expected NS/POD`, {}, 'write it like `flatnet cluster exec lab/frontend -- ip a`');
  if (argv.length === 0) throw new FlatnetError('NoCommand', 'exec: no command given', {}, 'put the command after --, e.g. `-- ip a`');
  const [namespace, pod] = target.split('/') as [string, string];
  const params = new URLSearchParams({ namespace, name: pod, ...(container ? { container } : {}) });
  const t = await call<{ pid: number; rootless: boolean }>(name, 'GET', `/exec-target?${params}`);
  const args = enterContainer(t.pid, t.rootless, argv);
  return passthrough('nsenter', args, { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', TERM: tty ? (process.env.TERM ?? 'xterm') : 'dumb' });
}

async function shellNode(name: string, which: string | undefined, command: string[]): Promise<number> {
  const info = daemonInfo(name);
  if (!info) throw notRunning(name);
  const node = pickNode(info.nodes, which);
  // A rootless node denies setgroups: the preload lets tcpdump drop to its user all the same.
  const shell = [...(info.rootless ? ['env', `LD_PRELOAD=${NODE_SHELL_PRELOAD}`] : []), ...(command.length ? command : ['bash', '--norc', '-i'])];
  const args = ['-t', String(node.pid), ...(info.rootless ? ['-U', '--preserve-credentials'] : []), '-n', '-m', '-u', '-p', '--', ...shell];
  return passthrough('nsenter', args, { ...process.env, PS1: `root@${node.name}:\\w# ` });
}

/** --nodes as a number; anything but digits is refused as written. */
function nodeCount(flag: string | undefined): number | undefined {
  if (flag === undefined) return undefined;
  if (!/^\d+$/.test(flag)) throw new FlatnetError('BadNodeCount', `nodes: ${JSON.stringify(flag)}: expected a whole number from 1 to 10`, {}, 'use --nodes 1 (the default) up to --nodes 10');
  return Number(flag);
}

/**
 * A shell outside the cluster, on its underlay: the sandbox's own network namespace, whose
 * bridge address 172.18.0.1 plays the host of a kind cluster — where load-balancer addresses
 * are reached from, as the world would reach them.
 */
async function shellClient(name: string, command: string[]): Promise<number> {
  const info = daemonInfo(name);
  if (!info) throw notRunning(name);
  // --wd: entering a mount namespace moves to its root; the client is this host, so stay where the user is.
  const args = ['-t', String(info.sandboxPid), ...(info.rootless ? ['-U', '--preserve-credentials'] : []), '-n', '-m', '-p', `--wd=${process.cwd()}`, '--', ...(command.length ? command : ['bash', '--norc', '-i'])];
  return passthrough('nsenter', args, { ...process.env, PS1: 'root@client:\\w# ' });
}

/**
 * Forwards a host loopback port to a LoadBalancer Service's external address, reached from the
 * sandbox's network namespace (where `shell client` stands), until SIGINT or SIGTERM — or until
 * the cluster stops. Prints kubectl port-forward's lines.
 */
async function portForward(name: string, target: string | undefined, ports: string | undefined, address: string | undefined, io: IO): Promise<number> {
  const listen = loopbackAddress(address); // the safety rule first: nothing else matters if it fails
  const m = /^([^/]+)\/([^/]+)$/.exec(target ?? '');
  if (!m) throw new FlatnetError('BadService', `port-forward ${target ?? ''}: expected NS/SERVICE`, {}, 'write it like `flatnet cluster port-forward shop/web 8080:80`');
  const [, namespace, service] = m as unknown as [string, string, string];
  const spec = parsePortSpec(ports);
  const info = daemonInfo(name);
  if (!info) throw notRunning(name);
  const q = (resource: string) => `/objects?${new URLSearchParams({ resource, namespace })}`;
  const { objects } = await call<{ objects: KObject[] }>(name, 'GET', q('services'));
  const svc = objects.find((o) => o.metadata.name === service);
  const events = svc && !(svc.status?.loadBalancer as { ingress?: unknown[] } | undefined)?.ingress?.length ? (await call<{ objects: KObject[] }>(name, 'GET', q('events'))).objects : [];
  const to = loadBalancerTarget(namespace, service, svc, spec.port, events);
  const fwd = await forwardToLoadBalancer({
    enter: ['-t', String(info.sandboxPid), ...(info.rootless ? ['-U', '--preserve-credentials'] : []), '-n'],
    address: listen,
    local: spec.local ?? to.port,
    target: to,
    onConnection: () => io.out(`Handling connection for ${fwd.port}`),
    onError: (e) => io.err(`E ${e}`),
  });
  io.out(`Forwarding from ${listen}:${fwd.port} -> ${to.ip}:${to.port} (${namespace}/${service}, LoadBalancer)`);
  return new Promise<number>((resolve) => {
    const stop = (code: number) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      clearInterval(watch);
      void fwd.close().then(() => resolve(code));
    };
    const onSignal = () => stop(0);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // The cluster going down takes the address with it: stop, rather than fail every connection.
    const watch = setInterval(() => {
      if (isAlive(info.sandboxPid)) return;
      io.err(`flatnet: cluster "${name}" stopped: nothing left to forward to`);
      stop(1);
    }, 1000);
  });
}

/** A node by number (its index: node N has 10.244.N.0/24) or by name, whole or its last part (`worker2`). */
function pickNode<T extends { name: string }>(nodes: readonly T[], which: string | undefined): T {
  if (which === undefined) return nodes[0]!;
  const found = /^\d+$/.test(which) ? nodes[Number(which)] : nodes.find((n) => n.name === which || n.name.endsWith(`-${which}`));
  if (!found) throw new FlatnetError('NoSuchNode', `node ${which}: the cluster has ${nodes.map((n, i) => `${i} (${n.name})`).join(', ')}`, {}, 'pick one of those, e.g. --node 1');
  return found;
}

function passthrough(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]! + 3)).join('').trimEnd()).join('\n');
}
