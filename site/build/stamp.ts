/**
 * @module
 * Whether dist/ is older than what it is built from, so `npm start`, `flatnet dev` and the e2e
 * test build the site only when needed. The stamp is every source file's path, size and mtime
 * (site/, labs/, checkers/, the Astro config and the lockfile), hashed; building writes it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, '.flatnet-stamp');
const INPUTS = ['site', 'labs', 'checkers', 'astro.config.mjs', 'package-lock.json'];

function walk(path: string, out: string[]): void {
  if (!existsSync(path)) return;
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const name of readdirSync(path).sort()) if (!name.startsWith('.') && name !== 'node_modules') walk(join(path, name), out);
  } else out.push(`${path.slice(ROOT.length)}:${st.size}:${Math.floor(st.mtimeMs)}`);
}

export function sourceStamp(): string {
  const files: string[] = [];
  for (const input of INPUTS) walk(join(ROOT, input), files);
  return createHash('sha256').update(files.join('\n')).digest('hex');
}

export function isStale(): boolean {
  if (!existsSync(join(DIST, 'index.html')) || !existsSync(STAMP)) return true;
  return readFileSync(STAMP, 'utf8').trim() !== sourceStamp();
}

const LOCK = join(ROOT, 'node_modules', '.cache', 'flatnet-site-build.lock');

/**
 * Builds the site (astro build) when stale; returns false when the build failed. Two callers
 * at once (test files run in parallel) must not build into dist/ together: the second waits
 * for the first's lock, then finds the site fresh.
 */
export function ensureBuilt(log: (line: string) => void = () => {}): boolean {
  if (!isStale()) return true;
  mkdirSync(dirname(LOCK), { recursive: true });
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // A lock older than any build is a killed builder's: take it over.
      const held = statSync(LOCK, { throwIfNoEntry: false });
      if (Date.now() > deadline || (held && Date.now() - held.mtimeMs > 5 * 60_000)) break;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    if (!isStale()) return true;
    const stamp = sourceStamp();
    log('flatnet: building the course site (dist/)…');
    const astro = join(ROOT, 'node_modules', 'astro', 'bin', 'astro.mjs');
    const r = spawnSync(process.execPath, [astro, 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' } });
    if (r.status !== 0) return false;
    writeFileSync(STAMP, `${stamp}\n`);
    return true;
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
