import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FlatnetError } from '../../checkers/errors.ts';
import { chooseProvider } from './choose.ts';

describe('--provider and --cni', () => {
  it('keeps local the default; kind defaults to Calico, or to the CNI the lab requires', () => {
    assert.equal(chooseProvider().provider.name, 'local');
    assert.deepEqual([chooseProvider('kind').provider.name, chooseProvider('kind').cni], ['kind', undefined]);
    assert.equal(chooseProvider('kind', undefined, 'cilium').cni, 'cilium');
    assert.equal(chooseProvider('kind', 'cilium', 'any').cni, 'cilium');
  });

  it('refuses what cannot work, saying what to use instead', () => {
    const cases: [() => unknown, string, RegExp][] = [
      [() => chooseProvider('docker'), 'UnknownProvider', /--provider kind/],
      [() => chooseProvider('local', 'cilium'), 'UnsupportedCni', /--provider kind --cni cilium/],
      [() => chooseProvider('kind', 'weave'), 'UnsupportedCni', /--cni calico or --cni cilium/],
      [() => chooseProvider('kind', 'cilium', 'calico'), 'CniMismatch', /--cni calico/],
    ];
    for (const [f, code, fix] of cases) assert.throws(f, (e: unknown) => e instanceof FlatnetError && e.code === code && fix.test(e.fix ?? ''));
  });
});
