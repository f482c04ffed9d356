import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileSelector, formatSelector } from './selector.ts';
import type { LabelSelector } from '../k8s/schema/selector.ts';

const cases: { name: string; sel: LabelSelector; labels: Record<string, string>; want: boolean }[] = [
  { name: 'empty selector matches everything', sel: {}, labels: {}, want: true },
  { name: 'matchLabels equal', sel: { matchLabels: { app: 'web' } }, labels: { app: 'web', x: 'y' }, want: true },
  { name: 'matchLabels different value', sel: { matchLabels: { app: 'web' } }, labels: { app: 'db' }, want: false },
  { name: 'matchLabels all must hold', sel: { matchLabels: { app: 'web', tier: 'fe' } }, labels: { app: 'web' }, want: false },
  { name: 'In matches a listed value', sel: { matchExpressions: [{ key: 'ns', operator: 'In', values: ['y', 'z'] }] }, labels: { ns: 'z' }, want: true },
  { name: 'In needs the key', sel: { matchExpressions: [{ key: 'ns', operator: 'In', values: ['y'] }] }, labels: {}, want: false },
  { name: 'NotIn rejects a listed value', sel: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['x'] }] }, labels: { ns: 'x' }, want: false },
  { name: 'NotIn accepts a missing key', sel: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['x'] }] }, labels: {}, want: true },
  { name: 'Exists', sel: { matchExpressions: [{ key: 'pod', operator: 'Exists' }] }, labels: { pod: '' }, want: true },
  { name: 'DoesNotExist', sel: { matchExpressions: [{ key: 'pod', operator: 'DoesNotExist' }] }, labels: { pod: 'a' }, want: false },
  {
    name: 'matchLabels AND matchExpressions',
    sel: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] },
    labels: { app: 'web', tier: 'db' },
    want: false,
  },
];

describe('compileSelector', () => {
  for (const c of cases) it(c.name, () => assert.equal(compileSelector(c.sel)(c.labels), c.want));
});

describe('formatSelector', () => {
  it('writes selectors like kubectl', () => {
    assert.equal(formatSelector({}), '{}');
    assert.equal(
      formatSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'ns', operator: 'In', values: ['y', 'z'] }, { key: 'x', operator: 'DoesNotExist' }] }),
      'app=web,ns in (y,z),!x',
    );
  });
});
