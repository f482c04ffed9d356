/**
 * @module
 * `flatnet cluster port-forward`: the host's one way to a LoadBalancer Service's external
 * address. The address lives on the cluster's underlay, inside the sandbox's network namespace
 * (where `cluster shell client` plays the outside world), so the host never routes to it; this
 * listens on a loopback address of the host and carries each connection, as one socat entered
 * into the sandbox's netns (pods/forward.ts dialThrough), to `EXTERNAL-IP:PORT` — through the
 * load balancer and kube-proxy's rules as the world's packets go, not to a chosen pod.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer, isIPv4, type Server, type Socket } from 'node:net';
import { FlatnetError } from '../../../checkers/errors.ts';
import { dialThrough } from './pods/forward.ts';
import type { KObject } from './store/types.ts';

/** `[LOCAL:]PORT` as written: LOCAL a number (0: any free port), PORT a number or a port's name. */
export interface PortSpec {
  local: number | undefined;
  port: string;
}

export function parsePortSpec(spec: string | undefined): PortSpec {
  const bad = (why: string) =>
    new FlatnetError('BadPort', `port-forward${spec ? ` ${spec}` : ''}: ${why}`, {}, 'give the Service\'s port, and a local port before it if it should differ: `80`, `8080:80`, `0:http` (0 picks a free local port)');
  if (spec === undefined || spec === '') throw bad('no port given');
  const parts = spec.split(':');
  if (parts.length > 2) throw bad('expected [LOCAL:]PORT');
  const [first, second] = parts as [string, string | undefined];
  const port = second ?? first;
  const localText = second === undefined ? undefined : first;
  let local: number | undefined;
  if (localText !== undefined && localText !== '') {
    if (!/^\d+$/.test(localText) || Number(localText) > 65535) throw bad(`local port ${JSON.stringify(localText)} is not a number from 0 to 65535`);
    local = Number(localText);
  } else if (localText === '') {
    local = 0; // `:80`, as kubectl: a free local port
  }
  if (/^\d+$/.test(port) ? Number(port) < 1 || Number(port) > 65535 : !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(port)) {
    throw bad(`${JSON.stringify(port)} is neither a port number (1-65535) nor a port name`);
  }
  return { local, port };
}

/**
 * The host address to listen on: a loopback one (127.0.0.0/8) only, by the network safety rule
 * that traffic from the host stays on its loopback. `localhost` is 127.0.0.1.
 */
export function loopbackAddress(address: string | undefined): string {
  const a = address === undefined || address === 'localhost' ? '127.0.0.1' : address;
  if (isIPv4(a) && a.startsWith('127.')) return a;
  throw new FlatnetError(
    'AddressNotLoopback',
    `--address ${address}: port-forward listens on the host's loopback only (127.0.0.0/8), so the cluster is not opened to the network`,
    {},
    'leave --address out (127.0.0.1), or give another 127.x.y.z address',
  );
}

/** Where a Service's port is reached from outside the cluster. */
export interface LoadBalancerTarget {
  ip: string;
  port: number;
}

/**
 * The external address and port of Service `namespace/name` (`svc` as the API holds it, or
 * undefined when there is none), or the reason it cannot be forwarded to. `events` are the
 * namespace's, for why an address is still pending.
 */
export function loadBalancerTarget(namespace: string, name: string, svc: KObject | undefined, portSpec: string, events: readonly KObject[] = []): LoadBalancerTarget {
  const ref = `${namespace}/${name}`;
  if (!svc) {
    throw new FlatnetError('ServiceNotFound', `services "${name}" not found in namespace ${namespace}`, { object: `Service ${ref}` }, `check the name with \`kubectl get svc -n ${namespace}\``);
  }
  const type = (svc.spec?.type as string | undefined) ?? 'ClusterIP';
  if (type !== 'LoadBalancer') {
    throw new FlatnetError(
      'NotLoadBalancer',
      `Service ${ref} is type ${type}, not LoadBalancer: it has no external address to forward to`,
      { object: `Service ${ref}` },
      `to reach a pod, use \`kubectl port-forward -n ${namespace} pod/NAME PORT\` (or svc/${name}); to reach it as the world does, make it type LoadBalancer (\`kubectl patch svc ${name} -n ${namespace} -p '{"spec":{"type":"LoadBalancer"}}'\`)`,
    );
  }
  const ip = ((svc.status?.loadBalancer as { ingress?: { ip?: string }[] } | undefined)?.ingress ?? []).map((i) => i.ip).find(Boolean);
  if (!ip) {
    const why = events
      .filter((e) => (e.involvedObject as { uid?: string } | undefined)?.uid === svc.metadata.uid && e.reason === 'AllocationFailed')
      .map((e) => String(e.message))
      .at(-1);
    throw new FlatnetError(
      'LoadBalancerPending',
      `Service ${ref} has no external address yet (EXTERNAL-IP <pending>): ${why ?? 'the load balancer has not given it one — the pool (172.18.255.200-250) may be exhausted, or its spec.loadBalancerIP is outside the pool or taken'}`,
      { object: `Service ${ref}` },
      `run \`kubectl describe svc ${name} -n ${namespace}\` to see why (its events), free an address by deleting a LoadBalancer Service you no longer need, or try again in a moment`,
    );
  }
  const ports = (svc.spec?.ports ?? []) as { name?: string; port: number; protocol?: string }[];
  const found = /^\d+$/.test(portSpec) ? ports.find((p) => p.port === Number(portSpec)) : ports.find((p) => p.name === portSpec);
  const list = ports.map((p) => `${p.name ? `${p.name} ` : ''}${p.port}/${p.protocol ?? 'TCP'}`).join(', ');
  if (!found) {
    throw new FlatnetError('PortNotInService', `Service ${ref} has no port ${portSpec} (it has ${list || 'none'})`, { object: `Service ${ref}`, field: 'spec.ports' }, 'give one of its ports, by number or by name');
  }
  if ((found.protocol ?? 'TCP') !== 'TCP') {
    throw new FlatnetError('PortNotTCP', `Service ${ref} port ${portSpec} is ${found.protocol}: port-forward carries TCP only (as kubectl port-forward does)`, { object: `Service ${ref}`, field: 'spec.ports' }, 'forward a TCP port, or reach it from `flatnet cluster shell client`');
  }
  return { ip, port: found.port };
}

export interface LoadBalancerForward {
  /** The local port listened on (the one picked when 0 was asked). */
  port: number;
  /** Stops listening, drops the open connections and waits until every socat has exited. */
  close(): Promise<void>;
}

export interface ForwardOptions {
  /** nsenter's arguments into the sandbox's network namespace (`-t PID [-U --preserve-credentials] -n`). */
  enter: string[];
  address: string;
  local: number;
  target: LoadBalancerTarget;
  /** A connection was accepted. */
  onConnection?: () => void;
  /** A connection failed (could not connect, or broke midway): kubectl's words. */
  onError?: (message: string) => void;
}

/** Listens on `address:local` and carries each connection to the target, one socat each. */
export async function forwardToLoadBalancer(o: ForwardOptions): Promise<LoadBalancerForward> {
  const children = new Set<ChildProcess>();
  const sockets = new Set<Socket>();
  const dest = `${o.target.ip}:${o.target.port}`;
  let localPort = o.local;
  let closing = false;
  const server: Server = createServer({ pauseOnConnect: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {}); // a reset from the client: the close below ends socat
    o.onConnection?.();
    const track = (child: ChildProcess) => {
      children.add(child);
      child.once('close', () => children.delete(child));
    };
    void dialThrough(o.enter, `TCP4:${dest}`, track).then((r) => {
      if (!('process' in r)) {
        if (!closing) o.onError?.(`an error occurred forwarding ${localPort} -> ${dest}: ${r.error}`);
        socket.destroy();
        return;
      }
      const child = r.process;
      if (socket.destroyed) {
        child.kill();
        return;
      }
      socket.pipe(child.stdin!);
      child.stdout!.pipe(socket);
      // The client gone altogether (not only half-closed): socat sees its stdin end and exits within `-t 1`.
      socket.on('close', () => child.stdin!.end());
      child.once('close', (code) => {
        const e = code === 0 ? undefined : r.lastError();
        if (e && !closing) o.onError?.(`an error occurred forwarding ${localPort} -> ${dest}: ${e}`);
        if (!socket.destroyed) socket.end();
      });
      socket.resume();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') {
        reject(new FlatnetError('PortInUse', `${o.address}:${o.local} is already in use on the host`, {}, `pick another local port (\`LOCAL:${o.target.port}\`), or 0 for a free one (\`0:${o.target.port}\`)`));
      } else if (e.code === 'EADDRNOTAVAIL') {
        reject(new FlatnetError('AddressNotAvailable', `cannot listen on ${o.address}: the host has no such address`, {}, 'use 127.0.0.1 (leave --address out)'));
      } else if (e.code === 'EACCES') {
        reject(new FlatnetError('PortNotAllowed', `may not listen on ${o.address}:${o.local} (ports below 1024 need root)`, {}, 'pick a local port of 1024 or more, e.g. `8080:80`'));
      } else reject(e);
    });
    server.listen({ host: o.address, port: o.local }, () => resolve());
  });
  localPort = (server.address() as { port: number }).port;
  return {
    port: localPort,
    async close() {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      const exits = [...children].map((c) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('close', () => resolve()))));
      for (const c of children) c.kill('SIGTERM');
      const late = setTimeout(() => children.forEach((c) => c.kill('SIGKILL')), 2000);
      await Promise.all([stopped, ...exits]);
      clearTimeout(late);
    },
  };
}
