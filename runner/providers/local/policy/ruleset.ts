/**
 * @module
 * The compiled rules as plain data — chains of lines, each with a comment — and the small
 * iptables vocabulary the compiler speaks. Kept apart from rendering so tests can look at
 * the structure, and rendering stays one obvious function.
 */
import { formatIP, type CIDR, type Family } from '../../../../checkers/net/ip.ts';
import type { PodInfo, Protocol } from '../../../../checkers/engine/index.ts';

export interface Line {
  /** Matches, in the order iptables-save prints them (addresses, protocol, then modules). */
  args: string[];
  /** Why the line is there, in the learner's terms (policy, rule, peer, port). */
  comment: string;
  /** `-j` and its options. */
  target: string[];
}

export interface Chain {
  name: string;
  lines: Line[];
}

export interface Ruleset {
  family: Family;
  /** FLATNET-FORWARD first, then every chain in the order it was first needed. */
  chains: Chain[];
}

/**
 * One bit of the packet mark means "some rule of this direction allows it". Policy chains
 * set it; the pod's chain reads it after each policy and RETURNs. A sub-chain cannot
 * ACCEPT — that would end FORWARD before the other direction is checked — and RETURN
 * from a sub-chain only leaves that sub-chain, so the answer travels on the packet.
 * Above kube-proxy's 0x4000/0x8000, as Calico keeps its bits above 0xffff.
 */
export const ALLOW_MARK = '0x10000';
export const ALLOW: string[] = ['MARK', '--set-xmark', `${ALLOW_MARK}/${ALLOW_MARK}`];
export const CLEAR_ALLOW: string[] = ['MARK', '--set-xmark', `0x0/${ALLOW_MARK}`];
export const IS_ALLOWED: string[] = ['-m', 'mark', '--mark', `${ALLOW_MARK}/${ALLOW_MARK}`];

/** A pod's address in this family as a host route (`/32`, `/128`), or undefined. */
export function podAddress(pod: PodInfo, family: Family): string | undefined {
  const ip = pod.ips.find((i) => i.family === family);
  return ip ? `${formatIP(ip)}/${family === 4 ? 32 : 128}` : undefined;
}

/** The network address, as iptables-save prints it (host bits cleared). */
export const cidrArg = (c: CIDR): string => `${formatIP({ family: c.family, value: c.base })}/${c.prefix}`;

export const podKey = (pod: PodInfo): string => `${pod.namespace}/${pod.name}`;

/** `-p tcp -m tcp --dport 80` (or `80:90`); no port means every port of the protocol. */
export function protocolArgs(protocol: Protocol, from?: number, to?: number): string[] {
  const p = protocol.toLowerCase();
  if (from === undefined) return ['-p', p];
  return ['-p', p, '-m', p, '--dport', to === undefined || to === from ? String(from) : `${from}:${to}`];
}

/**
 * The comment match caps text at 255 bytes, and iptables-restore's tokenizer treats
 * quotes and backslashes specially, so comments are plain ASCII without them.
 */
export function commentText(text: string): string {
  const plain = text.replace(/["'\\]/g, '').replace(/[^\x20-\x7e]/g, '?');
  return plain.length <= 255 ? plain : `${plain.slice(0, 252)}...`;
}

/** Chains in the order they were first needed; shared ones (sets, policies) are built once. */
export class ChainTable {
  private readonly chains = new Map<string, Line[]>();
  private readonly empty = new Set<string>();

  /** The chain's lines, creating it empty on first use. */
  lines(name: string): Line[] {
    let lines = this.chains.get(name);
    if (!lines) this.chains.set(name, (lines = []));
    return lines;
  }

  /**
   * A chain whose lines follow from its name (its key is in the hash), built on first use
   * only. It takes its place before building, so it is listed ahead of the chains it jumps
   * to; a chain that would be empty is not made at all (undefined).
   */
  shared(name: string, build: () => Line[]): string | undefined {
    if (this.empty.has(name)) return undefined;
    if (this.chains.has(name)) return name;
    const lines: Line[] = [];
    this.chains.set(name, lines);
    for (const line of build()) lines.push(line);
    if (lines.length > 0) return name;
    this.chains.delete(name);
    this.empty.add(name);
    return undefined;
  }

  list(): Chain[] {
    return [...this.chains].map(([name, lines]) => ({ name, lines }));
  }
}
