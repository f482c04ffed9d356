/**
 * @module
 * One NetworkPolicy rule as lines of its policy's chain: every peer × every port, each line
 * marking the packet allowed (or jumping to a set chain that does). Numbered and protocol
 * ports match on the packet alone. A named port means a number only on a given pod, so:
 *
 * - ingress: the destination is the selected pod itself. When every selected pod gives the
 *   name the same number the line needs no address; otherwise one line per pod (`-d pod`).
 * - egress: the destination is any pod that declares the name, and only pods (an outside
 *   address has no container ports). The peers are decided now, per destination pod, by
 *   the engine's own peerMatches; the pods left are grouped by the number the name has.
 */
import { peerMatches, portMatches } from '../../../../checkers/engine/evaluate.ts';
import { ruleName, type CompiledPolicy, type Direction, type PodInfo, type PortMatch, type Rule } from '../../../../checkers/engine/index.ts';
import { peerMatch, podsMatch, type CompileContext } from './peers.ts';
import { podAddress, podKey, protocolArgs, type Line } from './ruleset.ts';

type Named = Extract<PortMatch, { type: 'named' }>;
type Numbered = Exclude<PortMatch, { type: 'named' }>;

export function ruleLines(ctx: CompileContext, policy: CompiledPolicy, rule: Rule, dir: Direction): Line[] {
  const name = ruleName(rule.ref);
  const out: Line[] = [];
  const numbered = rule.ports.filter((p): p is Numbered => p.type !== 'named');
  if (numbered.length > 0) {
    for (const peer of rule.peers) {
      const m = peerMatch(ctx, peer, dir);
      if (!m) continue;
      for (const port of numbered) out.push({ args: [...m.args, ...portArgs(port)], comment: `${name}: ${m.text}, ${portText(port)}`, target: m.target });
    }
  }
  for (const port of rule.ports) {
    if (port.type !== 'named') continue;
    out.push(...(dir === 'ingress' ? namedIngress(ctx, policy, rule, port, name) : namedEgress(ctx, rule, port, name)));
  }
  return out;
}

function portArgs(port: Numbered): string[] {
  switch (port.type) {
    case 'all':
      return [];
    case 'protocol':
      return protocolArgs(port.protocol);
    case 'range':
      return protocolArgs(port.protocol, port.from, port.to);
  }
}

function portText(port: Numbered): string {
  switch (port.type) {
    case 'all':
      return 'any port';
    case 'protocol':
      return `${port.protocol}, any port`;
    case 'range':
      return port.from === port.to ? `${port.protocol} ${port.from}` : `${port.protocol} ${port.from}-${port.to}`;
  }
}

/** The numbers a port name has on this pod (normally one), via the engine's portMatches. */
function numbersOf(port: Named, pod: PodInfo): number[] {
  const numbers = pod.ports.filter((d) => portMatches(port, d.port, d.protocol, pod)).map((d) => d.port);
  return [...new Set(numbers)].sort((a, b) => a - b);
}

function namedIngress(ctx: CompileContext, policy: CompiledPolicy, rule: Rule, port: Named, name: string): Line[] {
  const selected = ctx.pods.filter((p) => policy.selects.has(p.index) && podAddress(p, ctx.family));
  const resolved = selected.map((pod) => ({ pod, numbers: numbersOf(port, pod) }));
  const serving = resolved.filter((r) => r.numbers.length > 0);
  const first = serving[0];
  if (!first) return [];
  const same = serving.length === resolved.length && serving.every((r) => r.numbers.join() === first.numbers.join());
  const dests = same
    ? [{ args: [] as string[], numbers: first.numbers, on: '' }]
    : serving.map((r) => ({ args: ['-d', podAddress(r.pod, ctx.family)!], numbers: r.numbers, on: ` to ${podKey(r.pod)}` }));
  const out: Line[] = [];
  for (const peer of rule.peers) {
    const m = peerMatch(ctx, peer, 'ingress');
    if (!m) continue;
    for (const dest of dests) {
      for (const n of dest.numbers) {
        const args = [...m.args, ...dest.args, ...protocolArgs(port.protocol, n)];
        out.push({ args, comment: `${name}: ${m.text}${dest.on}, ${port.name} (${port.protocol} ${n})`, target: m.target });
      }
    }
  }
  return out;
}

function namedEgress(ctx: CompileContext, rule: Rule, port: Named, name: string): Line[] {
  const byNumber = new Map<number, PodInfo[]>();
  for (const pod of ctx.pods) {
    const ip = pod.ips.find((i) => i.family === ctx.family);
    if (!ip) continue;
    const numbers = numbersOf(port, pod);
    if (numbers.length === 0 || !rule.peers.some((p) => peerMatches(p, { pod, ip }))) continue;
    for (const n of numbers) {
      const group = byNumber.get(n);
      if (group) group.push(pod);
      else byNumber.set(n, [pod]);
    }
  }
  return [...byNumber]
    .sort(([a], [b]) => a - b)
    .map(([n, pods]) => {
      const m = podsMatch(ctx, 'egress', pods, `the ${pods.length} pods where ${port.name} is ${port.protocol} ${n}`);
      const comment = pods.length === 1 ? `${name}: ${m.text}, ${port.name} (${port.protocol} ${n})` : `${name}: ${m.text}`;
      return { args: [...m.args, ...protocolArgs(port.protocol, n)], comment, target: m.target };
    });
}
