/**
 * @module
 * One-file JavaScript bundles of our TypeScript entry points, for processes whose start time a
 * learner waits on (the cluster daemon, the DNS server in the coredns pods). Node's type
 * stripping makes a checkout runnable without a build step, but loading a hundred .ts files
 * costs about half a second; a bundle loads in a fraction of that. Bundles live in
 * node_modules/.cache/flatnet (so node-pty still resolves from node_modules) and are rebuilt
 * when any source under runner/, checkers/ or bin/ changes. Callers fall back to the sources when
 * a bundle cannot be made: it is an optimisation, never a requirement.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fnv1a } from '../../checkers/hash.ts';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Spelt in pieces, or this very file would be rewritten when it is bundled itself.
const META_URL = ['import', 'meta', 'url'].join('.');
const OUT_DIR = join(PROJECT_ROOT, 'node_modules', '.cache', 'flatnet');
const SOURCE_DIRS = ['runner', 'checkers', 'bin'];

/** Where the bundle called `name` lives (whether or not it exists yet). */
export function bundlePath(name: string): string {
  return join(OUT_DIR, `${name}.mjs`);
}

/** A stamp of every source file and of the lockfile (path, size, mtime): cheap to compute, changes with any edit. */
function sourceStamp(): string {
  const parts: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'testdata' && e.name !== 'node_modules') walk(p);
      } else if (/\.(ts|js)$/.test(e.name) && !e.name.endsWith('.test.ts')) {
        const s = statSync(p);
        parts.push(`${relative(PROJECT_ROOT, p)}:${s.size}:${s.mtimeMs}`);
      }
    }
  };
  for (const d of SOURCE_DIRS) walk(join(PROJECT_ROOT, d));
  const lock = statSync(join(PROJECT_ROOT, 'package-lock.json'), { throwIfNoEntry: false }); // bundled packages
  parts.push(`package-lock.json:${lock?.size}:${lock?.mtimeMs}`);
  return fnv1a(parts.sort().join('\n')).toString(16);
}

function stampOf(file: string): string | undefined {
  try {
    const fd = openSync(file, 'r');
    const buf = Buffer.alloc(64);
    const n = readSync(fd, buf, 0, 64, 0);
    closeSync(fd);
    return /^\/\/ flatnet-bundle (\w+)/.exec(buf.subarray(0, n).toString())?.[1];
  } catch {
    return undefined;
  }
}

const fresh = new Map<string, Promise<string | undefined>>();

/**
 * Returns the path of an up-to-date bundle of `entry` (absolute path), building it when the
 * sources changed; undefined (with a debug line) when it cannot be built.
 */
export function ensureBundle(name: string, entry: string): Promise<string | undefined> {
  let p = fresh.get(name);
  if (!p) fresh.set(name, (p = build(name, entry)));
  return p;
}

async function build(name: string, entry: string): Promise<string | undefined> {
  const out = bundlePath(name);
  try {
    const stamp = sourceStamp();
    if (stampOf(out) === stamp) return out;
    const esbuild = await import('esbuild');
    const result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      // Packages are bundled too (one file loads faster than a tree of modules), except the
      // native one and the bundler itself; CommonJS packages get a require() that works in ESM.
      // @kubernetes/client-node too: only the kind provider loads it, on first use.
      external: ['node-pty', 'esbuild', '@kubernetes/client-node'],
      write: false,
      logLevel: 'silent',
      banner: {
        js: [
          `// flatnet-bundle ${stamp} (generated from ${relative(PROJECT_ROOT, entry)}; do not edit)`,
          `import { createRequire as __flatnetRequire } from 'node:module'; const require = __flatnetRequire(${META_URL});`,
        ].join('\n'),
      },
      plugins: [
        {
          // Each module keeps its own import.meta.url, so paths relative to a source file
          // (C sources, the labs folder, the project root) resolve as they do unbundled.
          name: 'source-urls',
          setup(b) {
            b.onLoad({ filter: /\.[jt]s$/ }, (args) =>
              args.path.includes('/node_modules/')
                ? undefined
                : {
                    contents: readFileSync(args.path, 'utf8').replaceAll(META_URL, JSON.stringify(pathToFileURL(args.path).href)),
                    loader: args.path.endsWith('.ts') ? 'ts' : 'js',
                  },
            );
          },
        },
      ],
    });
    mkdirSync(dirname(out), { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;
    writeFileSync(tmp, result.outputFiles[0]!.contents);
    renameSync(tmp, out); // atomic: a concurrent reader sees the old bundle or the new one
    return out;
  } catch {
    try {
      rmSync(out, { force: true }); // a stale bundle must not run in place of changed sources
    } catch {
      // not ours to remove (another user built it); callers run the sources
    }
    return undefined;
  }
}
