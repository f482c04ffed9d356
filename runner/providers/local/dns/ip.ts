/**
 * @module
 * IP address forms DNS needs: family, canonical text (to compare addresses written
 * differently), wire bytes, the dashed label forms of pod and endpoint names, and the
 * address inside an in-addr.arpa / ip6.arpa name.
 */
import { isIP } from 'node:net';

/** 4, 6, or 0 when `s` is not an address (zone ids like `%eth0` are not addresses here). */
export function ipFamily(s: string): 0 | 4 | 6 {
  if (s.includes('%')) return 0;
  return isIP(s) as 0 | 4 | 6;
}

/** The eight 16-bit groups of a valid IPv6 address, including an embedded IPv4 tail. */
function groups6(s: string): number[] {
  let text = s;
  const tail: number[] = [];
  const v4 = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (v4) {
    const [b0, b1, b2, b3] = v4.slice(2).map(Number) as [number, number, number, number];
    tail.push((b0 << 8) | b1, (b2 << 8) | b3);
    text = v4[1]!.endsWith('::') ? v4[1]! : v4[1]!.slice(0, -1);
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  const zeros = rest === undefined ? 0 : 8 - tail.length - left.length - right.length;
  return [...left, ...new Array<number>(zeros).fill(0), ...right, ...tail];
}

/** One spelling per address (RFC 5952 for IPv6, as Go prints it), or undefined. */
export function canonicalIp(s: string): string | undefined {
  const family = ipFamily(s);
  if (family === 4) return s;
  if (family !== 6) return undefined;
  const g = groups6(s);
  // The longest run of two or more zero groups becomes '::' (the first, on a tie).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** Wire bytes of a valid address: 4 for IPv4, 16 for IPv6. */
export function ipBytes(s: string): Buffer {
  if (ipFamily(s) === 4) return Buffer.from(s.split('.').map(Number));
  const out = Buffer.alloc(16);
  groups6(s).forEach((x, i) => out.writeUInt16BE(x, i * 2));
  return out;
}

/**
 * The address in a pod name label: `10-244-1-5` or `fd00--5`. Like CoreDNS: three dashes
 * and no `--` means IPv4, anything else is read as IPv6 with dashes for colons.
 */
export function ipFromDashed(label: string): string | undefined {
  const dashes = label.split('-').length - 1;
  const ip = dashes === 3 && !label.includes('--') ? label.replaceAll('-', '.') : label.replaceAll('-', ':');
  return ipFamily(ip) === 0 ? undefined : ip;
}

/** The label CoreDNS gives an endpoint without a hostname: its address with dashes. */
export function dashedIp(ip: string): string {
  if (ip.includes('.')) return ip.replaceAll('.', '-');
  const dashed = ip.replaceAll(':', '-');
  return dashed.endsWith('-') ? `${dashed}0` : dashed;
}

/** The address a reverse name stands for (`5.1.244.10.in-addr.arpa` → `10.244.1.5`), or undefined. */
export function ipFromReverse(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.in-addr.arpa')) {
    const ip = lower.slice(0, -'.in-addr.arpa'.length).split('.').reverse().join('.');
    return ipFamily(ip) === 4 ? ip : undefined;
  }
  if (lower.endsWith('.ip6.arpa')) {
    const nibbles = lower.slice(0, -'.ip6.arpa'.length).split('.').reverse();
    if (nibbles.length !== 32 || !nibbles.every((n) => /^[0-9a-f]$/.test(n))) return undefined;
    const text = Array.from({ length: 8 }, (_, i) => nibbles.slice(i * 4, i * 4 + 4).join('')).join(':');
    return canonicalIp(text);
  }
  return undefined;
}
