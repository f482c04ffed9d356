/**
 * @module
 * Cilium's own word on a denied probe: Hubble's dropped flows, read from every cilium agent
 * (the agent image ships `hubble`, pointed at the node's socket, so no relay is needed —
 * research §3.5) and matched to the probe by source IP, destination IP, port and protocol.
 * Evidence only: when Hubble is off or unreadable, the packets' verdict stands alone.
 *
 * `hubble observe -o json` prints one GetFlowsResponse a line, `{"flow": {...}, "node_name"}`,
 * the flow with the field names of api/v1/flow/flow.proto (`IP.source`, `l4.TCP.destination_port`,
 * `drop_reason_desc`, `traffic_direction`); protobuf's JSON may also spell them in lowerCamelCase.
 */
import type { Protocol } from '../../../checkers/engine/index.ts';
import type { ProbeResult } from '../../../checkers/truth-table.ts';
import type { List } from './readiness.ts';
import type { Kubectl } from './tools.ts';

export interface Drop {
  source: string;
  destination: string;
  port: number;
  protocol: Protocol;
  /** e.g. POLICY_DENIED */
  reason: string;
  /** INGRESS or EGRESS, when Hubble says. */
  direction?: string;
  node?: string;
}

type Json = Record<string, unknown>;
const field = (o: Json | undefined, ...names: string[]): unknown => names.map((n) => o?.[n]).find((v) => v !== undefined);

/** The dropped flows in `hubble observe -o json` output; lines that are not such flows are skipped. */
export function parseDrops(output: string): Drop[] {
  const drops: Drop[] = [];
  for (const line of output.split('\n')) {
    if (!line.trim().startsWith('{')) continue;
    let doc: Json;
    try {
      doc = JSON.parse(line) as Json;
    } catch {
      continue;
    }
    const flow = (doc.flow ?? doc) as Json;
    if (field(flow, 'verdict') !== 'DROPPED') continue;
    const ip = field(flow, 'IP', 'ip') as Json | undefined;
    const l4 = field(flow, 'l4') as Json | undefined;
    const [protocol, ports] = (['TCP', 'UDP', 'SCTP'] as const).map((p) => [p, field(l4, p)] as const).find(([, v]) => v !== undefined) ?? [];
    const source = field(ip, 'source');
    const destination = field(ip, 'destination');
    const port = Number(field(ports as Json | undefined, 'destination_port', 'destinationPort'));
    if (typeof source !== 'string' || typeof destination !== 'string' || !protocol || !Number.isInteger(port)) continue;
    const direction = field(flow, 'traffic_direction', 'trafficDirection');
    drops.push({
      source,
      destination,
      port,
      protocol,
      reason: String(field(flow, 'drop_reason_desc', 'dropReasonDesc') ?? 'DROPPED'),
      ...(typeof direction === 'string' && direction !== 'TRAFFIC_DIRECTION_UNKNOWN' ? { direction } : {}),
      ...(typeof doc.node_name === 'string' ? { node: doc.node_name } : {}),
    });
  }
  return drops;
}

/** Recent drops from every cilium agent, or undefined when Hubble cannot be read. */
export async function readDrops(kubectl: Kubectl): Promise<Drop[] | undefined> {
  try {
    const agents = await kubectl.json<List<{ metadata: { name: string } }>>(['get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=cilium'], 'finding the cilium agents');
    const outputs = await Promise.all(
      agents.items.map((a) => kubectl.run(['exec', '-n', 'kube-system', a.metadata.name, '-c', 'cilium-agent', '--', 'hubble', 'observe', '--last', '2000', '--verdict', 'DROPPED', '-o', 'json'], { timeoutMs: 30_000 })),
    );
    const ok = outputs.filter((r) => r.code === 0);
    return ok.length === 0 ? undefined : ok.flatMap((r) => parseDrops(r.stdout));
  } catch {
    return undefined;
  }
}

/** Adds Hubble's verdict to each denied probe it saw dropped. `sourceIP` gives a probe's source pod address. */
export function withDropEvidence(results: ProbeResult[], flows: readonly { sourceIP?: string; destinationIP?: string }[], drops: readonly Drop[]): ProbeResult[] {
  return results.map((r, i) => {
    const f = flows[i];
    if (r.allowed !== false || !f?.sourceIP || !f.destinationIP) return r;
    const d = drops.find((x) => x.source === f.sourceIP && x.destination === f.destinationIP && x.port === r.port && x.protocol === r.protocol);
    if (!d) return r;
    return { ...r, reason: `${r.reason}; Cilium dropped it: ${d.reason}${d.direction ? ` (${d.direction.toLowerCase()})` : ''}${d.node ? ` on ${d.node}` : ''}, as Hubble saw` };
  });
}
