/**
 * @module
 * Multi-document Kubernetes YAML → plain objects that remember where they came
 * from, so every later error can name the file and line (isomorphic: no file I/O here).
 */
import { LineCounter, parseAllDocuments, isNode, type Document } from 'yaml';
import { errors } from '../errors.ts';

export type FieldPath = readonly (string | number)[];

export interface Manifest {
  /** The parsed document, exactly as written (no defaults applied). */
  object: unknown;
  /** The source name shown in messages: a path, `<stdin>`, or an editor tab name. */
  file: string;
  /** 1-based line where the document starts. */
  line: number;
  /** 1-based line of a field, or of its closest parent that exists. */
  lineOf(path: FieldPath): number;
}

/** Parses every document of a YAML (or JSON) text; throws a YamlSyntax error at the first broken line. */
export function parseManifests(text: string, file: string): Manifest[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true });
  // A text holding a single broken document comes back as an EmptyStream-like array with errors.
  const list = Array.isArray(docs) ? docs : [];
  const out: Manifest[] = [];
  for (const doc of list) {
    const first = doc.errors[0];
    if (first) {
      const pos = first.linePos?.[0] ?? lines.linePos(first.pos[0]);
      throw errors.yamlSyntax({ file, line: pos.line, column: pos.col }, firstLine(first.message));
    }
    if (doc.contents === null) continue; // an empty document (`---` at the end)
    const object: unknown = doc.toJS({ maxAliasCount: 100 });
    const lineAt = (offset: number | undefined) => (offset === undefined ? 1 : lines.linePos(offset).line);
    const start = lineAt(doc.contents.range?.[0]);
    out.push({ object, file, line: start, lineOf: (path) => lineAt(offsetOf(doc, path)) ?? start });
  }
  return out;
}

function offsetOf(doc: Document, path: FieldPath): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node: unknown = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return undefined;
}

/** The library appends " at line L, column C:" and a code excerpt; we print the position ourselves. */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}
