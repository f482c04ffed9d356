/**
 * @module
 * `flatnet lab validate`, minus the file I/O: a lab is valid when its lint is clean and,
 * in every parameter variant, each task's starter fails, its reference passes and every
 * known-wrong answer fails with the hint it names. A lab that allows Cilium (requires.cni any or
 * cilium) must also pass as Cilium reads ipBlock (cilium.ts): not matching pod traffic.
 */
import { cniErrors, FlatnetError, labErrors, type Where } from '../errors.ts';
import type { FieldPath } from '../k8s/manifests.ts';
import { fieldPath } from '../k8s/objects.ts';
import type { LabBundle } from '../lab/sources.ts';
import { sourceText } from '../lab/sources.ts';
import { ciliumView } from './cilium.ts';
import { gradeStatic, startLayers } from './grade.ts';
import { lintLab } from './lint.ts';
import { buildWorld } from './world.ts';

export interface Validation {
  lab: string;
  file: string;
  problems: FlatnetError[];
  tasks: number;
  wrong: number;
  accepted: number;
  variants: number;
}

/** `variants`: the lab rendered once per variant (variant 0 first); lint runs on the first. */
export function validateLab(variants: readonly LabBundle[]): Validation {
  const first = variants[0]!;
  const problems: FlatnetError[] = [...lintLab(first)];
  if (problems.length === 0) {
    for (const bundle of variants) problems.push(...gradeAnswers(bundle, variants.length > 1));
  }
  return {
    lab: first.lab.id,
    file: first.file,
    problems,
    tasks: first.lab.tasks.length,
    wrong: first.lab.tasks.reduce((n, t) => n + t.wrong.length, 0),
    accepted: first.lab.tasks.reduce((n, t) => n + t.accepted.length, 0),
    variants: variants.length,
  };
}

function gradeAnswers(bundle: LabBundle, several: boolean): FlatnetError[] {
  const out: FlatnetError[] = [];
  const variant = several ? ` [params ${Object.entries(bundle.values).map(([k, v]) => `${k}=${v}`).join(' ')}]` : '';
  const at = (path: FieldPath): Where => ({ file: bundle.file, line: bundle.lineOf(path), field: fieldPath(path) });
  bundle.lab.tasks.forEach((task, ti) => {
    const source = (path: FieldPath) => {
      const src = path.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], bundle.lab);
      return sourceText(bundle, src as Parameters<typeof sourceText>[1], path);
    };
    const grade = (path: FieldPath) => gradeStatic(bundle, task.id, source(path));
    // A lab that allows Cilium must not need ipBlock to match pods: grade its correct answers as Cilium reads them.
    const onCilium = (path: FieldPath, what: string) => {
      if (bundle.lab.requires.cni === 'calico') return;
      const text = source(path);
      const podIPs = [...buildWorld(startLayers(bundle, ti)).cluster.podByIP.keys()];
      const view = ciliumView(text.text, podIPs);
      if (!view.changed) return;
      const r = gradeStatic(bundle, task.id, { ...text, text: view.text });
      if (!r.passed) out.push(cniErrors.ipBlockOnPods(at(path), task.id + variant, what, r.checks.filter((c) => !c.passed).map((c) => `check ${c.id}`).join(', ')));
    };
    const tryGrade = (path: FieldPath) => {
      try {
        return grade(path);
      } catch (e) {
        if (!(e instanceof FlatnetError)) throw e;
        out.push(...(e.details.length > 0 ? e.details : [e]));
        return undefined;
      }
    };
    const tpath = ['tasks', ti];
    const starter = tryGrade([...tpath, 'starter']);
    if (starter?.passed) out.push(labErrors.starterPasses(at([...tpath, 'starter']), task.id + variant));
    const reference = tryGrade([...tpath, 'reference']);
    if (reference && !reference.passed) {
      const failed = reference.checks.filter((c) => !c.passed);
      const detail = failed.map((c) => `check ${c.id} (${c.observed}: ${c.explanation})`).join('; ');
      out.push(labErrors.referenceFails(at([...tpath, 'reference']), task.id + variant, detail));
    }
    if (reference?.passed) onCilium([...tpath, 'reference'], 'reference');
    task.accepted.forEach((a, ai) => {
      const path = [...tpath, 'accepted', ai];
      const r = tryGrade(path);
      if (r && !r.passed) {
        const failed = r.checks.filter((c) => !c.passed);
        out.push(labErrors.acceptedFails(at(path), task.id + variant, a.id, failed.map((c) => `check ${c.id} (${c.observed}: ${c.explanation})`).join('; ')));
      }
      if (r?.passed) onCilium(path, `accepted answer "${a.id}"`);
    });
    task.wrong.forEach((w, wi) => {
      const path = [...tpath, 'wrong', wi];
      const r = tryGrade(path);
      if (!r) return;
      if (r.passed) out.push(labErrors.wrongPasses(at(path), task.id + variant, w.id));
      else if (r.hint !== w.hint) {
        const check = r.checks.find((c) => !c.passed && !c.skipped);
        out.push(labErrors.wrongHint(at([...path, 'hint']), task.id + variant, w.id, w.hint, `${r.hint} (check ${check?.id}: ${check?.explanation})`));
      }
    });
  });
  return out;
}
