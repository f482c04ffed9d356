/**
 * @module
 * The daemon's control socket: a small JSON-over-HTTP API on a unix socket in the
 * cluster's state folder (owner-only), used by `flatnet cluster ...`. The Kubernetes API
 * for kubectl is a separate server (issue 6).
 */
import { chmodSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { FlatnetError } from '../../../../checkers/errors.ts';
import { agentOf, type Cluster } from '../daemon.ts';
import { applyObjects } from './apply.ts';
import { statusOf } from './status.ts';
import { ingressRequest } from './ingress-request.ts';
import { probeFlows, type LiveFlow } from './probe.ts';

type Handler = (c: Cluster, body: Record<string, unknown>, url: URL) => unknown | Promise<unknown>;

const routes: Record<string, Handler> = {
  'GET /status': (c) => statusOf(c),
  'POST /apply': (c, body) => applyObjects(c, (body.objects ?? []) as never[]),
  'POST /delete': (c, body) => {
    const { resource, namespace, name } = body as { resource: never; namespace?: string; name: string };
    c.store.delete(resource, namespace, name);
    return { deleted: true };
  },
  'GET /exec-target': (c, _b, url) => {
    const namespace = url.searchParams.get('namespace') ?? 'default';
    const name = url.searchParams.get('name') ?? '';
    const t = agentOf(c, namespace, name).kubelet.container(namespace, name, url.searchParams.get('container') ?? undefined);
    return { pid: t.running.pid, container: t.name, rootless: c.sandbox.rootless };
  },
  'POST /exec': async (c, body) => {
    const { namespace, name, argv, timeoutMs, input } = body as { namespace: string; name: string; argv: string[]; timeoutMs?: number; input?: string };
    const { kubelet, runtime } = agentOf(c, namespace, name);
    return runtime.execCollect(kubelet.container(namespace, name).running, argv, timeoutMs ?? 10_000, input);
  },
  // Wrapped: a bare {error} is how this socket reports its own failures.
  'POST /ingress-request': async (c, body) => ({ result: await ingressRequest(c, String(body.url ?? '')) }),
  'POST /probe': async (c, body) => ({ results: await probeFlows(c, (body.flows ?? []) as LiveFlow[]) }),
  'GET /objects': (c, _b, url) => ({ objects: c.store.list(url.searchParams.get('resource') as never, url.searchParams.get('namespace') ?? undefined) }),
  'GET /ready-latencies': (c) => ({ latencies: Object.assign({}, ...c.nodes.map((a) => a.kubelet.readyLatencies())) as Record<string, number> }),
  'POST /settle': async (c) => {
    await c.dataplane.settled();
    return { settled: true, dataplaneError: c.dataplane.lastError ?? null };
  },
  'POST /shutdown': (c) => {
    setTimeout(() => void c.onShutdown?.(), 10);
    return { stopping: true };
  },
};

/**
 * Listens on the control socket before there is a cluster to answer for: an owned cluster's
 * daemon binds it while still root (owner.ts). Nobody connects before daemon.json names it.
 */
export function bindControlServer(socket: string): Promise<Server> {
  rmSync(socket, { force: true });
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => {
      chmodSync(socket, 0o600);
      resolve(server);
    });
  });
}

/** Answers the control routes for `cluster` on a bound server. */
export function serveControl(server: Server, cluster: Cluster): void {
  server.on('request', (req: IncomingMessage, res: ServerResponse) => void handle(cluster, req, res));
}

async function handle(cluster: Cluster, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://flatnet');
  const route = routes[`${req.method} ${url.pathname}`];
  try {
    if (!route) throw new FlatnetError('NotFound', `no route ${req.method} ${url.pathname}`);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>) : {};
    send(res, 200, await route(cluster, body, url));
  } catch (e) {
    const err = e instanceof FlatnetError ? e : new FlatnetError('Internal', e instanceof Error ? e.message : String(e));
    send(res, err.code === 'NotFound' ? 404 : 400, { error: { code: err.code, message: err.message, fix: err.fix, where: err.where } });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
