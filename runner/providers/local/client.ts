/**
 * @module
 * The CLI's side of the control socket: JSON requests to a running cluster's daemon.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { FlatnetError } from '../../../checkers/errors.ts';
import { clusterDir } from './config.ts';
import type { DaemonInfo } from './daemon.ts';

export function daemonInfo(name: string): DaemonInfo | undefined {
  const path = join(clusterDir(name), 'daemon.json');
  if (!existsSync(path)) return undefined;
  let info: DaemonInfo;
  try {
    info = JSON.parse(readFileSync(path, 'utf8')) as DaemonInfo;
  } catch {
    return undefined; // written by an older daemon that did not rename it into place: not there yet
  }
  return isAlive(info.pid) ? info : undefined;
}

/** Alive, and not a zombie waiting for a parent to reap it (a detached daemon's parent is init). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: it runs, as another user (a cluster serve made for someone else).
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

export function notRunning(name: string): FlatnetError {
  const hidden = unreadable(join(clusterDir(name), 'daemon.json'));
  if (hidden) {
    const user = process.getuid?.() ?? '?';
    return new FlatnetError('ClusterNotYours', `cluster "${name}" cannot be reached by this user (uid ${user}): ${hidden}`, {}, 'use it as the user that started it (a session\'s terminal is already that user), or start a cluster of your own with `npx flatnet cluster up --name NAME`');
  }
  return new FlatnetError('ClusterNotRunning', `cluster "${name}" is not running`, {}, `start it with \`npx flatnet cluster up${name === 'flatnet' ? '' : ` --name ${name}`}\``);
}

/** Why a file that exists cannot be read by this process, or undefined (readable, or not there). */
function unreadable(path: string): string | undefined {
  try {
    statSync(path);
    readFileSync(path);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'EACCES' || code === 'EPERM' ? `its state (${path}) is not readable (${code})` : undefined;
  }
}

/**
 * Waits until the cluster's network rules match its objects; throws when the kernel refused
 * them (what the dataplane last failed to load).
 */
export async function settle(name: string): Promise<void> {
  const { dataplaneError } = await call<{ dataplaneError: string | null }>(name, 'POST', '/settle');
  if (dataplaneError) throw new FlatnetError('DataplaneFailed', `the cluster could not load its network rules: ${dataplaneError}`, {}, 'see the cluster log (daemon.log)');
}

export async function call<T>(name: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const info = daemonInfo(name);
  if (!info) throw notRunning(name);
  return callSocket<T>(info.socket, method, path, body);
}

export function callSocket<T>(socket: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method, path, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const json = JSON.parse(Buffer.concat(chunks).toString() || '{}') as T & { error?: { code: string; message: string; fix?: string } };
        // A failure, and only a failure, is {error: {code, message, fix}}.
        if (json.error) reject(new FlatnetError(json.error.code, json.error.message, {}, json.error.fix));
        else resolve(json);
      });
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
