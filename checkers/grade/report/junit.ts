/**
 * @module
 * JUnit XML for CI: one testsuite per graded task, one testcase per check; a failed
 * check carries its explanation and hint. Writing the file is the runner's job.
 */
import type { GradeResult } from '../result.ts';

export function renderJunit(results: readonly GradeResult[]): string {
  const suites = results.map((r) => {
    const failures = r.checks.filter((c) => !c.passed && !c.skipped).length;
    const skipped = r.checks.filter((c) => c.skipped).length;
    const cases = r.checks.map((c) => {
      const open = `    <testcase classname="${esc(`${r.lab}.${r.task}`)}" name="${esc(`${c.id}: ${c.title}`)}"`;
      if (c.passed) return `${open}/>`;
      if (c.skipped) return `${open}>\n      <skipped message="the answer does not apply"/>\n    </testcase>`;
      const message = `expected ${c.expected}; observed ${c.observed}`;
      return `${open}>\n      <failure message="${esc(message)}" type="${esc(c.hint)}">${esc(`${c.explanation}\nhint: ${c.hint}`)}</failure>\n    </testcase>`;
    });
    return [
      `  <testsuite name="${esc(`${r.lab}/${r.task}`)}" tests="${r.checks.length}" failures="${failures}" skipped="${skipped}" errors="0">`,
      ...cases,
      '  </testsuite>',
    ].join('\n');
  });
  return ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites name="flatnet grade">', ...suites, '</testsuites>', ''].join('\n');
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
