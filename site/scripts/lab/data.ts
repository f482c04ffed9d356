/**
 * @module
 * What the lab page embeds for its island (a JSON script tag): the lab's tasks as rendered at
 * build time, its source for the in-browser engine, and the NetworkPolicy JSON Schema for the
 * editor. Built by pages/labs/[id].astro from the content collection.
 */
import type { LabEntry } from '../../content/lab-entry.ts';

export interface LabPageData {
  lab: Pick<LabEntry, 'id' | 'title' | 'params' | 'tasks' | 'source'>;
  /** JSON Schema of the kinds answers may hold (lib/editor-schema.ts), for monaco-yaml. */
  schema: Record<string, unknown>;
  /** Failed checks before "Show solution" is offered. */
  solutionAfter: number;
}

export function readPageData(root: ParentNode): LabPageData {
  const el = root.querySelector('script[type="application/json"][data-lab]');
  if (!el?.textContent) throw new Error('the lab page has no lab data');
  return JSON.parse(el.textContent) as LabPageData;
}
