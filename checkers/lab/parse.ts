/**
 * @module
 * lab.yaml text → a validated Lab whose every error names file, line and field.
 * Parameters are read first (they must be literal), the text is rendered with the
 * chosen values, and the rendered text is parsed and checked against LabSchema.
 */
import { LineCounter, isNode, parseDocument, type Document } from 'yaml';
import { errors, FlatnetError, labErrors } from '../errors.ts';
import type { FieldPath } from '../k8s/manifests.ts';
import { fieldPath } from '../k8s/objects.ts';
import { describeIssue } from '../k8s/issues.ts';
import { LabSchema, type Lab } from './lab.ts';
import { ParamSchema, pickValues, substitute, variantValues, type Param, type ParamValues } from './params.ts';
import { z } from 'zod';

export interface ParsedLab {
  lab: Lab;
  /** The source name used in messages, e.g. labs/netpol-postgres-dns-egress/lab.yaml. */
  file: string;
  /** The value each parameter took in this rendering. */
  values: ParamValues;
  params: Param[];
  /** 1-based line of a field of lab.yaml (or of its closest existing parent). */
  lineOf(path: FieldPath): number;
}

export interface RenderOptions {
  /** A learner's seed: picks one choice per parameter. */
  seed?: string;
  /** Variant i takes choice i of every parameter (validate renders each variant). Wins over seed. */
  variant?: number;
}

export function parseLab(text: string, file: string, opts: RenderOptions = {}): ParsedLab {
  const raw = load(text, file, false);
  const params = readParams(raw, file);
  const values = opts.variant !== undefined ? variantValues(params, opts.variant) : pickValues(params, opts.seed);
  const rendered = renderText(text, values, params, file);
  const doc = load(rendered, file, true);
  const parsed = LabSchema.safeParse(doc.value, { reportInput: true });
  if (!parsed.success) {
    throw FlatnetError.many(
      parsed.error.issues.map((issue) => {
        const { path, message } = describeIssue(issue);
        return labErrors.invalidLab({ file, line: doc.lineOf(path), field: fieldPath(path) }, message);
      }),
    );
  }
  return { lab: parsed.data, file, values, params, lineOf: doc.lineOf };
}

/** Renders a text of the lab (lab.yaml or a file it references) with the parameter values. */
export function renderText(text: string, values: ParamValues, params: readonly Param[], file: string): string {
  const { text: out, unknown } = substitute(text, values);
  if (unknown.length > 0) {
    const lines = new LineCounter();
    parseDocument(text, { lineCounter: lines });
    const known = params.map((p) => `\${${p.name}}`).join(', ');
    throw FlatnetError.many(unknown.map((u) => labErrors.unknownParam({ file, line: lines.linePos(u.offset).line }, u.name, known)));
  }
  return out;
}

interface Loaded {
  value: unknown;
  lineOf(path: FieldPath): number;
}

/** strict: a syntax error throws. Not strict (the unrendered text): best effort, to read params. */
function load(text: string, file: string, strict: boolean): Loaded {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const first = doc.errors[0];
  if (first && strict) {
    const pos = first.linePos?.[0] ?? lines.linePos(first.pos[0]);
    // The library appends " at line L, column C:"; the position is printed by formatWhere.
    const message = (first.message.split('\n')[0] ?? first.message).replace(/ at line \d+, column \d+:?$/, '');
    throw errors.yamlSyntax({ file, line: pos.line, column: pos.col }, message);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch {
    value = undefined;
  }
  return { value, lineOf: (path) => lineOf(doc, lines, path) };
}

function readParams(raw: Loaded, file: string): Param[] {
  const value = (raw.value as { params?: unknown } | null | undefined)?.params;
  if (value === undefined) return [];
  const parsed = z.array(ParamSchema).safeParse(value, { reportInput: true });
  if (parsed.success) return parsed.data;
  throw FlatnetError.many(
    parsed.error.issues.map((issue) => {
      const { path, message } = describeIssue(issue);
      const full = ['params', ...path];
      return labErrors.invalidLab({ file, line: raw.lineOf(full), field: fieldPath(full) }, message);
    }),
  );
}

function lineOf(doc: Document, lines: LineCounter, path: FieldPath): number {
  for (let n = path.length; n >= 0; n--) {
    const node: unknown = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return 1;
}
