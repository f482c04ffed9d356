/**
 * @module
 * A small iptables interpreter for tests: walks one new packet through the generated
 * FLATNET chains the way the kernel's filter FORWARD hook would, so the unit tests can
 * check every cell of a truth table against the engine without root. It knows exactly
 * the options the compiler emits and throws on anything else, so a new kind of line
 * cannot slip past it untested. The kernel test (kernel.test.ts) checks the real thing.
 */
import { cidrContains, parseCIDR, parseIP, type CIDR, type IP } from '../../../../../checkers/net/ip.ts';

export interface Packet {
  src: string;
  dst: string;
  protocol: 'tcp' | 'udp' | 'sctp' | 'icmp';
  dport?: number;
  ctstate?: 'NEW' | 'ESTABLISHED';
}

interface Rule {
  src?: CIDR;
  dst?: CIDR;
  protocol?: string;
  dport?: [number, number];
  mark?: [number, number];
  ctstate?: string[];
  target: string;
  setMark?: [number, number];
}

export type Chains = Map<string, Rule[]>;

/** Parses the `-A` lines of an iptables-restore text. */
export function parseRules(text: string): Chains {
  const chains: Chains = new Map();
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) chains.set(line.slice(1).split(' ')[0]!, []);
    if (!line.startsWith('-A ')) continue;
    const words = tokens(line);
    const chain = words[1]!;
    const rule: Partial<Rule> = {};
    for (let i = 2; i < words.length; i++) {
      const w = words[i]!;
      const next = () => words[++i]!;
      if (w === '-s') rule.src = cidr(next());
      else if (w === '-d') rule.dst = cidr(next());
      else if (w === '-p') rule.protocol = next();
      else if (w === '-m') next(); // the module is implied by its options below
      else if (w === '--dport') {
        const [a, b] = next().split(':').map(Number) as [number, number?];
        rule.dport = [a, b ?? a];
      } else if (w === '--mark') rule.mark = markPair(next());
      else if (w === '--ctstate') rule.ctstate = next().split(',');
      else if (w === '--comment') next();
      else if (w === '-j') {
        rule.target = next();
        if (rule.target === 'MARK') {
          if (next() !== '--set-xmark') throw new Error(`unexpected MARK option in: ${line}`);
          rule.setMark = markPair(next());
        }
      } else throw new Error(`simulate.ts does not know ${w} in: ${line}`);
    }
    if (!rule.target) throw new Error(`no target in: ${line}`);
    const list = chains.get(chain);
    if (!list) throw new Error(`rule for undeclared chain ${chain}`);
    list.push(rule as Rule);
  }
  return chains;
}

export type Verdict = 'allowed' | 'dropped';

/** FORWARD → FLATNET-FORWARD for one packet; FLATNET-FORWARD returning means "allowed". */
export function forward(chains: Chains, p: Packet): Verdict {
  const state = { mark: 0 };
  const src = parseIP(p.src)!;
  const dst = parseIP(p.dst)!;
  const r = walk(chains, 'FLATNET-FORWARD', { ...p, srcIP: src, dstIP: dst }, state, 0);
  if (r === 'ACCEPT') throw new Error('FLATNET chains must never ACCEPT');
  return r === 'DROP' ? 'dropped' : 'allowed';
}

type Parsed = Packet & { srcIP: IP; dstIP: IP };

function walk(chains: Chains, name: string, p: Parsed, state: { mark: number }, depth: number): 'DROP' | 'ACCEPT' | 'RETURN' {
  if (depth > 8) throw new Error(`chain loop at ${name}`);
  const rules = chains.get(name);
  if (!rules) throw new Error(`jump to undeclared chain ${name}`);
  for (const r of rules) {
    if (!matches(r, p, state.mark)) continue;
    if (r.target === 'RETURN') return 'RETURN';
    if (r.target === 'DROP' || r.target === 'ACCEPT') return r.target;
    if (r.target === 'MARK') {
      const [value, mask] = r.setMark!;
      state.mark = ((state.mark & ~mask) ^ value) >>> 0;
      continue;
    }
    const sub = walk(chains, r.target, p, state, depth + 1);
    if (sub !== 'RETURN') return sub;
  }
  return 'RETURN';
}

function matches(r: Rule, p: Parsed, mark: number): boolean {
  if (r.src && !cidrContains(r.src, p.srcIP)) return false;
  if (r.dst && !cidrContains(r.dst, p.dstIP)) return false;
  if (r.protocol && r.protocol !== p.protocol) return false;
  if (r.dport && (p.dport === undefined || p.dport < r.dport[0] || p.dport > r.dport[1])) return false;
  if (r.mark && (mark & r.mark[1]) !== r.mark[0]) return false;
  if (r.ctstate && !r.ctstate.includes(p.ctstate ?? 'NEW')) return false;
  return true;
}

function cidr(text: string): CIDR {
  const c = parseCIDR(text);
  if (!c) throw new Error(`bad CIDR ${text}`);
  return c;
}

function markPair(text: string): [number, number] {
  const [v, m] = text.split('/');
  return [Number(v), m === undefined ? 0xffffffff : Number(m)];
}

/** Words of a restore line; a double-quoted string is one word. */
function tokens(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}
