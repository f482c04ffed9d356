/**
 * @module
 * What grading returns, in static and live mode alike. The JSON printer emits these
 * fields as they are, so they are a public, documented schema (docs/authoring-labs.md):
 * add fields, never rename them.
 */
import type { Warning } from '../errors.ts';
import type { Check } from '../lab/check.ts';
import type { ProbeResult } from '../truth-table.ts';

export type Mode = 'static' | 'live';

export interface CheckResult {
  id: string;
  kind: Check['kind'];
  title: string;
  passed: boolean;
  /** True when the check was not evaluated because the answer did not apply. */
  skipped: boolean;
  /** The hint this check returns when it fails. */
  hint: string;
  /** What the check wants, e.g. "allowed" or "resolves to Service data/api". */
  expected: string;
  /** What grading saw, e.g. "denied (1 of 2 flows)". */
  observed: string;
  /** Why, in plain words from the engine's evidence. */
  explanation: string;
  /** The flows behind the verdict (the same type live probes produce). */
  flows: ProbeResult[];
}

export interface GradeResult {
  lab: string;
  task: string;
  mode: Mode;
  passed: boolean;
  /** The hint of the first failing check: the one the learner is shown. */
  hint: string | null;
  /** That hint's Markdown text. */
  hintText: string | null;
  checks: CheckResult[];
  /** Things that change what the answer means, e.g. rules Kubernetes ignores. */
  warnings: Warning[];
  /** The parameter values this learner's lab was rendered with. */
  params: Readonly<Record<string, string>>;
}

export function checkResult(c: Check, r: Pick<CheckResult, 'passed' | 'expected' | 'observed' | 'explanation'> & { flows?: ProbeResult[] }): CheckResult {
  return { id: c.id, kind: c.kind, title: c.title, skipped: false, hint: c.hint, flows: [], ...r };
}
