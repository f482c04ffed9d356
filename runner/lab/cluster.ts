/**
 * @module
 * A cluster in a lab task's start state, on any provider: the cluster (whose bootstrap is the
 * baseline: CoreDNS), then the lab's setup, then the task's given manifests — every pod Ready
 * and the rules in place before it counts as ready.
 */
import { startLayers } from '../../checkers/grade/index.ts';
import type { LabBundle } from '../../checkers/lab/sources.ts';
import type { ClusterInfo, ClusterSpec, ProgressEvent, Provider } from '../providers/provider.ts';

/** The images a lab's pods run (kind preloads them; the local provider needs no registry). */
export function labImages(bundle: LabBundle): string[] {
  return [...new Set(bundle.lab.setup.pods.map((p) => p.image))];
}

/** How long a lab's pods may take to be Ready: kind may still be loading images. */
export function setUpTimeoutMs(provider: Provider): number {
  return provider.name === 'kind' ? 5 * 60_000 : 60_000;
}

/** The cluster's shape a lab asks for (requires.nodes, network, proxyMode, ingress): part of every cluster made for it. */
export function labShape(bundle: LabBundle): Pick<ClusterSpec, 'nodes' | 'network' | 'proxyMode' | 'ingress'> {
  const { nodes, network, proxyMode, ingress } = bundle.lab.requires;
  return { ...(nodes > 1 ? { nodes } : {}), ...(network !== 'any' ? { network } : {}), ...(proxyMode !== 'any' ? { proxyMode } : {}), ...(ingress ? { ingress } : {}) };
}

export async function startLabCluster(provider: Provider, spec: ClusterSpec, bundle: LabBundle, taskIndex: number, progress: (e: ProgressEvent) => void, timeoutMs = 60_000): Promise<ClusterInfo> {
  const info = await provider.create({ ...labShape(bundle), ...spec }, progress);
  await setUpTask(provider, spec.name, bundle, taskIndex, progress, timeoutMs);
  return info;
}

/** Applies the task's start layers to a running cluster and waits for them. */
export async function setUpTask(provider: Provider, name: string, bundle: LabBundle, taskIndex: number, progress: (e: ProgressEvent) => void, timeoutMs = 60_000): Promise<void> {
  const [, ...layers] = startLayers(bundle, taskIndex); // the baseline is the cluster's own
  const objects = layers.flat().map((o) => ('object' in o && 'lineOf' in o ? o.object : o) as Record<string, unknown>);
  progress({ stage: 'Setting up the lab', step: 1, of: 2 });
  await provider.apply(name, objects);
  progress({ stage: 'Waiting for the lab pods', step: 2, of: 2 });
  await provider.waitReady(name, timeoutMs);
}
