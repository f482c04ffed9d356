/**
 * @module
 * Static grading: the answer is applied on top of the lab's setup and the task's given
 * manifests, and every check is decided by the NetworkPolicy engine — no cluster. Pure
 * and isomorphic: the site runs the same grader in the browser.
 *
 * @example
 * const r = gradeStatic(bundle, 'postgres-policy', { text: answerYaml, file: 'answer.yaml', lineOffset: 0 });
 * r.passed; r.hint; // "dns-tcp" — the hint of the first failing check
 */
import { labErrors } from '../errors.ts';
import type { Manifest } from '../k8s/manifests.ts';
import { ingressAddon } from '../ingress/addon.ts';
import { baselineObjects } from '../lab/baseline.ts';
import type { AppliedCheck, Check } from '../lab/check.ts';
import { setupObjects } from '../lab/setup.ts';
import { sourceManifests, sourceText, type LabBundle, type SourceText } from '../lab/sources.ts';
import type { Task } from '../lab/task.ts';
import { applyAnswer, gradeApplied, type Applied } from './checks/applied.ts';
import { gradeDns } from './checks/dns.ts';
import { gradeHttp } from './checks/http.ts';
import { gradeReach } from './checks/reach.ts';
import { gradeResource } from './checks/resource.ts';
import { gradeRoute } from './checks/route.ts';
import type { CheckResult, GradeResult } from './result.ts';
import { buildWorld, type World } from './world.ts';

export function findTask(bundle: LabBundle, taskId: string | undefined): { task: Task; index: number } {
  const tasks = bundle.lab.tasks;
  const known = tasks.map((t) => t.id).join(', ');
  if (taskId === undefined) {
    if (tasks.length === 1) return { task: tasks[0]!, index: 0 };
    throw labErrors.taskRequired(bundle.lab.id, known);
  }
  const index = tasks.findIndex((t) => t.id === taskId);
  if (index < 0) throw labErrors.noSuchTask(bundle.lab.id, taskId, known);
  return { task: tasks[index]!, index };
}

/** Objects in the cluster when the task starts: baseline, setup, then the task's given manifests. */
export function startLayers(bundle: LabBundle, index: number): (Manifest | Record<string, unknown>)[][] {
  const task = bundle.lab.tasks[index]!;
  const given = task.given.flatMap((g, i) => sourceManifests(sourceText(bundle, g, ['tasks', index, 'given', i])));
  // A lab that asks for the ingress controller has its objects, as the cluster made for it will.
  const addons = bundle.lab.requires.ingress ? ingressAddon() : [];
  return [[...baselineObjects(), ...addons], setupObjects(bundle.lab.setup), given];
}

export function gradeStatic(bundle: LabBundle, taskId: string | undefined, answer: SourceText): GradeResult {
  const { task, index } = findTask(bundle, taskId);
  const layers = startLayers(bundle, index);
  buildWorld(layers); // a lab whose own objects do not build is the lab's error, not the learner's
  const appliedCheck = task.checks.find((c): c is AppliedCheck => c.kind === 'applied');
  const applied = applyAnswer(answer, appliedCheck, layers);
  const checks = task.checks.map((c) => evaluate(c, applied));
  return result(bundle, task, checks, applied.ok ? applied.world.warnings : []);
}

function evaluate(c: Check, applied: Applied): CheckResult {
  if (c.kind === 'applied') return gradeApplied(c, applied);
  if (!applied.ok) return skippedResult(c);
  return decide(c, applied.world);
}

/** Every kind but `applied`, in a world where the answer is in place. */
export function decide(c: Exclude<Check, AppliedCheck>, world: World): CheckResult {
  switch (c.kind) {
    case 'reach':
      return gradeReach(c, world);
    case 'dns':
      return gradeDns(c, world);
    case 'http':
      return gradeHttp(c, world);
    case 'resource':
      return gradeResource(c, world);
    case 'route':
      return gradeRoute(c, world);
  }
}

/** A check not evaluated because the answer does not apply. */
export function skippedResult(c: Check): CheckResult {
  return {
    id: c.id, kind: c.kind, title: c.title, passed: false, skipped: true, hint: c.hint,
    expected: '', observed: 'not evaluated', explanation: 'not evaluated: the answer does not apply', flows: [],
  };
}

export function result(bundle: LabBundle, task: Task, checks: CheckResult[], warnings: GradeResult['warnings'], mode: GradeResult['mode'] = 'static'): GradeResult {
  const failed = checks.find((c) => !c.passed && !c.skipped);
  const hint = failed?.hint ?? null;
  return {
    lab: bundle.lab.id,
    task: task.id,
    mode,
    passed: failed === undefined && checks.every((c) => c.passed),
    hint,
    hintText: hint === null ? null : (task.hints.find((h) => h.id === hint)?.text ?? null),
    checks,
    warnings,
    params: bundle.values,
  };
}
