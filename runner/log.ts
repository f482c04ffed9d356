/**
 * @module
 * Debug logging (not status: what the learner sees is printed by commands). Lines go to
 * stderr with the time since start; the cluster daemon's stderr is its daemon.log.
 */
const t0 = performance.now();

export function debug(msg: string): void {
  process.stderr.write(`${new Date().toISOString()} +${Math.round(performance.now() - t0)}ms ${msg}\n`);
}
