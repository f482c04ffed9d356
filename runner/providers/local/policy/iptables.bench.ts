/**
 * Compiling NetworkPolicy to iptables over the synthetic clusters of the reach bench
 * (run by `npm run bench`).
 */
import type { Bench } from '../../../../bench/bench.ts';
import { syntheticWorld } from '../../../../bench/world.ts';
import { buildCluster } from '../../../../checkers/engine/index.ts';
import { policyRules } from './iptables.ts';

export const policyRulesBench: Bench = {
  name: 'NetworkPolicy → iptables (local cluster)',
  goal: '1,000 pods × 200 policies well under 1 s, a rule count one iptables-restore loads quickly',
  run(report) {
    const sizes = [
      [250, 200],
      [1000, 200],
      [1000, 400],
      [2000, 200],
    ] as const;
    for (const [pods, policies] of sizes) {
      const { cluster } = buildCluster(syntheticWorld(pods, 50, policies));
      const t0 = performance.now();
      const { v4 } = policyRules(cluster);
      const t1 = performance.now();
      const lines = v4.split('\n');
      report({
        pods,
        policies: cluster.policies.length,
        chains: lines.filter((l) => l.startsWith(':')).length,
        rules: lines.filter((l) => l.startsWith('-A ')).length,
        'KiB': Math.round(v4.length / 1024),
        'compile ms': Math.round((t1 - t0) * 10) / 10,
      });
    }
  },
};

