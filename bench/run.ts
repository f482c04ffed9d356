/**
 * `npm run bench`: runs every benchmark and prints a table per benchmark.
 * `npm run bench -- reach` runs only those whose name contains "reach".
 */
import type { Bench } from './bench.ts';
import { reachBench } from './reach.bench.ts';
import { clusterBench } from './cluster.bench.ts';
import { apiBench } from './api.bench.ts';
import { runnerBench } from './runner.bench.ts';
import { policyRulesBench } from '../runner/providers/local/policy/iptables.bench.ts';
import { siteSizeBench } from './site-size.ts';
import { overlayBench } from './overlay.bench.ts';
import { proxyModesBench } from './proxy-modes.bench.ts';

const benches: Bench[] = [reachBench, policyRulesBench, clusterBench, overlayBench, proxyModesBench, apiBench, runnerBench, siteSizeBench];
const filter = process.argv[2];

for (const bench of benches.filter((b) => !filter || b.name.includes(filter))) {
  console.log(`\n## ${bench.name}\ngoal: ${bench.goal}\n`);
  const rows: Record<string, string | number>[] = [];
  await bench.run((row) => {
    rows.push(row);
    console.log(Object.entries(row).map(([k, v]) => `${k}=${v}`).join('  '));
  });
}
