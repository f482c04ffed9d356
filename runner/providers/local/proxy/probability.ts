/**
 * @module
 * The `--probability` values kube-proxy writes. With n endpoints, rule i (0-based) matches
 * with probability 1/(n-i) and the last rule always matches, so each endpoint is picked with
 * probability 1/n. kube-proxy formats the number with Go's `fmt.Sprintf("%0.10f", 1.0/float64(n))`.
 */

/**
 * `%0.10f` of 1/n. JavaScript's toFixed rounds an exact tie up where Go rounds it to even;
 * ties only happen when 1/n has exactly 11 decimals ending in 5 (n = 2048, 10240, …), and
 * this keeps those identical to kube-proxy too.
 */
export function probability(n: number): string {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`probability needs a positive endpoint count, got ${n}`);
  const x = 1 / n;
  // toFixed(100) is the double's exact decimal expansion (x >= 2^-48 has fewer digits).
  const exact = x.toFixed(100);
  const dot = exact.indexOf('.');
  const kept = exact.slice(0, dot + 11);
  const rest = exact.slice(dot + 11);
  if (!/^50*$/.test(rest)) return x.toFixed(10);
  const lastDigit = Number(kept.at(-1));
  if (lastDigit % 2 === 0) return kept; // round half to even: keep the even digit
  return x.toFixed(10); // odd: rounding up (what toFixed does on a tie) makes it even
}
