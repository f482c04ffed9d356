import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FlatnetError } from '../../../checkers/errors.ts';
import { planTopology } from './topology.ts';

describe('planTopology', () => {
  it('names, numbers and addresses nodes as kind does', () => {
    const t = planTopology('lab', { nodes: 3 });
    assert.deepEqual(
      t.nodes.map((n) => [n.name, n.role, n.ip, n.podCIDR]),
      [
        ['flatnet-lab-control-plane', 'control-plane', '172.18.0.2', '10.244.0.0/24'],
        ['flatnet-lab-worker', 'worker', '172.18.0.3', '10.244.1.0/24'],
        ['flatnet-lab-worker2', 'worker', '172.18.0.4', '10.244.2.0/24'],
      ],
    );
  });

  const mtus: [string | undefined, number | undefined, string, number][] = [
    [undefined, undefined, 'routed', 1500], // one node: nothing to cross
    [undefined, 2, 'vxlan', 1450],
    ['vxlan', 1, 'vxlan', 1450], // asked for: the CNI config shows the mode's MTU even on one node
    ['geneve', 3, 'geneve', 1450],
    ['ipip', 3, 'ipip', 1480],
    ['routed', 3, 'routed', 1500],
  ];
  for (const [network, nodes, mode, mtu] of mtus) {
    it(`${network ?? 'default'} on ${nodes ?? 1} node(s): ${mode}, pod MTU ${mtu}`, () => {
      const t = planTopology('x', { ...(network ? { network } : {}), ...(nodes ? { nodes } : {}) });
      assert.deepEqual([t.network, t.mtu], [mode, mtu]);
    });
  }

  for (const [opts, code] of [
    [{ nodes: 0 }, 'BadNodeCount'],
    [{ nodes: 11 }, 'BadNodeCount'],
    [{ nodes: 1.5 }, 'BadNodeCount'],
    [{ nodes: Number('three') }, 'BadNodeCount'],
    [{ network: 'gre' }, 'BadNetwork'],
  ] as const) {
    it(`refuses ${JSON.stringify(opts)} with ${code}`, () => {
      assert.throws(() => planTopology('x', opts), (e: unknown) => e instanceof FlatnetError && e.code === code);
    });
  }
});
