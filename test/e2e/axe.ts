/**
 * @module
 * axe-core (Deque's accessibility rules, the engine behind most a11y checkers) run inside the
 * page. Returns the violations as "rule: what (selector)" lines, so a failing test says where.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeResult {
  violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
}

export async function axeViolations(page: Page, exclude: string[] = []): Promise<string[]> {
  await page.addScriptTag({ content: source });
  const r = await page.evaluate(async (ex) => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<AxeResult> } }).axe;
    return axe.run({ exclude: ex.map((s) => [s]) }, { resultTypes: ['violations'] });
  }, exclude);
  return r.violations.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} — ${n.target.join(' ')}`));
}
