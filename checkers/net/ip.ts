/**
 * @module
 * IPv4/IPv6 addresses and CIDRs as bigints: enough for ipBlock matching and
 * address assignment, without Node's `net` (this file runs in the browser too).
 */

export type Family = 4 | 6;

export interface IP {
  family: Family;
  value: bigint;
}

export interface CIDR {
  family: Family;
  /** The network address: host bits cleared, as Go's net.ParseCIDR does. */
  base: bigint;
  prefix: number;
  text: string;
}

const bitsOf = (f: Family) => (f === 4 ? 32 : 128);

export function parseIP(s: string): IP | null {
  if (s.includes(':')) {
    const value = parseIPv6(s);
    return value === null ? null : { family: 6, value };
  }
  const value = parseIPv4(s);
  return value === null ? null : { family: 4, value };
}

function parseIPv4(s: string): bigint | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseIPv6(s: string): bigint | null {
  if (s.includes('%')) return null; // zones are not addresses a policy can name
  let text = s;
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    // An embedded IPv4 tail (::ffff:192.0.2.1) is two 16-bit groups written differently.
    const v4 = parseIPv4(last);
    if (v4 === null) return null;
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const group = (h: string) => (h === '' ? [] : h.split(':'));
  const head = group(halves[0] ?? '');
  const tail = halves.length === 2 ? group(halves[1] ?? '') : [];
  const given = head.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return null;
  if (![...head, ...tail].every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  const groups = [...head, ...Array<string>(8 - given).fill('0'), ...tail];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(`0x${g}`), 0n);
}

export function parseCIDR(s: string): CIDR | null {
  const slash = s.indexOf('/');
  if (slash < 0) return null;
  const ip = parseIP(s.slice(0, slash));
  const prefixText = s.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  const bits = bitsOf(ip.family);
  if (prefix > bits) return null;
  return { family: ip.family, base: ip.value & maskOf(ip.family, prefix), prefix, text: s };
}

function maskOf(f: Family, prefix: number): bigint {
  const bits = BigInt(bitsOf(f));
  const all = (1n << bits) - 1n;
  return (all << (bits - BigInt(prefix))) & all;
}

export function cidrContains(c: CIDR, ip: IP): boolean {
  return c.family === ip.family && (ip.value & maskOf(c.family, c.prefix)) === c.base;
}

/** True when `inner` lies inside `outer` and is strictly smaller (the API's rule for `except`). */
export function isStrictSubnet(outer: CIDR, inner: CIDR): boolean {
  return outer.family === inner.family && inner.prefix > outer.prefix && cidrContains(outer, { family: inner.family, value: inner.base });
}

export function formatIP(ip: IP): string {
  if (ip.family === 4) {
    return [24n, 16n, 8n, 0n].map((sh) => String((ip.value >> sh) & 0xffn)).join('.');
  }
  const groups = Array.from({ length: 8 }, (_, i) => (ip.value >> BigInt((7 - i) * 16)) & 0xffffn);
  // RFC 5952: compress the longest run (>= 2) of zero groups.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0n) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0n) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}
