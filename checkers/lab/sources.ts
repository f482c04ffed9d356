/**
 * @module
 * Where the YAML of a starter, reference, wrong answer or `given` comes from: a file next
 * to lab.yaml or an inline block. Reading files is the runner's job; here a bundle holds
 * their raw text, and every answer is rendered with the lab's parameter values and
 * parsed with line numbers that point into the file it was written in.
 */
import { labErrors } from '../errors.ts';
import { parseManifests, type FieldPath, type Manifest } from '../k8s/manifests.ts';
import type { ParsedLab } from './parse.ts';
import { renderText } from './parse.ts';
import type { AnswerSource } from './task.ts';

/** A parsed lab plus the raw text of every file it references (paths relative to the lab folder). */
export interface LabBundle extends ParsedLab {
  files: ReadonlyMap<string, string>;
}

export interface SourceText {
  text: string;
  /** File name for messages. */
  file: string;
  /** Lines to add to a line of `text` to get the line in `file` (inline blocks sit inside lab.yaml). */
  lineOffset: number;
}

export interface FileRef {
  path: string;
  /** Where lab.yaml names it. */
  at: FieldPath;
}

/** Every file the lab references, with the field that references it. */
export function referencedFiles(parsed: ParsedLab): FileRef[] {
  const out: FileRef[] = [];
  parsed.lab.tasks.forEach((t, ti) => {
    const add = (s: { file?: string }, at: FieldPath) => {
      if (s.file !== undefined) out.push({ path: s.file, at: [...at, 'file'] });
    };
    t.given.forEach((g, i) => add(g, ['tasks', ti, 'given', i]));
    add(t.starter, ['tasks', ti, 'starter']);
    add(t.reference, ['tasks', ti, 'reference']);
    t.accepted.forEach((a, i) => add(a, ['tasks', ti, 'accepted', i]));
    t.wrong.forEach((w, i) => add(w, ['tasks', ti, 'wrong', i]));
  });
  return out;
}

/** The folder of lab.yaml, as written in its file name (`labs/x/lab.yaml` → `labs/x/`). */
export function labDir(file: string): string {
  return file.slice(0, file.lastIndexOf('/') + 1);
}

export function sourceText(bundle: LabBundle, src: AnswerSource, at: FieldPath): SourceText {
  if (src.inline !== undefined) {
    // A block scalar's content starts on the line after its `inline: |` key.
    return { text: src.inline, file: bundle.file, lineOffset: bundle.lineOf([...at, 'inline']) };
  }
  const path = src.file ?? '';
  const raw = bundle.files.get(path);
  const file = labDir(bundle.file) + path;
  if (raw === undefined) throw labErrors.missingLabFile({ file: bundle.file, line: bundle.lineOf([...at, 'file']), field: 'file' }, path);
  return { text: renderText(raw, bundle.values, bundle.params, file), file, lineOffset: 0 };
}

/** Parses a source's YAML; lines point into the file it was written in. */
export function sourceManifests(s: SourceText): Manifest[] {
  try {
    return parseManifests(s.text, s.file).map((m) => shift(m, s.lineOffset));
  } catch (e) {
    if (s.lineOffset > 0 && e instanceof Error && 'where' in e) {
      const where = (e as { where: { line?: number } }).where;
      if (where.line !== undefined) where.line += s.lineOffset;
    }
    throw e;
  }
}

function shift(m: Manifest, by: number): Manifest {
  if (by === 0) return m;
  return { ...m, line: m.line + by, lineOf: (p) => m.lineOf(p) + by };
}
