/**
 * @module
 * `?labelSelector=` and `?fieldSelector=` as the API server reads them: `a=b`, `a==b`,
 * `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x,y)`, comma for AND.
 */
import { FlatnetError } from '../../../../checkers/errors.ts';
import type { KObject } from '../store/types.ts';

type Test = (labels: Record<string, string>) => boolean;

export function parseLabelSelector(text: string): Test {
  const tests: Test[] = [];
  for (const term of splitTerms(text)) {
    let m;
    if ((m = /^([^\s!=(),]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term))) {
      const [, key, op, list] = m as unknown as [string, string, string, string];
      const values = new Set(list.split(',').map((v) => v.trim()).filter(Boolean));
      tests.push(op === 'in' ? (l) => key in l && values.has(l[key]!) : (l) => !(key in l) || !values.has(l[key]!));
    } else if ((m = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s,]*)$/.exec(term))) {
      const [, key, op, value] = m as unknown as [string, string, string, string];
      tests.push(op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value);
    } else if ((m = /^!([^\s!=(),]+)$/.exec(term))) {
      const key = m[1]!;
      tests.push((l) => !(key in l));
    } else if (/^[^\s!=(),]+$/.test(term)) {
      tests.push((l) => term in l);
    } else {
      throw new FlatnetError('BadRequest', `unable to parse requirement: found '${term}', expected: key, operator or value`);
    }
  }
  return (l) => tests.every((t) => t(l));
}

/** Fields a selector may name: the common ones kubectl and informers use. */
export function parseFieldSelector(text: string): (o: KObject) => boolean {
  const tests = splitTerms(text).map((term) => {
    const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw new FlatnetError('BadRequest', `invalid selector: '${term}'; can't understand '${term}'`);
    const [, field, op, value] = m as unknown as [string, string, string, string];
    const read = (o: KObject) => String(field.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o) ?? '');
    return op === '!=' ? (o: KObject) => read(o) !== value : (o: KObject) => read(o) === value;
  });
  return (o) => tests.every((t) => t(o));
}

/** Splits on commas outside parentheses. */
function splitTerms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}
