/**
 * @module
 * What a host needs for the kind provider, for `flatnet doctor --provider kind`. Reported,
 * never installed: Docker, kind and the sysctls belong to the user's machine.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Requirement } from '../../doctor.ts';
import { KIND_VERSION } from './versions.ts';

const ok = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore', timeout: 15_000 }).status === 0;

/** kind's known-issues page: Ubuntu's defaults (8192 / 128) make the 4th cluster fail to start (research §4.4). */
export const INOTIFY = { max_user_watches: 524288, max_user_instances: 512 } as const;

export function sysctl(name: string): number | undefined {
  try {
    return Number(readFileSync(`/proc/sys/fs/inotify/${name}`, 'utf8').trim());
  } catch {
    return undefined;
  }
}

const inotify = (name: keyof typeof INOTIFY): Requirement => ({
  name: `inotify ${name}`,
  why: `>= ${INOTIFY[name]} (now ${sysctl(name) ?? 'unknown'}), or kind nodes fail with "too many open files"; raise with: sudo sysctl fs.inotify.${name}=${INOTIFY[name]} (persist in /etc/sysctl.d/)`,
  check: () => (sysctl(name) ?? 0) >= INOTIFY[name],
});

export const KIND_REQUIREMENTS: Requirement[] = [
  { name: 'Docker engine', why: 'kind runs each node as a Docker container: `docker info` must work for this user (cgroup v2 host)', check: () => ok('docker', ['info']) },
  { name: 'kind', why: `creates the clusters (flatnet pins ${KIND_VERSION} and its node image)`, check: () => ok('kind', ['version']) },
  { name: 'kubectl', why: 'the provider talks to the clusters with it (>= 1.30)', check: () => ok(process.env.FLATNET_KUBECTL ?? 'kubectl', ['version', '--client']) },
  { name: 'helm', why: 'installs Cilium (>= 3.8, for OCI charts); not needed for Calico', optional: true, check: () => ok('helm', ['version']) },
  inotify('max_user_watches'),
  inotify('max_user_instances'),
];
