import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { probability } from './probability.ts';

// Go's fmt.Sprintf("%0.10f", 1.0/float64(n)), as kube-proxy's computeProbability writes it.
describe('probability', () => {
  const cases: [number, string][] = [
    [1, '1.0000000000'],
    [2, '0.5000000000'],
    [3, '0.3333333333'],
    [4, '0.2500000000'],
    [6, '0.1666666667'],
    [7, '0.1428571429'],
    [1000, '0.0010000000'],
    [1024, '0.0009765625'],
    // 1/2048 = 0.00048828125 exactly: a tie, which Go rounds to even (toFixed would give ...813).
    [2048, '0.0004882812'],
  ];
  for (const [n, want] of cases) it(`1/${n}`, () => assert.equal(probability(n), want));

  it('rejects a count that is not a positive integer', () => {
    assert.throws(() => probability(0), RangeError);
    assert.throws(() => probability(1.5), RangeError);
  });
});
