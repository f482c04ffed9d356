/**
 * @module
 * A rule's peer as iptables matches. The peer is the packet's source for ingress and its
 * destination for egress. Three shapes, as the engine compiles them:
 *
 * - `any`: no address match at all.
 * - `pods`: the selectors were resolved to a pod set; one pod is matched inline, several go
 *   through a FROM/TO set chain (one line per pod, shared by every rule with that set —
 *   what an ipset would be, without needing one).
 * - `ip`: the CIDR inline; with `except`, a set chain RETURNs for each hole before marking
 *   the CIDR, because one iptables line cannot say "in A but not in B".
 */
import type { Direction, Peer, PodInfo } from '../../../../checkers/engine/index.ts';
import type { Family } from '../../../../checkers/net/ip.ts';
import { chainName } from './chain-names.ts';
import { ALLOW, cidrArg, podAddress, podKey, type ChainTable, type Line } from './ruleset.ts';

export interface CompileContext {
  pods: readonly PodInfo[];
  family: Family;
  chains: ChainTable;
}

/** Matches plus target: either ALLOW itself, or a set chain that marks what it contains. */
export interface PeerMatch {
  args: string[];
  target: string[];
  /** For comments: "from x/b", "to pods app=db in namespace y", "from anywhere". */
  text: string;
}

const addressFlag = (dir: Direction) => (dir === 'ingress' ? '-s' : '-d');
const word = (dir: Direction) => (dir === 'ingress' ? 'from' : 'to');

/** undefined when the peer can match nothing in this address family. */
export function peerMatch(ctx: CompileContext, peer: Peer, dir: Direction): PeerMatch | undefined {
  switch (peer.type) {
    case 'any':
      return { args: [], target: ALLOW, text: `${word(dir)} anywhere` };
    case 'pods': {
      const members = ctx.pods.filter((p) => peer.pods.has(p.index) && podAddress(p, ctx.family));
      return members.length > 0 ? podsMatch(ctx, dir, members, peer.text) : undefined;
    }
    case 'ip': {
      if (peer.cidr.family !== ctx.family) return undefined;
      const cidr = cidrArg(peer.cidr);
      const except = peer.except.filter((e) => e.family === ctx.family).map(cidrArg);
      if (except.length === 0) return { args: [addressFlag(dir), cidr], target: ALLOW, text: `${word(dir)} ipBlock ${cidr}` };
      const text = `ipBlock ${cidr} except ${except.join(', ')}`;
      const kind = dir === 'ingress' ? 'from' : 'to';
      const chain = ctx.chains.shared(chainName(kind, text), () => [
        ...except.map((e) => ({ args: [addressFlag(dir), e], comment: `${text}: ${e} is cut out of the block`, target: ['RETURN'] })),
        { args: [addressFlag(dir), cidr], comment: text, target: ALLOW },
      ])!;
      return { args: [], target: [chain], text: `${word(dir)} ${text}` };
    }
  }
}

/** Pods by address: inline for one, a shared set chain for more. `members` all have an address. */
export function podsMatch(ctx: CompileContext, dir: Direction, members: readonly PodInfo[], text: string): PeerMatch {
  const flag = addressFlag(dir);
  if (members.length === 1) {
    const only = members[0]!;
    return { args: [flag, podAddress(only, ctx.family)!], target: ALLOW, text: `${word(dir)} ${podKey(only)}` };
  }
  const kind = dir === 'ingress' ? 'from' : 'to';
  const build = (): Line[] => members.map((m) => ({ args: [flag, podAddress(m, ctx.family)!], comment: podKey(m), target: ALLOW }));
  const chain = ctx.chains.shared(chainName(kind, `pods:${members.map(podKey).join(',')}`), build)!;
  return { args: [], target: [chain], text: `${word(dir)} ${text}` };
}
