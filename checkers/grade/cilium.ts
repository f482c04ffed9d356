/**
 * @module
 * A CNI difference that changes a lab's answer: on Cilium, ipBlock peers do not match traffic
 * between pods ("CIDR rules do not apply to traffic where both sides … are managed by Cilium",
 * research kind-cni.md §3.6). `ciliumView` rewrites an answer so the engine reads it as Cilium
 * does — every ipBlock excepts the pods' addresses — and `flatnet lab validate` grades a lab's
 * correct answers that way when the lab allows Cilium: one that passes only because an ipBlock
 * matched a pod is flagged.
 */
import { parseAllDocuments, stringify } from 'yaml';
import { cidrContains, parseCIDR, parseIP } from '../net/ip.ts';

type Peer = { ipBlock?: { cidr: string; except?: string[] } } & Record<string, unknown>;
type Rule = { from?: Peer[]; to?: Peer[] } & Record<string, unknown>;

/** A peer that matches no address at all, for an ipBlock that only ever matched pods. */
const NOWHERE = (family: 4 | 6): Peer => ({ ipBlock: { cidr: family === 4 ? '0.0.0.0/32' : '::/128' } });

function rewrite(peer: Peer, podIPs: readonly string[]): { peer: Peer; changed: boolean } {
  const cidr = peer.ipBlock ? parseCIDR(peer.ipBlock.cidr) : null;
  if (!peer.ipBlock || !cidr) return { peer, changed: false };
  const inside = podIPs.filter((ip) => {
    const p = parseIP(ip);
    return p !== null && cidrContains(cidr, p) && !(peer.ipBlock!.except ?? []).some((e) => {
      const ex = parseCIDR(e);
      return ex !== null && cidrContains(ex, p);
    });
  });
  if (inside.length === 0) return { peer, changed: false };
  const host = cidr.family === 4 ? 32 : 128;
  if (cidr.prefix === host) return { peer: NOWHERE(cidr.family), changed: true }; // `except` must be strictly inside
  return { peer: { ...peer, ipBlock: { ...peer.ipBlock, except: [...(peer.ipBlock.except ?? []), ...inside.map((ip) => `${ip}/${host}`)] } }, changed: true };
}

/** The answer as Cilium enforces it, and whether any ipBlock matched a pod (if not, the text is unchanged). */
export function ciliumView(text: string, podIPs: readonly string[]): { text: string; changed: boolean } {
  let changed = false;
  const docs = parseAllDocuments(text).map((d) => d.toJS() as Record<string, unknown> | null);
  for (const doc of docs) {
    if (doc?.kind !== 'NetworkPolicy') continue;
    const spec = (doc.spec ?? {}) as { ingress?: Rule[]; egress?: Rule[] };
    for (const [rules, key] of [[spec.ingress, 'from'], [spec.egress, 'to']] as const) {
      for (const rule of rules ?? []) {
        const peers = rule[key];
        if (!peers) continue;
        rule[key] = peers.map((p) => {
          const r = rewrite(p, podIPs);
          changed ||= r.changed;
          return r.peer;
        });
      }
    }
  }
  return changed ? { text: docs.map((d) => stringify(d)).join('---\n'), changed } : { text, changed };
}
