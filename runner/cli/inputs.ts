/**
 * @module
 * `-f` like kubectl: files, directories (their .yaml/.yml/.json files, sorted) and `-` for stdin.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FlatnetError } from '../../checkers/errors.ts';
import { parseManifests, type Manifest } from '../../checkers/k8s/manifests.ts';

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

export function readInputs(paths: readonly string[]): Manifest[] {
  if (paths.length === 0) throw new FlatnetError('NoInput', 'no input given', {}, 'pass one or more -f FILE_OR_DIR (or -f - for stdin)');
  return paths.flatMap((p) => {
    if (p === '-') return parseManifests(readFileSync(0, 'utf8'), '<stdin>');
    return filesOf(p).flatMap((f) => parseManifests(readFileSync(f, 'utf8'), f));
  });
}

function filesOf(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new FlatnetError('NoSuchFile', `${path}: no such file or directory`, {}, 'check the path given to -f');
  }
  if (!st.isDirectory()) return [path];
  const files = readdirSync(path)
    .filter((n) => MANIFEST_EXT.test(n))
    .sort()
    .map((n) => join(path, n))
    .filter((f) => statSync(f).isFile());
  if (files.length === 0) throw new FlatnetError('EmptyDirectory', `${path}: no .yaml, .yml or .json files`, {}, 'point -f at a manifest file or a folder of them');
  return files;
}
