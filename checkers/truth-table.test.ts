import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareTables, renderMatrix, TruthTable, type Cell } from './truth-table.ts';

const cells: Cell[] = [
  { from: 'x/a', to: 'x/b', port: 80, protocol: 'TCP', allowed: true },
  { from: 'x/b', to: 'x/a', port: 80, protocol: 'TCP', allowed: false },
  { from: 'x/a', to: 'x/b', port: 53, protocol: 'UDP', allowed: null },
];

describe('TruthTable', () => {
  it('round-trips cells, ordered by port then row', () => {
    assert.deepEqual([...TruthTable.fromResults(cells).cells()], [cells[2], cells[0], cells[1]]);
  });

  it('tells probed from not probed', () => {
    const t = TruthTable.fromResults(cells);
    assert.equal(t.get('x/a', 'x/b', 80, 'TCP'), true);
    assert.equal(t.get('x/a', 'x/b', 53, 'UDP'), null);
    assert.equal(t.get('x/b', 'x/a', 53, 'UDP'), undefined);
    assert.deepEqual(t.counts(), { total: 3, allowed: 1, denied: 1, unknown: 1 });
  });

  it('renders one matrix per port with . X and ?', () => {
    assert.equal(
      renderMatrix(TruthTable.fromResults(cells)),
      [
        'UDP/53  x/b',
        'x/a      ?',
        '',
        'TCP/80  x/b  x/a',
        'x/a      .',
        'x/b           X',
        '',
        '3 flows: 1 allowed (.), 1 denied (X), 1 not measured (?) — rows are sources, columns destinations; a blank cell was not probed',
      ].join('\n'),
    );
  });

  it('compares tables cell by cell', () => {
    const observed = TruthTable.fromResults([{ ...cells[0]!, allowed: false }, cells[1]!]);
    const diff = compareTables(TruthTable.fromResults(cells), observed);
    assert.equal(diff.correct, 1);
    assert.deepEqual(diff.wrong, [{ ...cells[0], allowed: false }]);
    assert.deepEqual(diff.missing, [cells[2]]);
  });
});
