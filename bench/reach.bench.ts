/** `flatnet reach` over synthetic clusters: build (selectors precomputed) + the full matrix. */
import { buildCluster } from '../checkers/engine/index.ts';
import { reach } from '../checkers/reach.ts';
import { syntheticWorld } from './world.ts';
import type { Bench } from './bench.ts';

export const reachBench: Bench = {
  name: 'reach matrix (engine)',
  goal: '1,000 pods × 50 namespaces × 200 policies ≤ 1 s; linear in pods × rules (ns/flow flat as pods grow, build linear in policies)',
  run(report) {
    const sizes = [
      [250, 200],
      [500, 200],
      [1000, 200],
      [1000, 100],
      [1000, 400],
    ] as const;
    for (const [pods, policies] of sizes) {
      const objects = syntheticWorld(pods, 50, policies);
      const t0 = performance.now();
      const { cluster } = buildCluster(objects);
      const t1 = performance.now();
      const results = reach(cluster, {});
      const t2 = performance.now();
      const { total, allowed } = results.counts();
      report({
        pods,
        policies: cluster.policies.length,
        rules: cluster.policies.reduce((n, p) => n + p.ingress.length + p.egress.length, 0),
        flows: total,
        allowed,
        'build ms': round(t1 - t0),
        'matrix ms': round(t2 - t1),
        'total ms': round(t2 - t0),
        'ns/flow': round(((t2 - t1) * 1e6) / total),
      });
    }
  },
};

const round = (n: number) => Math.round(n * 10) / 10;
