/**
 * @module
 * Starting and stopping clusters from the CLI: `up` starts the daemon detached and follows
 * its start-up stages; `down` asks it to stop (or kills it); `down --all` also sweeps up what
 * a crash may have left — daemons and node holders found by their `flatnet` markers, host
 * network namespaces named flatnet-*, and state folders.
 */
import { ensureBundle } from '../../build/bundle.ts';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlatnetError } from '../../../checkers/errors.ts';
import { call, callSocket, daemonInfo, isAlive } from './client.ts';
import { clusterDir, defaultStateRoot, stateRoot } from './config.ts';
import { DNS_MAIN } from './controllers/kubelet.ts';
import { ROOTFS_NAMES } from './images/profiles.ts';
import { ensureRootfs } from './images/rootfs.ts';
import { ensureNative, NATIVE_PROGRAMS } from './native/build.ts';
import { checkReachable, prepareOwnedDir, readOwner, removeOwner, whyNoOwners } from './owner.ts';
import { run } from './exec.ts';
import type { ClusterOptions } from './daemon.ts';
import { planTopology } from './topology.ts';
import { checkProxyMode } from './proxy/mode.ts';

const BIN = fileURLToPath(new URL('../../../bin/flatnet.js', import.meta.url));

export interface Progress {
  stage(name: string): void;
}

/** Starts the cluster's daemon and waits until CoreDNS is up. Returns the time it took. */
export async function up(name: string, progress: Progress, options: ClusterOptions = {}, timeoutMs = 60_000): Promise<number> {
  if (!/^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/.test(name)) {
    throw new FlatnetError('BadClusterName', `cluster name "${name}" is not a short lowercase DNS label`, {}, 'use letters, digits and dashes, e.g. --name lab1');
  }
  planTopology(name, options); // a bad node count or network mode fails here, not in the daemon's log
  if (options.proxyMode) checkProxyMode(options.proxyMode);
  if (daemonInfo(name)) throw new FlatnetError('ClusterExists', `cluster "${name}" is already running`, {}, `use it, or stop it first with \`npx flatnet cluster down --name ${name}\``);
  const t0 = performance.now();
  const dir = clusterDir(name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'options.json'), JSON.stringify(options));
  const log = openSync(join(dir, 'daemon.log'), 'a');
  // The daemon's start is part of what the learner waits for: run it from a bundle when possible.
  const entry = (await ensureBundle('flatnet', BIN)) ?? BIN;
  const env = options.owner === undefined ? process.env : await prepareOwned(dir, options.owner, entry);
  const child = spawn(process.execPath, [entry, 'cluster', '__daemon', '--name', name], { detached: true, stdio: ['ignore', log, log], env });
  child.unref();
  try {
    return await followStart(name, child, progress, t0, timeoutMs);
  } catch (e) {
    // Like kind without --retain: a cluster that did not come up is stopped (its log stays).
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await waitGone(child.pid!, 3000);
      if (isAlive(child.pid!)) child.kill('SIGKILL');
    }
    throw e;
  }
}

/** Why clusters under this state folder cannot run as users of their own (owner.ts), or undefined if they can. */
export function ownersUnavailable(): string | undefined {
  if (process.getuid?.() === 0) {
    mkdirSync(stateRoot(), { recursive: true });
    chmodSync(stateRoot(), 0o711);
  }
  return whyNoOwners([BIN, process.execPath, stateRoot()]);
}

/**
 * What a cluster that runs as `owner` needs before its daemon starts: its folders, and caches
 * it can read but not change (root fills them; the owner only reads). Returns the daemon's env.
 */
async function prepareOwned(dir: string, owner: number, entry: string): Promise<NodeJS.ProcessEnv> {
  if (process.getuid?.() !== 0) throw new FlatnetError('OwnerNeedsRoot', 'only root can run a cluster as a user of its own', {}, 'run as root, or leave the owner out (the cluster is then rootless as you)');
  const cache = join(stateRoot(), 'cache');
  for (const r of ROOTFS_NAMES) ensureRootfs(r, join(cache, 'flatnet', 'rootfs'));
  for (const n of NATIVE_PROGRAMS) ensureNative(n, join(cache, 'flatnet', 'native'));
  const dns = await ensureBundle('dns', DNS_MAIN);
  for (const d of [stateRoot(), join(stateRoot(), 'clusters')]) chmodSync(d, 0o711);
  const data = prepareOwnedDir(dir, owner);
  checkReachable(owner, [entry, process.execPath, BIN, DNS_MAIN, ...(dns ? [dns] : []), join(cache, 'flatnet'), data]);
  return { ...process.env, XDG_CACHE_HOME: cache, HOME: data };
}

async function followStart(name: string, child: ReturnType<typeof spawn>, progress: Progress, t0: number, timeoutMs: number): Promise<number> {
  const dir = clusterDir(name);
  let last = '';
  for (;;) {
    if (performance.now() - t0 > timeoutMs) throw new FlatnetError('ClusterTimeout', `cluster "${name}" was not ready after ${timeoutMs / 1000}s (stage: ${last || 'starting'})`, {}, `see ${join(dir, 'daemon.log')}`);
    if (child.exitCode !== null) throw new FlatnetError('ClusterFailed', `the cluster process exited: ${tail(join(dir, 'daemon.log'))}`, {}, 'run `npx flatnet doctor` to check this host');
    const info = daemonInfo(name);
    if (info) {
      const s = await callSocket<{ stage: string; ready: boolean }>(info.socket, 'GET', '/status').catch(() => undefined);
      if (s && s.stage !== last) {
        last = s.stage;
        progress.stage(s.stage);
      }
      if (s?.ready) return performance.now() - t0;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Stops one cluster and deletes its state, as `kind delete cluster` does. */
export async function down(name: string): Promise<boolean> {
  const info = daemonInfo(name);
  if (info) {
    await call(name, 'POST', '/shutdown').catch(() => undefined);
    await waitGone(info.pid, 5000);
    if (isAlive(info.pid)) process.kill(info.pid, 'SIGKILL');
    await waitGone(info.sandboxPid ?? info.nodePid, 5000);
  }
  const dir = clusterDir(name);
  const owner = readOwner(dir);
  if (owner !== undefined) await removeOwner(owner); // also what a learner left running as it
  const existed = existsSync(dir);
  rmSync(dir, { recursive: true, force: true });
  return !!info || existed;
}

export function list(): string[] {
  const dir = join(stateRoot(), 'clusters');
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/** Everything: known clusters, then leftovers by marker. Returns what was removed. */
export async function downAll(): Promise<string[]> {
  const removed: string[] = [];
  for (const name of list()) if (await down(name)) removed.push(`cluster ${name}`);
  for (const pid of flatnetProcesses()) {
    try {
      process.kill(pid, 'SIGKILL');
      removed.push(`process ${pid}`);
    } catch {
      // gone meanwhile
    }
  }
  const netns = await run('ip', ['netns', 'list']);
  for (const line of netns.stdout.split('\n')) {
    const ns = line.split(' ')[0];
    if (ns?.startsWith('flatnet')) {
      await run('ip', ['netns', 'del', ns]);
      removed.push(`netns ${ns}`);
    }
  }
  return removed;
}

/**
 * Daemons (`flatnet.js cluster __daemon`) and node holders (FLATNET_NODE in their
 * environment) of this state root only: another user's or another test's clusters are not ours.
 */
/** Cluster processes (daemons, node holders) of the clusters under state folder `root`, alive or leaked. */
export function flatnetProcesses(root = stateRoot()): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const daemon = cmd.includes('cluster\0__daemon');
      if (!daemon && !cmd.startsWith('unshare\0')) continue;
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (!daemon && !env.some((e) => e.startsWith('FLATNET_NODE=') || e.startsWith('FLATNET_SANDBOX='))) continue;
      const theirs = env.find((e) => e.startsWith('FLATNET_STATE_DIR='))?.slice('FLATNET_STATE_DIR='.length);
      if ((theirs ?? defaultStateRoot()) === root) out.push(Number(entry));
    } catch {
      // not ours to read, or gone
    }
  }
  return out;
}


async function waitGone(pid: number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (isAlive(pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-5).join(' | ');
  } catch {
    return '(no log)';
  }
}
