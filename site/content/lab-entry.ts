/**
 * @module
 * A lab as the site stores it: what the lab page renders at build time (steps, task prompts
 * and hints as HTML) and the raw lab.yaml with its files, which the page hands to the engine
 * in the browser for the live reachability preview. Built from labs/<id>/ by lab-loader.ts.
 */
import { z } from 'astro/zod';

export const SegmentSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('html'), html: z.string().describe('Rendered Markdown.') }),
    z.strictObject({
      kind: z.literal('code'),
      lang: z.string().describe('The fence language, e.g. sh.'),
      text: z.string().describe('The commands, sent to the terminal as typed.'),
    }),
  ])
  .describe('A piece of a step: prose, or a code block with copy-to-terminal buttons.');

export const LabTaskEntrySchema = z
  .strictObject({
    id: z.string().describe('Task id (lab.yaml tasks[].id).'),
    title: z.string().describe('Task title.'),
    prompt: z.string().describe('The prompt, rendered to HTML.'),
    starter: z.string().describe('What the editor opens with (rendered with the parameter values).'),
    solution: z.string().describe('The reference answer, shown after enough tries.'),
    hints: z.array(z.strictObject({ id: z.string(), html: z.string() })).describe('Hints in reveal order, rendered to HTML.'),
    checks: z.array(z.strictObject({ id: z.string(), title: z.string() })).describe('The checks, in grading order.'),
  })
  .describe('One task of the lab.');

export const LabEntrySchema = z
  .strictObject({
    id: z.string().describe('Lab id (its folder under labs/).'),
    title: z.string().describe('Lab title.'),
    chapter: z.string().describe('Chapter number the lab belongs to, e.g. "4.1".'),
    minutes: z.number().describe('Estimated minutes.'),
    error: z.string().optional().describe('Set only in `flatnet dev` when lab.yaml does not validate: the errors, with file and line.'),
    params: z.record(z.string(), z.string()).describe('The parameter values the page was rendered with (the first choice of each).'),
    steps: z.array(z.strictObject({ title: z.string(), segments: z.array(SegmentSchema) })).describe('The walkthrough.'),
    tasks: z.array(LabTaskEntrySchema).describe('The tasks, in order.'),
    source: z
      .strictObject({ yaml: z.string(), files: z.record(z.string(), z.string()) })
      .describe('lab.yaml and every file it references, verbatim: the browser parses them with the same checkers.'),
  })
  .describe('A lab, as the site stores it.');

export type LabEntry = z.infer<typeof LabEntrySchema>;
export type Segment = z.infer<typeof SegmentSchema>;
