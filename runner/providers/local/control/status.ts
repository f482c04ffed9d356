/** What `flatnet cluster status` shows and `cluster up` polls. */
import type { Cluster } from '../daemon.ts';

export function statusOf(c: Cluster) {
  return {
    name: c.name,
    node: c.nodes[0]!.node.name,
    nodePid: c.nodes[0]!.node.pid,
    nodes: c.nodes.map(({ node }) => ({ name: node.name, ip: node.ip, pid: node.pid })),
    network: c.topology.network,
    proxyMode: c.dataplane.mode,
    rootless: c.sandbox.rootless,
    stage: c.stage,
    ready: c.ready,
    readyAfterMs: c.readyAfterMs ?? null,
    dataplaneError: c.dataplane.lastError ?? null,
    pods: c.store.list('pods').map((p) => ({
      namespace: p.metadata.namespace,
      name: p.metadata.name,
      phase: p.status?.phase,
      ip: p.status?.podIP ?? null,
      node: (p.spec?.nodeName as string | undefined) ?? null,
      ready: (p.status?.conditions as { type: string; status: string }[] | undefined)?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false,
      restarts: ((p.status?.containerStatuses ?? []) as { restartCount: number }[]).reduce((n, s) => n + s.restartCount, 0),
      reason: ((p.status?.containerStatuses ?? []) as { state?: { waiting?: { reason?: string } } }[]).map((s) => s.state?.waiting?.reason).find(Boolean) ?? null,
    })),
  };
}
