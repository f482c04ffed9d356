/**
 * @module
 * `flatnet grade -o json`: the stable, documented schema (docs/authoring-labs.md,
 * "Grade output"). Fields are only ever added.
 */
import type { GradeResult } from '../result.ts';

export function renderJson(r: GradeResult): string {
  return JSON.stringify(
    {
      lab: r.lab,
      task: r.task,
      mode: r.mode,
      passed: r.passed,
      hint: r.hint,
      hintText: r.hintText,
      params: r.params,
      checks: r.checks.map((c) => ({
        id: c.id,
        kind: c.kind,
        title: c.title,
        passed: c.passed,
        skipped: c.skipped,
        hint: c.hint,
        expected: c.expected,
        observed: c.observed,
        explanation: c.explanation,
        flows: c.flows.map((f) => ({ from: f.from, to: f.to, port: f.port, protocol: f.protocol, allowed: f.allowed, reason: f.reason })),
      })),
      warnings: r.warnings.map((w) => ({ code: w.code, message: w.message, where: w.where })),
    },
    null,
    2,
  );
}
