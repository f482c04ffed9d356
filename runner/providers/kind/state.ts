/**
 * @module
 * What the kind provider keeps per cluster, under the flatnet state folder
 * (FLATNET_STATE_DIR, else ~/.local/state/flatnet): `kind/flatnet-<name>/` holds the
 * cluster's own kubeconfig — one file per cluster, because kind locks the kubeconfig it
 * writes and parallel creates sharing one fail (research §4.4, kind#1425) — and a record
 * of what the cluster was made with and which namespaces are its own.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateRoot } from '../local/config.ts';
import { kindName, type KindCni } from './config.ts';

export interface ClusterRecord {
  name: string;
  cni: KindCni;
  nodes: number;
  /** Namespaces the cluster had when it became ready: reset() keeps these. */
  systemNamespaces: string[];
  /** Images already loaded into the nodes with `kind load`. */
  images: string[];
}

export const clusterStateDir = (name: string) => join(stateRoot(), 'kind', kindName(name));
export const kubeconfigPath = (name: string) => join(clusterStateDir(name), 'kubeconfig');
const recordPath = (name: string) => join(clusterStateDir(name), 'cluster.json');

export function prepareStateDir(name: string): void {
  mkdirSync(clusterStateDir(name), { recursive: true, mode: 0o700 });
}

export function readRecord(name: string): ClusterRecord | undefined {
  const p = recordPath(name);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as ClusterRecord) : undefined;
}

export function writeRecord(r: ClusterRecord): void {
  prepareStateDir(r.name);
  writeFileSync(recordPath(r.name), `${JSON.stringify(r, null, 2)}\n`);
}

export function removeState(name: string): void {
  rmSync(clusterStateDir(name), { recursive: true, force: true });
}
