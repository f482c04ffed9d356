/**
 * @module
 * The local cluster's small C programs (agnhost.c, container-init.c, busybox-sh.c), compiled once per
 * machine with the host's C compiler, statically, so they run inside any pod's root
 * filesystem; and one shared library the node shell preloads (nosetgroups.c). Cached by a
 * hash of the source: editing one rebuilds it.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlatnetError } from '../../../../checkers/errors.ts';
import { cacheRoot } from '../config.ts';

export const NATIVE_PROGRAMS = ['agnhost', 'busybox-sh', 'container-init', 'nosetgroups', 'tunnel'] as const;
export type NativeProgram = (typeof NATIVE_PROGRAMS)[number];

/** Built as a shared library to preload, not a static program. */
const LIBRARIES: readonly NativeProgram[] = ['nosetgroups'];

/** Programs this process has found or built: every container start asks, so answer from memory. */
const built = new Map<string, string>(); // by cache folder and name

/** The path of the compiled program, building it first when needed. Safe against concurrent builders. */
export function ensureNative(name: NativeProgram, root = cacheRoot('native')): string {
  const known = built.get(`${root}\0${name}`);
  if (known) return known;
  const source = fileURLToPath(new URL(`./${name}.c`, import.meta.url));
  const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 12);
  const bin = join(root, `${name}-${hash}`);
  if (existsSync(bin)) {
    built.set(`${root}\0${name}`, bin);
    return bin;
  }
  mkdirSync(root, { recursive: true });
  const tmp = `${bin}.tmp-${process.pid}`;
  const cc = process.env.CC ?? 'cc';
  try {
    const kind = LIBRARIES.includes(name) ? ['-shared', '-fPIC'] : ['-static'];
    execFileSync(cc, [...kind, '-O2', '-o', tmp, source], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const detail = (e as { stderr?: Buffer }).stderr?.toString().trim().split('\n').slice(-2).join(' | ') || String(e);
    throw new FlatnetError('NativeBuild', `building ${name} with ${cc} failed: ${detail}`, {}, 'install a C compiler and a static libc (apt-get install gcc libc6-dev), or run `npx flatnet doctor --install`');
  }
  renameSync(tmp, bin);
  built.set(`${root}\0${name}`, bin);
  return bin;
}
