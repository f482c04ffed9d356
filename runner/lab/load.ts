/**
 * @module
 * Labs on disk: `labs/<id>/lab.yaml` plus the files it references. Reading is here;
 * parsing, rendering and checking are in checkers/lab, so the site can do the same
 * with files it got another way.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlatnetError, labErrors } from '../../checkers/errors.ts';
import { parseLab, referencedFiles, variantCount, type LabBundle, type RenderOptions } from '../../checkers/lab/index.ts';

/** The labs/ folder of this checkout, whatever the working directory. */
export const LABS_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../labs');

/** Paths in messages are relative to the working directory when that is shorter, like git's. */
export function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

/** Reads one lab folder; throws a FlatnetError naming file, line and field. */
export function loadLab(dir: string, opts: RenderOptions = {}): LabBundle {
  const file = join(dir, 'lab.yaml');
  const shown = display(file);
  const parsed = parseLab(readFileSync(file, 'utf8'), shown, opts);
  const folder = basename(resolve(dir));
  if (parsed.lab.id !== folder) throw labErrors.labIdMismatch({ file: shown, line: parsed.lineOf(['id']), field: 'id' }, parsed.lab.id, folder);
  const files = new Map<string, string>();
  const missing: FlatnetError[] = [];
  for (const ref of referencedFiles(parsed)) {
    const path = join(dir, ref.path);
    if (existsSync(path) && statSync(path).isFile()) files.set(ref.path, readFileSync(path, 'utf8'));
    else missing.push(labErrors.missingLabFile({ file: shown, line: parsed.lineOf(ref.at), field: 'file' }, ref.path));
  }
  if (missing.length > 0) throw FlatnetError.many(missing);
  return { ...parsed, files };
}

/** Every rendering validate must try: one per parameter variant. */
export function loadVariants(dir: string): LabBundle[] {
  const first = loadLab(dir, { variant: 0 });
  const n = variantCount(first.params);
  return [first, ...Array.from({ length: n - 1 }, (_, i) => loadLab(dir, { variant: i + 1 }))];
}

/** A lab folder, or a folder of lab folders (sorted). */
export function findLabDirs(path: string): string[] {
  if (!existsSync(path)) throw new FlatnetError('NoSuchFile', `${path}: no such file or directory`, {}, 'pass labs/ or labs/<id>');
  if (existsSync(join(path, 'lab.yaml'))) return [path];
  const dirs = readdirSync(path)
    .sort()
    .map((n) => join(path, n))
    .filter((d) => statSync(d).isDirectory() && existsSync(join(d, 'lab.yaml')));
  if (dirs.length === 0) throw labErrors.noLabs(path);
  return dirs;
}

/** `flatnet grade ID`: an id under labs/, or a path to a lab folder. */
export function labDirById(idOrPath: string): string {
  if (existsSync(join(idOrPath, 'lab.yaml'))) return idOrPath;
  const dir = join(LABS_ROOT, idOrPath);
  if (/^[a-z0-9-]+$/.test(idOrPath) && existsSync(join(dir, 'lab.yaml'))) return dir;
  const known = existsSync(LABS_ROOT) ? readdirSync(LABS_ROOT).filter((n) => existsSync(join(LABS_ROOT, n, 'lab.yaml'))) : [];
  throw labErrors.noSuchLab(idOrPath, known.join(', '));
}
