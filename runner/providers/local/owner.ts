/**
 * @module
 * Clusters owned by a user of their own (docs/0004-cluster-owners.md). A root runner gives
 * every cluster an unprivileged uid: its daemon starts as root only to open what root will
 * later trust — the control socket, daemon.json, the kubeconfig, all in a folder the owner
 * cannot write — then drops to the owner and runs rootless from there on. The node is then a
 * user namespace that uid owns: the learner's shell, run as the same uid, can enter it as
 * "root" (`flatnet cluster shell node`) and is nobody special on the host.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, ftruncateSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { FlatnetError } from '../../../checkers/errors.ts';

/** Owners are taken from far above real users' uids (Debian gives 1000–59999). */
const FIRST_UID = 200_000;
const UIDS = 800_000;

/** A uid no process and no other cluster under `clustersDir` uses. */
export function freeOwner(clustersDir: string): number {
  const taken = new Set<number>(processesByUid().keys());
  for (const name of safeReaddir(clustersDir)) {
    const o = readOwner(join(clustersDir, name));
    if (o !== undefined) taken.add(o);
  }
  for (;;) {
    const uid = FIRST_UID + Math.floor(Math.random() * UIDS);
    if (!taken.has(uid)) return uid;
  }
}

/** The owner a cluster's options.json names (written by root: trusted). */
export function readOwner(clusterDir: string): number | undefined {
  try {
    const o = (JSON.parse(readFileSync(join(clusterDir, 'options.json'), 'utf8')) as { owner?: unknown }).owner;
    return typeof o === 'number' ? o : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks that `uid` can reach what an owned cluster runs from (the checkout, the state and
 * cache folders), so a failure is one clear message, not an EACCES deep in pod start-up.
 */
export function checkReachable(uid: number, paths: string[]): void {
  for (const p of paths) {
    // A file readable, a folder passable (listing it is not needed).
    const r = spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', 'sh', '-c', 'if [ -d "$1" ]; then [ -x "$1" ]; else [ -r "$1" ]; fi', 'sh', p]);
    if (r.status !== 0) {
      throw new FlatnetError('OwnerCannotRead', `${p} is not readable by unprivileged users, so clusters cannot run as users of their own`, {}, `make it readable (chmod o+rx on it and every folder above it), or put the checkout and FLATNET_STATE_DIR somewhere that is`);
    }
  }
}

/**
 * Why clusters cannot run as users of their own here, or undefined if they can: it takes
 * root, and a checkout (and state folder) that other users can read.
 */
export function whyNoOwners(paths: string[]): string | undefined {
  if (process.getuid?.() !== 0) return 'only root can run clusters as users of their own';
  try {
    checkReachable(FIRST_UID - 1, paths);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** The folder layout an owned cluster gets: `dir` (root's, 0711) and `dir/data` (the owner's, 0700). */
export function prepareOwnedDir(dir: string, uid: number): string {
  chmodSync(dir, 0o711);
  const data = join(dir, 'data');
  mkdirSync(data, { recursive: true, mode: 0o700 });
  chownSync(data, uid, uid);
  return data;
}

/** A file root opened before the drop: the daemon writes it whole through the descriptor later. */
export class Record {
  private readonly fd: number;
  readonly path: string;
  constructor(path: string, mode: number) {
    this.path = path;
    this.fd = openSync(path, 'w', mode);
    chmodSync(path, mode);
  }
  write(text: string): void {
    ftruncateSync(this.fd, 0);
    writeSync(this.fd, text, 0);
  }
  close(): void {
    closeSync(this.fd);
  }
}

/** From here on the daemon is the owner: no supplementary groups, no way back to root. */
export function becomeOwner(uid: number): void {
  if (!process.setgroups || !process.setgid || !process.setuid) throw new Error('this platform cannot change users');
  process.setgroups([]);
  process.setgid(uid);
  process.setuid(uid);
}

/** Live processes by real uid. */
function processesByUid(): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      if (/^State:\s+Z/m.test(status)) continue; // exited, waiting for its parent: holds nothing
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)![1]);
      out.set(uid, [...(out.get(uid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * Everything the owner left: every process running as it (a learner's `nohup`, the node), then
 * its files in the shared temporary folders. Only once no process of it is left can root
 * delete its files without racing it.
 */
export async function removeOwner(uid: number): Promise<void> {
  if (uid < FIRST_UID) throw new Error(`refusing to remove uid ${uid}: not a cluster owner`);
  for (let i = 0; i < 50; i++) {
    const pids = processesByUid().get(uid) ?? [];
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  for (const tmp of ['/tmp', '/var/tmp', '/dev/shm']) {
    for (const name of safeReaddir(tmp)) {
      const p = join(tmp, name);
      try {
        if (lstatSync(p, { throwIfNoEntry: false })?.uid === uid) rmSync(p, { recursive: true, force: true });
      } catch {
        // not ours to worry about
      }
    }
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
