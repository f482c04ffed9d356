/**
 * @module
 * `resource`: an object exists (or not) among setup, given and answer objects, and
 * optionally a field of it has a value (compared as JSON, key order ignored).
 */
import type { ResourceCheck } from '../../lab/check.ts';
import { checkResult, type CheckResult } from '../result.ts';
import type { World } from '../world.ts';

export function gradeResource(c: ResourceCheck, world: World): CheckResult {
  const { kind, name } = c.object;
  const ns = kind === 'Namespace' ? undefined : (c.object.namespace ?? 'default');
  const label = `${kind} ${ns ? `${ns}/` : ''}${name}`;
  const obj = world.objects.find((o) => {
    const meta = (o.metadata ?? {}) as Record<string, unknown>;
    return o.kind === kind && meta.name === name && (ns === undefined || (meta.namespace ?? 'default') === ns);
  });
  if (c.expect === 'absent') {
    return checkResult(c, { passed: !obj, expected: `${label} absent`, observed: obj ? 'exists' : 'absent', explanation: obj ? `${label} exists` : `there is no ${label}` });
  }
  const fieldText = c.field !== undefined ? ` with ${c.field} = ${canonical(c.equals)}` : '';
  const expected = `${label} exists${fieldText}`;
  if (!obj) return checkResult(c, { passed: false, expected, observed: 'absent', explanation: `there is no ${label}` });
  if (c.field === undefined) return checkResult(c, { passed: true, expected, observed: 'exists', explanation: `${label} exists` });
  const value = getField(obj, c.field);
  const ok = canonical(value) === canonical(c.equals);
  const observed = value === undefined ? `${c.field} is not set` : `${c.field} = ${canonical(value)}`;
  return checkResult(c, { passed: ok, expected, observed, explanation: `${label}: ${observed}` });
}

/** `spec.policyTypes[0]` → obj.spec.policyTypes[0] */
export function getField(obj: unknown, path: string): unknown {
  const parts = path.match(/[^.[\]]+/g) ?? [];
  let cur: unknown = obj;
  for (const p of parts) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

export function canonical(v: unknown): string {
  if (v === undefined) return 'undefined';
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x,
  );
}
