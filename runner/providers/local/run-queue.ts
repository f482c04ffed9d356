/**
 * @module
 * One node's applies, one after another. Every apply reads the node's tables, then writes
 * them (iptables-save then iptables-restore, nft list then nft -f, ipvsadm -Sn then
 * ipvsadm-restore): two at once on one node could both read the old state and both act on
 * it — stacking duplicate jumps, say. Different nodes (different runners) still apply at once.
 */

/** Runs `job` after every earlier job queued under the same `key` has settled. */
export type RunQueue = <T>(key: object, job: () => Promise<T>) => Promise<T>;

/**
 * A queue per key, held weakly so a node that is gone takes its queue with it. A failed job
 * is the caller's to handle; it does not stop the jobs queued after it.
 */
export function runQueue(): RunQueue {
  const tails = new WeakMap<object, Promise<unknown>>();
  return <T>(key: object, job: () => Promise<T>): Promise<T> => {
    const next = (tails.get(key) ?? Promise.resolve()).then(job);
    tails.set(key, next.catch(() => undefined));
    return next;
  };
}
