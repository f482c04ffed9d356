/**
 * @module
 * The commands live grading runs inside a pod, and how their output reads — the same on every
 * provider, since the lab images are the same: a lookup with the pod's own resolver (busybox or
 * bind nslookup) and a GET with curl.
 */
import type { ExecResult } from './provider.ts';

export const lookupCommand = (name: string) => ['nslookup', name];

export function parseLookup(r: ExecResult): { addresses: string[] } | { error: string } {
  // nslookup prints the server first, then a blank line, then Name:/Address: per answer.
  const answers = r.stdout.split(/\n\s*\n/).slice(1).join('\n');
  const addresses = [...answers.matchAll(/^Address:\s+(\S+)$/gm)].map((m) => m[1]!);
  // busybox exits 1 when any search domain fails, even after an answer: the answers decide.
  if (addresses.length > 0) return { addresses };
  const out = r.stdout + r.stderr;
  return { error: /can't find [^:]*: (\S+)/.exec(out)?.[1] ?? (/timed out/.test(out) ? 'timed out' : `exit ${r.code}`) };
}

export const getCommand = (url: string) => ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '3', url];

export function parseGet(r: ExecResult): { status: number } | { error: string } {
  const status = Number(r.stdout.trim());
  if (status > 0) return { status };
  return { error: r.code === 28 ? 'timed out (dropped)' : r.code === 7 ? 'connection refused' : r.code === 6 ? 'name not resolved' : `curl exit ${r.code}` };
}
