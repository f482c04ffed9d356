/**
 * @module
 * The grade for a person: one line per check, details only for what failed, then the
 * hint to read next. Concise on purpose — a passing answer is three lines.
 */
import { formatWarning } from '../../errors.ts';
import type { GradeResult } from '../result.ts';
import { plain, type Style } from './style.ts';

export function renderHuman(r: GradeResult, s: Style = plain): string {
  const passed = r.checks.filter((c) => c.passed).length;
  const head = r.passed
    ? s.pass(`✓ ${r.lab} › ${r.task}: passed (${passed} of ${r.checks.length} checks)`)
    : s.fail(`✗ ${r.lab} › ${r.task}: not yet (${passed} of ${r.checks.length} checks pass)`);
  const width = Math.max(...r.checks.map((c) => c.id.length));
  const lines = [head, ''];
  for (const c of r.checks) {
    const mark = c.skipped ? s.dim('·') : c.passed ? s.pass('✓') : s.fail('✗');
    lines.push(`  ${mark} ${c.id.padEnd(width)}  ${c.skipped ? s.dim(`${c.title} (not evaluated: the answer does not apply)`) : c.title}`);
    if (c.passed || c.skipped) continue;
    const indent = ' '.repeat(width + 6);
    if (c.expected) lines.push(`${indent}${s.dim('expected')}  ${c.expected}`);
    lines.push(`${indent}${s.dim('observed')}  ${c.observed}`);
    for (const [i, line] of c.explanation.split('\n').entries()) lines.push(`${indent}${s.dim(i === 0 ? 'why     ' : '        ')}  ${line}`);
  }
  if (r.hint !== null) lines.push('', s.bold(`Hint (${r.hint}):`), ...(r.hintText ?? '').trimEnd().split('\n').map((l) => `  ${l}`));
  if (r.warnings.length > 0) lines.push('', ...r.warnings.map((w) => formatWarning(w)));
  if (r.mode === 'static') lines.push('', s.dim('static grade: decided by the NetworkPolicy engine, without a cluster'));
  return lines.join('\n');
}
