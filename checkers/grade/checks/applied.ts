/**
 * @module
 * `applied`: the answer is what `kubectl apply -f answer.yaml` would accept — YAML that
 * parses, objects the API server would take, of the kinds the task asks for, each naming
 * the task's namespace (without one, kubectl would put it in the current namespace).
 */
import { FlatnetError, formatWhere } from '../../errors.ts';
import type { Manifest } from '../../k8s/manifests.ts';
import { describeObject, readObjects } from '../../k8s/objects.ts';
import type { AppliedCheck } from '../../lab/check.ts';
import { sourceManifests, type SourceText } from '../../lab/sources.ts';
import { checkResult, type CheckResult } from '../result.ts';
import { buildWorld, type World } from '../world.ts';

export type Applied = { ok: true; world: World; manifests: Manifest[] } | { ok: false; problems: string[] };

type Layers = readonly (readonly (Manifest | Record<string, unknown>)[])[];

export function applyAnswer(answer: SourceText, check: AppliedCheck | undefined, base: Layers): Applied {
  let manifests: Manifest[];
  try {
    manifests = sourceManifests(answer);
    readObjects(manifests);
  } catch (e) {
    return { ok: false, problems: problemsOf(e) };
  }
  if (manifests.length === 0) return { ok: false, problems: [`${answer.file}: the answer holds no Kubernetes object`] };
  const problems: string[] = [];
  if (check) {
    for (const m of manifests) {
      const o = m.object as Record<string, unknown>;
      const meta = (o.metadata ?? {}) as Record<string, unknown>;
      const where = `${m.file}:${m.line}: ${describeObject(o)}: `;
      if (!check.kinds.includes(String(o.kind))) problems.push(`${where}kind ${String(o.kind)} is not part of this answer — write only ${check.kinds.join(', ')} objects`);
      else if (meta.namespace === undefined) problems.push(`${m.file}:${m.lineOf(['metadata'])}: ${describeObject(o)}: metadata.namespace is not set, so kubectl apply would create it in your current namespace — add namespace: ${check.namespace}`);
      else if (meta.namespace !== check.namespace) problems.push(`${m.file}:${m.lineOf(['metadata', 'namespace'])}: ${describeObject(o)}: metadata.namespace is ${String(meta.namespace)} — this task is about namespace ${check.namespace}`);
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  try {
    return { ok: true, world: buildWorld([...base, manifests]), manifests };
  } catch (e) {
    return { ok: false, problems: problemsOf(e) };
  }
}

export function gradeApplied(c: AppliedCheck, a: Applied): CheckResult {
  const expected = `valid ${c.kinds.join(' / ')} objects in namespace ${c.namespace}`;
  if (!a.ok) return checkResult(c, { passed: false, expected, observed: `does not apply (${a.problems.length} ${a.problems.length === 1 ? 'problem' : 'problems'})`, explanation: a.problems.join('\n') });
  const names = a.manifests.map((m) => describeObject(m.object as Record<string, unknown>));
  return checkResult(c, { passed: true, expected, observed: `applies: ${a.manifests.length} ${a.manifests.length === 1 ? 'object' : 'objects'}`, explanation: `the answer applies: ${names.join(', ')}` });
}

function problemsOf(e: unknown): string[] {
  if (!(e instanceof FlatnetError)) throw e;
  const list = e.details.length > 0 ? e.details : [e];
  return list.map((d) => `${formatWhere(d.where)}${d.message}${d.fix ? ` — ${d.fix}` : ''}`);
}
