/**
 * @module
 * The `loadbalance` plugin of kind's Corefile: address records come back in a random
 * order, so clients that take the first address spread over a headless Service's pods.
 * Only successful answers are shuffled, and only among the address records' own places
 * (CNAMEs stay ahead of the addresses they lead to, OPT stays last).
 */
import type { Answer, Packet } from 'dns-packet';

const SHUFFLED = new Set(['A', 'AAAA', 'MX']);

function mix(rrs: Answer[] | undefined, random: () => number): Answer[] | undefined {
  if (!rrs) return rrs;
  const places = rrs.flatMap((rr, i) => (SHUFFLED.has(rr.type) ? [i] : []));
  const picked = places.map((i) => rrs[i]!);
  for (let i = picked.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [picked[i], picked[j]] = [picked[j]!, picked[i]!];
  }
  const out = rrs.slice();
  for (const [k, at] of places.entries()) out[at] = picked[k]!;
  return out;
}

export function shuffle(reply: Packet, random: () => number = Math.random): Packet {
  if (((reply.flags ?? 0) & 0xf) !== 0) return reply;
  if (reply.questions?.some((q) => q.type === 'AXFR' || q.type === 'IXFR')) return reply;
  return { ...reply, answers: mix(reply.answers, random), authorities: mix(reply.authorities, random), additionals: mix(reply.additionals, random) };
}
