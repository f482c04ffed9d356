/**
 * @module
 * The static world a task is graded in: the baseline (kube-system), the lab's setup,
 * the task's `given` manifests and the answer, applied in that order with kubectl apply's
 * upsert — an answer that re-sends an object already there replaces it.
 */
import { buildCluster, type Cluster } from '../engine/index.ts';
import type { Warning } from '../errors.ts';
import type { Manifest } from '../k8s/manifests.ts';
import { readObjects } from '../k8s/objects.ts';
import type { Service } from '../k8s/schema/service.ts';

export interface World {
  cluster: Cluster;
  warnings: Warning[];
  services: Service[];
  /** Every object after the upsert, as written: what resource checks look at. */
  objects: Record<string, unknown>[];
}

type Item = Manifest | Record<string, unknown>;

/** Layers in apply order; throws the engine's FlatnetError when an object is invalid. */
export function buildWorld(layers: readonly (readonly Item[])[]): World {
  const items: Item[] = [];
  const at = new Map<string, { layer: number; index: number }>();
  layers.forEach((layer, li) => {
    for (const item of layer) {
      const key = keyOf(rawOf(item));
      const prev = key === undefined ? undefined : at.get(key);
      // Duplicates within one layer stay, so the engine reports them with both lines.
      if (prev && prev.layer < li) {
        items[prev.index] = item;
        at.set(key!, { layer: li, index: prev.index });
        continue;
      }
      if (key !== undefined && !prev) at.set(key, { layer: li, index: items.length });
      items.push(item);
    }
  });
  const { cluster, warnings } = buildCluster(items);
  const services = readObjects(items).services.map((s) => s.object);
  const objects = items.map(rawOf).filter(isRecord);
  return { cluster, warnings, services, objects };
}

function rawOf(item: Item): unknown {
  return isManifest(item) ? item.object : item;
}

function isManifest(x: Item): x is Manifest {
  return typeof (x as Manifest).lineOf === 'function' && 'object' in x;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function keyOf(raw: unknown): string | undefined {
  if (!isRecord(raw) || !isRecord(raw.metadata) || typeof raw.metadata.name !== 'string') return undefined;
  const ns = raw.kind === 'Namespace' ? '' : typeof raw.metadata.namespace === 'string' ? raw.metadata.namespace : 'default';
  return `${String(raw.kind)}/${ns}/${raw.metadata.name}`;
}
