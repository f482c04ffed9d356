/**
 * @module
 * NetworkPolicy for the `local` cluster as `iptables-restore` input: a pure function of the
 * engine's compiled Cluster, so the kernel enforces exactly what `flatnet reach` predicts.
 * Each text is one `*filter … COMMIT` section that declares (and so, with --noflush,
 * empties) only FLATNET-* chains; apply.ts adds the FORWARD jump and removes chains an
 * earlier apply left behind. How the chains fit together: see compile.ts.
 *
 * @example
 * const { cluster } = buildCluster(objects);
 * const { v4, v6 } = policyRules(cluster); // v4 → iptables-restore --noflush, v6 → ip6tables-restore
 */
import type { Cluster } from '../../../../checkers/engine/index.ts';
import type { Family } from '../../../../checkers/net/ip.ts';
import { compileRuleset } from './compile.ts';
import { commentText, type Ruleset } from './ruleset.ts';

/**
 * IPv4 and IPv6 rules. Both are always complete sections; for a cluster without IPv6 pod
 * addresses `v6` only holds the replies rule (apply.ts loads it only to clean up).
 */
export function policyRules(cluster: Cluster): { v4: string; v6: string } {
  return { v4: familyRules(cluster, 4), v6: familyRules(cluster, 6) };
}

export function familyRules(cluster: Cluster, family: Family): string {
  return renderRuleset(compileRuleset(cluster, family), cluster);
}

export function renderRuleset(rs: Ruleset, cluster: Pick<Cluster, 'pods' | 'policies'>): string {
  const lines = rs.chains.reduce((n, c) => n + c.lines.length, 0);
  const out = [
    `# flatnet NetworkPolicy, IPv${rs.family}: ${cluster.policies.length} policies over ${cluster.pods.length} pods -> ${rs.chains.length} chains, ${lines} rules.`,
    `# Load with ${rs.family === 4 ? 'iptables' : 'ip6tables'}-restore --noflush: only FLATNET-* chains are declared, so nothing else is touched.`,
    '*filter',
    ...rs.chains.map((c) => `:${c.name} - [0:0]`),
  ];
  for (const chain of rs.chains) {
    for (const line of chain.lines) {
      out.push(['-A', chain.name, ...line.args, '-m', 'comment', '--comment', `"${commentText(line.comment)}"`, '-j', ...line.target].join(' '));
    }
  }
  out.push('COMMIT', '');
  return out.join('\n');
}
