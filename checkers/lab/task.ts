/**
 * @module
 * A task: one answer the learner writes in the editor, the checks that grade it, the
 * hints it can earn, a reference solution, and known-wrong answers that must fail with a
 * given hint (so `flatnet lab validate` proves the checks tell mistakes apart).
 */
import { z } from 'zod';
import { fieldError, report } from './field-errors.ts';
import { fieldPath } from '../k8s/objects.ts';
import { CheckSchema, idSchema } from './check.ts';

const source = {
  file: z.string().optional().describe('Path of a YAML file, relative to the lab folder (e.g. solution/postgres-policy.yaml).'),
  inline: z.string().optional().describe('The YAML itself, as a block scalar (`inline: |`).'),
};

const exactlyOneSource = (s: { file?: string; inline?: string }, ctx: z.RefinementCtx) => {
  if ((s.file === undefined) === (s.inline === undefined)) report(ctx, ['file'], fieldError.required('exactly one of file or inline'));
};

export const AnswerSourceSchema = z
  .strictObject(source)
  .superRefine(exactlyOneSource)
  .describe('Kubernetes YAML (one or more documents), from a file next to lab.yaml or inline.');

export const HintSchema = z
  .strictObject({
    id: idSchema('How checks and wrong answers refer to this hint.'),
    text: z.string().describe('The hint, in Markdown. Hints are shown one at a time, in this order, when the learner asks.'),
  })
  .describe('A hint: shown progressively, and returned by a failing check that names it.');

export const WrongAnswerSchema = z
  .strictObject({
    id: idSchema('Names this wrong answer in validate reports.'),
    why: z.string().describe('The mistake it shows, in plain words (for instructors).'),
    hint: idSchema('The hint the grader must return for it: the hint of its first failing check.'),
    ...source,
  })
  .superRefine(exactlyOneSource)
  .describe('A known-wrong answer: validate proves it fails with its hint.');

export const AcceptedAnswerSchema = z
  .strictObject({
    id: idSchema('Names this answer in validate reports.'),
    why: z.string().describe('How it differs from the reference, for instructors.'),
    ...source,
  })
  .superRefine(exactlyOneSource)
  .describe('Another correct answer: validate proves it passes.');

export const TaskSchema = z
  .strictObject({
    id: idSchema('Task id, unique within the lab: `flatnet grade LAB --task ID`.'),
    title: z.string().describe('Short title.'),
    prompt: z.string().describe('What to write, in Markdown: the requirements the checks grade.'),
    given: z
      .array(AnswerSourceSchema)
      .default([])
      .describe('Manifests already applied when this task starts (e.g. an earlier task\'s solution), on top of the setup.'),
    starter: AnswerSourceSchema.describe('What the editor opens with. It must fail the checks.'),
    checks: z.array(CheckSchema).min(1, fieldError.required('at least one check')).describe('How the answer is graded, in order.'),
    hints: z.array(HintSchema).min(1, fieldError.required('at least one hint')).describe('Hints, in the order they are revealed.'),
    reference: AnswerSourceSchema.describe('A correct answer. It must pass every check.'),
    accepted: z
      .array(AcceptedAnswerSchema)
      .default([])
      .describe('More correct answers, written differently from the reference; each must pass (proves the checks grade behaviour, not text).'),
    wrong: z
      .array(WrongAnswerSchema)
      .min(1, fieldError.required('at least one known-wrong answer'))
      .describe('Known-wrong answers, each failing with its hint.'),
  })
  .superRefine((t, ctx) => {
    unique(ctx, t.checks.map((c) => c.id), ['checks'], 'check');
    unique(ctx, t.hints.map((h) => h.id), ['hints'], 'hint');
    unique(ctx, t.wrong.map((w) => w.id), ['wrong'], 'wrong answer');
    unique(ctx, t.accepted.map((w) => w.id), ['accepted'], 'accepted answer');
    const hints = new Set(t.hints.map((h) => h.id));
    const known = [...hints].map((h) => `"${h}"`).join(', ');
    t.checks.forEach((c, i) => {
      if (!hints.has(c.hint)) report(ctx, ['checks', i, 'hint'], fieldError.notFound(c.hint, known));
    });
    t.wrong.forEach((w, i) => {
      if (!hints.has(w.hint)) report(ctx, ['wrong', i, 'hint'], fieldError.notFound(w.hint, known));
    });
  })
  .describe('One answer to write, and how it is graded.');

/** Reports every repeat of an id at the repeated entry's `id` field. */
export function unique(ctx: z.RefinementCtx, ids: string[], path: (string | number)[], what: string): void {
  const first = new Map<string, number>();
  ids.forEach((id, i) => {
    const at = first.get(id);
    if (at === undefined) first.set(id, i);
    else report(ctx, [...path, i, 'id'], fieldError.duplicate(id, `${what} ids must be unique (first used at ${fieldPath([...path, at])})`));
  });
}

export type AnswerSource = z.infer<typeof AnswerSourceSchema>;
export type Hint = z.infer<typeof HintSchema>;
export type WrongAnswer = z.infer<typeof WrongAnswerSchema>;
export type AcceptedAnswer = z.infer<typeof AcceptedAnswerSchema>;
export type Task = z.infer<typeof TaskSchema>;
