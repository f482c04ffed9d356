/**
 * @module
 * A local cluster in a lab task's start state: the baseline (the cluster's own bootstrap
 * makes it), the lab's setup, then the task's given manifests — every pod Running and the
 * rules in the kernel before it counts as ready.
 */
import { startLayers } from '../../../checkers/grade/index.ts';
import type { LabBundle } from '../../../checkers/lab/sources.ts';
import { FlatnetError } from '../../../checkers/errors.ts';
import { call } from './client.ts';
import { up, type Progress } from './lifecycle.ts';
import type { KObject } from './store/types.ts';

export async function startLabCluster(name: string, bundle: LabBundle, taskIndex: number, progress: Progress, timeoutMs = 60_000): Promise<void> {
  await up(name, progress);
  // The baseline layer is what the cluster bootstraps by itself (CoreDNS); the rest is applied.
  const [, ...layers] = startLayers(bundle, taskIndex);
  const objects = layers.flat().map((o) => ('object' in o && 'lineOf' in o ? o.object : o) as KObject);
  progress.stage('Setting up the lab');
  await call(name, 'POST', '/apply', { objects: objects.filter((o) => o.kind === 'Namespace') });
  await call(name, 'POST', '/apply', { objects: objects.filter((o) => o.kind !== 'Namespace') });
  const t0 = performance.now();
  for (;;) {
    const s = await call<{ pods: { namespace: string; name: string; ready: boolean; reason: string | null }[] }>(name, 'GET', '/status');
    const waiting = s.pods.filter((p) => !p.ready);
    if (waiting.length === 0) break;
    if (performance.now() - t0 > timeoutMs) {
      const list = waiting.map((p) => `${p.namespace}/${p.name}${p.reason ? ` (${p.reason})` : ''}`).join(', ');
      throw new FlatnetError('LabNotReady', `the lab's pods did not become Ready within ${timeoutMs / 1000}s: ${list}`, {}, 'check the lab setup (images, commands) with `flatnet lab validate`');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const { error } = await call<{ error: string | null }>(name, 'POST', '/settle');
  if (error) throw new FlatnetError('DataplaneFailed', `the cluster could not load the lab's rules: ${error}`, {}, 'see the cluster log (daemon.log)');
}
