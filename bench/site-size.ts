/**
 * The JavaScript each kind of page ships, gzipped: a chapter page (goal ≤ 30 KB), and a lab
 * page before its lazy parts (goal ≤ 200 KB) and after the editor, preview engine and terminal
 * have loaded (plus the editor's workers). Read from the built site: a page's scripts and their
 * static imports are what loads first; dynamic imports and workers load later.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Bench } from './bench.ts';
import { DIST, ensureBuilt } from '../site/build/stamp.ts';

const STATIC = /(?:import|export)\s*(?:[\w*{}\s,$]*?from\s*)?["'`](\.{1,2}\/[^"'`]+\.js)["'`]/g;
const DYNAMIC = /import\(\s*["'`](\.{1,2}\/[^"'`]+\.js)["'`]\s*\)/g;
const WORKER = /["'`/]([\w.-]*worker[\w.-]*\.js)["'`]/g;

const gz = (text: string | Buffer) => gzipSync(text, { level: 9 }).length;
const kb = (n: number) => Math.round(n / 102.4) / 10;

interface Graph {
  files: Set<string>;
  inline: number;
}

/** The page's module scripts (external and inline) and everything they import statically. */
function initial(page: string): Graph & { lazy: Set<string> } {
  const html = readFileSync(join(DIST, page), 'utf8');
  const files = new Set<string>();
  const lazy = new Set<string>();
  let inline = 0;
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    const attrs = m[1] ?? '';
    if (/type="application\/json"/.test(attrs)) continue;
    const src = /src="([^"]+)"/.exec(attrs)?.[1];
    if (src) files.add(src.replace(/^\//, ''));
    else inline += gz(m[2] ?? '');
  }
  const queue = [...files];
  while (queue.length > 0) {
    const f = queue.pop()!;
    const text = readFileSync(join(DIST, f), 'utf8');
    const dir = f.slice(0, f.lastIndexOf('/') + 1);
    for (const m of text.matchAll(STATIC)) {
      const dep = new URL(m[1]!, `file:///${dir}`).pathname.slice(1);
      if (files.has(dep)) continue;
      files.add(dep);
      queue.push(dep);
    }
    for (const m of text.matchAll(DYNAMIC)) lazy.add(new URL(m[1]!, `file:///${dir}`).pathname.slice(1));
  }
  return { files, inline, lazy };
}

/** Everything the lazy entries load, statically or not, and the workers they name. */
function closure(entries: Set<string>, known: Set<string>): { files: Set<string>; workers: Set<string> } {
  const files = new Set<string>();
  const workers = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const f = queue.pop()!;
    if (files.has(f) || known.has(f) || !existsSync(join(DIST, f))) continue;
    files.add(f);
    const text = readFileSync(join(DIST, f), 'utf8');
    const dir = f.slice(0, f.lastIndexOf('/') + 1);
    for (const m of [...text.matchAll(STATIC), ...text.matchAll(DYNAMIC)]) queue.push(new URL(m[1]!, `file:///${dir}`).pathname.slice(1));
    for (const m of text.matchAll(WORKER)) if (existsSync(join(DIST, '_astro', m[1]!))) workers.add(`_astro/${m[1]!}`);
  }
  return { files, workers };
}

const size = (files: Iterable<string>) => [...files].reduce((n, f) => n + gz(readFileSync(join(DIST, f))), 0);

export const siteSizeBench: Bench = {
  name: 'site size',
  goal: 'JS shipped, gzipped: chapter page <= 30 KB; lab page <= 200 KB before the editor/terminal load',
  run(report) {
    if (!ensureBuilt((l) => console.log(l))) return report({ page: 'the site did not build', js_gz_kb: 'n/a' });
    const chapter = initial('chapters/4-1-networking-fundamentals/index.html');
    report({ page: 'chapter 4.1', js_gz_kb: kb(size(chapter.files) + chapter.inline), goal_kb: 30, files: chapter.files.size });
    const lab = initial('labs/lab-4-1-networking-fundamentals/index.html');
    const before = size(lab.files) + lab.inline;
    report({ page: 'lab 4.1, before lazy parts', js_gz_kb: kb(before), goal_kb: 200, files: lab.files.size });
    const later = closure(lab.lazy, lab.files);
    report({ page: 'lab 4.1, after editor + preview + terminal', js_gz_kb: kb(before + size(later.files)), goal_kb: '-', files: lab.files.size + later.files.size });
    report({ page: 'lab 4.1, editor workers (own threads)', js_gz_kb: kb(size(later.workers)), goal_kb: '-', files: later.workers.size });
  },
};
