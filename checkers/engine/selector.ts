/**
 * @module
 * Label selectors compiled to predicates. matchLabels and every matchExpression are
 * ANDed; an empty selector matches everything (which is why `podSelector: {}` selects
 * all pods and `namespaceSelector: {}` all namespaces).
 */
import type { LabelSelector } from '../k8s/schema/selector.ts';

export type Labels = Readonly<Record<string, string>>;
export type LabelPredicate = (labels: Labels) => boolean;

export function compileSelector(sel: LabelSelector): LabelPredicate {
  const tests: LabelPredicate[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) tests.push((l) => l[k] === v);
  for (const req of sel.matchExpressions ?? []) {
    const { key } = req;
    const values = new Set(req.values ?? []);
    switch (req.operator) {
      case 'In':
        tests.push((l) => key in l && values.has(l[key]!));
        break;
      case 'NotIn':
        // A pod without the key satisfies NotIn: Kubernetes selectors treat it as "not one of".
        tests.push((l) => !(key in l) || !values.has(l[key]!));
        break;
      case 'Exists':
        tests.push((l) => key in l);
        break;
      case 'DoesNotExist':
        tests.push((l) => !(key in l));
        break;
    }
  }
  if (tests.length === 0) return () => true;
  return (l) => tests.every((t) => t(l));
}

/** `app=web,tier in (a,b)` — the notation kubectl uses, for explanations. */
export function formatSelector(sel: LabelSelector): string {
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const r of sel.matchExpressions ?? []) {
    if (r.operator === 'Exists') parts.push(r.key);
    else if (r.operator === 'DoesNotExist') parts.push(`!${r.key}`);
    else parts.push(`${r.key} ${r.operator === 'In' ? 'in' : 'notin'} (${(r.values ?? []).join(',')})`);
  }
  return parts.length === 0 ? '{}' : parts.join(',');
}
