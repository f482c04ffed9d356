/**
 * @module
 * An Astro content loader for labs/: each `labs/<id>/lab.yaml` is parsed and validated by the
 * same checkers the CLI uses, rendered with its parameters' first choices, and stored with its
 * Markdown pre-rendered. In `astro build` an invalid lab fails the build; in `flatnet dev` it
 * becomes an entry carrying the error, so the instructor sees it in the page, and the loader
 * reloads whenever a file under labs/ changes.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Loader, LoaderContext } from 'astro/loaders';
import { FlatnetError } from '../../checkers/errors.ts';
import { parseLab, referencedFiles, sourceText, type LabBundle } from '../../checkers/lab/index.ts';
import type { LabEntry, Segment } from './lab-entry.ts';
import { splitSegments } from './segments.ts';

export function labLoader(opts: { root: string }): Loader {
  const root = resolve(opts.root);
  return {
    name: 'flatnet-labs',
    async load(ctx) {
      await loadAll(ctx, root);
      ctx.watcher?.add(root);
      // Reloads run one after another, in the order of the saves: two overlapping ones could
      // otherwise finish out of order and leave the older file's result in the store.
      let queue = Promise.resolve();
      const reload = (path: string) => {
        if (path.startsWith(root)) queue = queue.then(() => loadAll(ctx, root)).catch((e: unknown) => ctx.logger.error(String(e)));
      };
      ctx.watcher?.on('change', reload);
      ctx.watcher?.on('add', reload);
      ctx.watcher?.on('unlink', reload);
    },
  };
}

async function loadAll(ctx: LoaderContext, root: string): Promise<void> {
  const dirs = readdirSync(root)
    .sort()
    .filter((n) => existsSync(join(root, n, 'lab.yaml')));
  ctx.store.clear();
  for (const id of dirs) {
    const entry = await loadOne(ctx, root, id);
    ctx.store.set({ id, data: await ctx.parseData({ id, data: entry }), digest: ctx.generateDigest(JSON.stringify(entry)) });
  }
}

async function loadOne(ctx: LoaderContext, root: string, id: string): Promise<LabEntry> {
  const dir = join(root, id);
  const file = relative(process.cwd(), join(dir, 'lab.yaml'));
  const yaml = readFileSync(join(dir, 'lab.yaml'), 'utf8');
  const files: Record<string, string> = {};
  try {
    const parsed = parseLab(yaml, file);
    for (const ref of referencedFiles(parsed)) {
      const p = join(dir, ref.path);
      if (existsSync(p) && statSync(p).isFile()) files[ref.path] = readFileSync(p, 'utf8');
    }
    if (parsed.lab.id !== id) throw new FlatnetError('LabIdMismatch', `lab id "${parsed.lab.id}" does not match its folder "${id}"`, { file, line: parsed.lineOf(['id']), field: 'id' }, `set id: ${id}`);
    const bundle: LabBundle = { ...parsed, files: new Map(Object.entries(files)) };
    return await toEntry(ctx, bundle, { yaml, files });
  } catch (e) {
    const message = e instanceof FlatnetError ? e.format() : String(e);
    // Only a dev server has a watcher: there the error is shown in the page, not thrown.
    if (!ctx.watcher) throw new Error(`labs/${id}: ${message}`, { cause: e });
    ctx.logger.error(message);
    return { id, title: id, chapter: '0', minutes: 0, error: message, params: {}, steps: [], tasks: [], source: { yaml, files } };
  }
}

async function toEntry(ctx: LoaderContext, bundle: LabBundle, source: LabEntry['source']): Promise<LabEntry> {
  const { lab } = bundle;
  const html = async (md: string) => (await ctx.renderMarkdown(md)).html;
  const segments = async (md: string): Promise<Segment[]> =>
    Promise.all(splitSegments(md).map(async (s) => (s.kind === 'code' ? s : { kind: 'html' as const, html: await html(s.text) })));
  return {
    id: lab.id,
    title: lab.title,
    chapter: lab.chapter,
    minutes: lab.minutes,
    params: { ...bundle.values },
    steps: await Promise.all(lab.steps.map(async (s) => ({ title: s.title, segments: await segments(s.body) }))),
    tasks: await Promise.all(
      lab.tasks.map(async (t, i) => ({
        id: t.id,
        title: t.title,
        prompt: await html(t.prompt),
        starter: sourceText(bundle, t.starter, ['tasks', i, 'starter']).text,
        solution: sourceText(bundle, t.reference, ['tasks', i, 'reference']).text,
        hints: await Promise.all(t.hints.map(async (h) => ({ id: h.id, html: await html(h.text) }))),
        checks: t.checks.map((c) => ({ id: c.id, title: c.title })),
      })),
    ),
    source,
  };
}
