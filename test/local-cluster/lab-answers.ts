/**
 * A lab task's known answers — the reference, every accepted and every known-wrong one — each
 * as the text a learner would submit and the hint it must fail with (none: it must pass), for
 * tests that grade them all in a live cluster.
 */
import { sourceText, type LabBundle, type SourceText } from '../../checkers/lab/sources.ts';

export interface KnownAnswer {
  id: string;
  answer: SourceText;
  /** The hint it fails with; undefined for an answer that must pass. */
  hint: string | undefined;
}

export function knownAnswers(bundle: LabBundle, index = 0): KnownAnswer[] {
  const task = bundle.lab.tasks[index]!;
  return [
    { id: 'reference', answer: sourceText(bundle, task.reference, ['tasks', index, 'reference']), hint: undefined },
    ...task.accepted.map((a, i) => ({ id: `accepted ${a.id}`, answer: sourceText(bundle, a, ['tasks', index, 'accepted', i]), hint: undefined })),
    ...task.wrong.map((w, i) => ({ id: `wrong ${w.id}`, answer: sourceText(bundle, w, ['tasks', index, 'wrong', i]), hint: w.hint })),
  ];
}
