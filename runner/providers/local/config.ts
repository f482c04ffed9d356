/**
 * @module
 * The `local` cluster's fixed shape, in one place: addresses as a kind cluster has them,
 * so what learners see matches the seeds and kind docs (10.244.0.0/16 pods, 10.96.0.0/16
 * Services, kube-dns at 10.96.0.10).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CLUSTER_DOMAIN, DNS_SERVICE } from '../../../checkers/lab/baseline.ts';

export const POD_CIDR = '10.244.0.0/16';
export const SERVICE_CIDR = '10.96.0.0/16';
/** kube-dns and the cluster domain are the ones the static grader assumes (checkers/lab/baseline.ts). */
export const DNS_SERVICE_IP = DNS_SERVICE.clusterIP;
export { CLUSTER_DOMAIN };
/** The underlay: the bridge in the cluster's sandbox that every node's eth0 plugs into, as kind's docker network. */
export const UNDERLAY_BRIDGE = 'flatnet0';
export const UNDERLAY_GATEWAY = '172.18.0.1';
export const UNDERLAY_PREFIX = 16;
export const KUBERNETES_VERSION = 'v1.32.0';

/** Per-user state: every cluster's store, logs and kubeconfig live under here. */
export function stateRoot(): string {
  return process.env.FLATNET_STATE_DIR || defaultStateRoot();
}

/** Where state goes when FLATNET_STATE_DIR does not say otherwise. */
export function defaultStateRoot(): string {
  return join(process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'flatnet');
}

export const clusterDir = (cluster: string) => join(stateRoot(), 'clusters', cluster);

/** Per-user, per-machine caches that are safe to delete (root filesystems, compiled helpers). */
export function cacheRoot(kind: 'rootfs' | 'native'): string {
  return join(process.env.XDG_CACHE_HOME ?? join(process.env.HOME ?? '/tmp', '.cache'), 'flatnet', kind);
}
