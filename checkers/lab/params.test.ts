import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ParamSchema, pickValues, substitute, variantCount, variantValues, type Param } from './params.ts';

const params: Param[] = [
  { name: 'ns', kind: 'namespace', choices: ['data', 'orders-data', 'billing-data'] },
  { name: 'port', kind: 'port', choices: [5432, 6432] },
];

describe('parameters', () => {
  it('take their first choice without a seed', () => assert.deepEqual(pickValues(params), { ns: 'data', port: '5432' }));

  it('are stable for a seed and differ between seeds', () => {
    assert.deepEqual(pickValues(params, 'learner-1'), pickValues(params, 'learner-1'));
    const seen = new Set(Array.from({ length: 20 }, (_, i) => pickValues(params, `learner-${i}`).ns));
    assert.equal(seen.size, 3);
  });

  it('variants cover every choice once', () => {
    assert.equal(variantCount(params), 3);
    assert.deepEqual([0, 1, 2].map((i) => variantValues(params, i)), [
      { ns: 'data', port: '5432' },
      { ns: 'orders-data', port: '6432' },
      { ns: 'billing-data', port: '5432' },
    ]);
  });

  const cases: { name: string; text: string; want: string; unknown: string[] }[] = [
    { name: 'replaces declared names', text: 'namespace: ${ns}\nport: ${port}', want: 'namespace: data\nport: 5432', unknown: [] },
    { name: 'leaves shell variables alone', text: 'echo ${HOME} $FRONTEND_IP', want: 'echo ${HOME} $FRONTEND_IP', unknown: [] },
    { name: 'reports undeclared lowercase names', text: 'x: ${nss}', want: 'x: ${nss}', unknown: ['nss'] },
  ];
  for (const c of cases) {
    it(`substitute: ${c.name}`, () => {
      const r = substitute(c.text, pickValues(params));
      assert.equal(r.text, c.want);
      assert.deepEqual(r.unknown.map((u) => u.name), c.unknown);
    });
  }

  it('validates choices by kind, in the API server\'s words', () => {
    const r = ParamSchema.safeParse({ name: 'ns', kind: 'namespace', choices: ['Data', 'data'] });
    assert.equal(r.success, false);
    assert.match(r.error!.issues[0]!.message, /^Invalid value: "Data": a lowercase RFC 1123 label must consist of/);
    assert.equal(ParamSchema.safeParse({ name: 'p', kind: 'port', choices: [70000] }).error?.issues[0]?.message, 'Invalid value: 70000: must be between 1 and 65535, inclusive');
  });
});
