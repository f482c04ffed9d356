/**
 * @module
 * `POST /ingress-request {url}`: what live grading's `route` check sends. A GET from outside
 * the cluster (curl in the sandbox's network namespace, where `cluster shell client` is) to
 * the ingress controller's load-balancer address, the URL's host pinned to it as DNS would
 * resolve it (`--resolve`), SNI and Host as the URL says. It carries an X-Request-ID, and the
 * controller's access log line with that id says which upstream and which pod answered — the
 * same line a learner reads with `kubectl logs`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { INGRESS_NAMESPACE, INGRESS_SERVICE } from '../../../../checkers/ingress/addon.ts';
import type { IngressAnswer } from '../../../../checkers/grade/index.ts';
import { logFile } from '../api/logs.ts';
import type { Cluster } from '../daemon.ts';
import { run } from '../exec.ts';
import { parseAccessLine } from '../ingress/access-log.ts';
import { LOADED } from '../ingress/table-file.ts';

export async function ingressRequest(c: Cluster, url: string): Promise<IngressAnswer | { error: string }> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { error: `${url} is not a URL` };
  }
  const svc = c.store.get('services', INGRESS_NAMESPACE, INGRESS_SERVICE);
  const ip = (svc?.status?.loadBalancer as { ingress?: { ip?: string }[] } | undefined)?.ingress?.[0]?.ip;
  if (!svc) return { error: 'this cluster runs no ingress controller (a lab asks for one with `requires: {ingress: true}`; by hand: `flatnet cluster up --ingress`)' };
  if (!ip) return { error: `Service ${INGRESS_NAMESPACE}/${INGRESS_SERVICE} has no load-balancer address yet` };
  await servesLatestTable(c);
  const id = `flatnet-check-${randomBytes(8).toString('hex')}`;
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  // -k: the certificate is judged by the grader (its names against the host), not by a CA.
  // -m 10: past the controller's 5 s connect timeout, so a pod that never accepts shows as its 504.
  const curl = ['curl', '-sS', '-k', '-m', '10', '-o', '/dev/null', '--resolve', `${host}:${port}:${ip}`, '-H', `X-Request-ID: ${id}`, '-w', '%{http_code}\n%{certs}', url];
  const r = await run('nsenter', [...c.sandbox.enterArgs(), '--', ...curl], { timeoutMs: 15_000 });
  const [code, ...certs] = r.stdout.split('\n');
  const status = Number(code);
  if (r.code !== 0 || !status) return { error: `curl ${url} (to ${ip}): ${r.stderr.trim() || `exit ${r.code}`}` };
  const certificate = u.protocol === 'https:' ? certificateNames(certs) : undefined;
  // The line is written as the response finishes: a moment after curl may have it.
  for (let i = 0; i < 40; i++) {
    const line = controllerLog(c).find((l) => l.endsWith(` ${id}`));
    const record = line ? parseAccessLine(line) : undefined;
    // 502 and 504 are the controller's own: it sent the request to the pod and got nothing back.
    const answered = record?.addr !== undefined && record.upstreamStatus !== 502 && record.upstreamStatus !== 504;
    if (record) return { status, upstream: record.upstream, ...(answered ? { addr: record.addr } : {}), ...(certificate ? { certificate } : {}) };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { error: `the controller answered ${status} but logged no line for request ${id}` };
}

/** DNS names of the first certificate curl printed (`%{certs}`), else its CN. */
export function certificateNames(lines: readonly string[]): string[] {
  const end = lines.findIndex((l) => l.startsWith('-----END CERTIFICATE'));
  const first = end < 0 ? lines : lines.slice(0, end);
  const san = first.find((l) => l.startsWith('X509v3 Subject Alternative Name:'));
  if (san) return [...san.matchAll(/DNS:([^,\s]+)/g)].map((m) => m[1]!);
  const cn = /CN ?= ?([^,]+)/.exec(first.find((l) => l.startsWith('Subject:')) ?? '');
  return cn ? [cn[1]!.trim()] : [];
}

/**
 * Waits (up to 3 s) until the controller logs that it loaded the table the daemon last wrote:
 * a request sent before then could be routed by the table of the answer before.
 */
async function servesLatestTable(c: Cluster): Promise<void> {
  await c.dataplane.settled();
  const want = c.dataplane.ingressTableDigest;
  for (let i = 0; want && i < 60; i++) {
    const loaded = controllerLog(c).flatMap((l) => LOADED.exec(l)?.[1] ?? []).at(-1);
    if (loaded === want) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The controller pods' current logs, line by line, without the CRI prefix (`<time> <stream> <F|P> `). */
function controllerLog(c: Cluster): string[] {
  const lines: string[] = [];
  for (const pod of c.store.list('pods', INGRESS_NAMESPACE)) {
    for (const s of (pod.status?.containerStatuses ?? []) as { name: string; restartCount: number }[]) {
      const file = logFile(c.logDir, { namespace: INGRESS_NAMESPACE, name: pod.metadata.name, uid: pod.metadata.uid ?? '' }, s.name, s.restartCount);
      if (existsSync(file)) lines.push(...readFileSync(file, 'utf8').split('\n').map((l) => l.split(' ').slice(3).join(' ')));
    }
  }
  return lines;
}
