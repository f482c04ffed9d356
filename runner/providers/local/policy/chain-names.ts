/**
 * @module
 * Names of the NetworkPolicy chains. Every chain but FLATNET-FORWARD is a prefix that says
 * what the chain is plus a hash of what it is for, the way kube-proxy names KUBE-SVC-*
 * (base32 of sha256, truncated), so a name is stable across applies and fits iptables'
 * 28-character limit however long the namespace, pod or policy name is.
 */
import { createHash } from 'node:crypto';

/** The chain FORWARD jumps to; it sends each packet to its pods' chains. */
export const FORWARD_CHAIN = 'FLATNET-FORWARD';

export const CHAIN_PREFIXES = {
  /** Ingress of one pod (key `ns/pod`): its isolating policies, then DROP. */
  podIngress: 'FLATNET-INGRESS-',
  /** Egress of one pod (key `ns/pod`). */
  podEgress: 'FLATNET-EGRESS-',
  /** The ingress rules of one policy (key `ns/policy`), shared by the pods it selects. */
  policyIngress: 'FLATNET-NP-IN-',
  /** The egress rules of one policy. */
  policyEgress: 'FLATNET-NP-OUT-',
  /** A set of sources: several pods, or an ipBlock with holes (key: what is in it). */
  from: 'FLATNET-FROM-',
  /** A set of destinations. */
  to: 'FLATNET-TO-',
} as const;

export type ChainKind = keyof typeof CHAIN_PREFIXES;

/** iptables' limit (XT_EXTENSION_MAXNAMELEN 29, minus the NUL). */
export const MAX_CHAIN_NAME = 28;
const HASH_CHARS = 12;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function chainName(kind: ChainKind, key: string): string {
  return CHAIN_PREFIXES[kind] + hash(key);
}

/** True for every chain this module may create, flush or delete. */
export const isPolicyChain = (name: string): boolean => name === FORWARD_CHAIN || Object.values(CHAIN_PREFIXES).some((p) => name.startsWith(p));

/** Go's base32.StdEncoding of sha256(key), first 12 characters (60 bits), as kube-proxy truncates to 16. */
function hash(key: string): string {
  const bytes = createHash('sha256').update(key, 'utf8').digest();
  let out = '';
  for (let bit = 0; bit < HASH_CHARS * 5; bit += 5) {
    const byte = bit >> 3;
    const pair = ((bytes[byte]! << 8) | bytes[byte + 1]!) >> (11 - (bit & 7));
    out += BASE32[pair & 31];
  }
  return out;
}
