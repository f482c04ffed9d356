/**
 * @module
 * Loading kube-proxy's nftables rules into a node, as its nftables proxier does: read which
 * chains the table has (`nft list chains`), then one `nft -f -` transaction that rebuilds the
 * table and deletes the per-service chains no Service uses any more. The transaction is
 * atomic: a failure anywhere leaves the node's rules as they were.
 */
import { FlatnetError } from '../../../../checkers/errors.ts';
import { runQueue } from '../run-queue.ts';
import type { Run } from './apply.ts';
import type { ProxyInput } from './model.ts';
import { kubeProxyNftables, NFT_TABLE } from './nftables.ts';

/** Per node (a node is one runner): applies to one node queue; different nodes apply at once. */
const queue = runQueue();

export function applyNftRules(input: ProxyInput, run: Run, options: { serviceCIDR?: string } = {}): Promise<void> {
  return queue(run, () => applyOnce(input, run, options));
}

async function applyOnce(input: ProxyInput, run: Run, options: { serviceCIDR?: string }): Promise<void> {
  kubeProxyNftables(input); // invalid input fails here, before the node is touched
  // Every chain of the family (`list chains` takes no table), ours read from under our table.
  // No table yet (the first sync) lists none: then there is nothing stale either.
  const listed = await run('nft', ['list', 'chains', 'ip']);
  const ours = listed.code === 0 ? (listed.stdout.split(/^table /m).find((t) => t.startsWith(`ip ${NFT_TABLE} {`)) ?? '') : '';
  const existingChains = [...ours.matchAll(/^\s*chain (\S+) \{/gm)].map((m) => m[1]!);
  const text = kubeProxyNftables(input, { ...options, existingChains });
  const r = await run('nft', ['-f', '-'], text);
  if (r.code !== 0) {
    const line = /:(\d+):\d+-\d+: Error/.exec(r.stderr)?.[1];
    const offending = line ? text.split('\n')[Number(line) - 1] : undefined;
    throw new FlatnetError(
      'ProxyRulesFailed',
      `loading the Service rules failed: nft -f - exited ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}${offending ? ` (at: ${offending})` : ''}`,
      {},
      'this is a bug in the nftables rules flatnet writes; `flatnet cluster shell node -- nft list ruleset` shows what the node has',
    );
  }
}
