/**
 * The Provider contract against the kind provider, over the recorded shims (kind-shim/) in
 * their `local` backend: this host has no Docker engine, so `kind create cluster` starts a
 * flatnet local cluster and hands its kubeconfig over as kind would. Everything the provider
 * does inside the cluster — kubectl apply, get, exec, delete, the probes from inside pods —
 * runs the real kubectl against a real API server with real pods and packets. The CNI's own
 * objects are recorded, not applied, and stand-in agent pods carry its labels, so the wait
 * for the network is exercised on real pods. What this cannot show: real kind nodes, real
 * Calico or Cilium enforcing the policy (the local cluster's engine does), image loading.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KindProvider } from '../../runner/providers/kind/provider.ts';
import { cannotRunKubectl } from '../local-cluster/harness.ts';
import { providerContract } from './contract.ts';

const skip = cannotRunKubectl();
if (skip) console.log(`# skipped: ${skip}`);
else {
  const root = mkdtempSync(join(tmpdir(), 'flatnet-kind-contract-'));
  process.env.PATH = `${fileURLToPath(new URL('./kind-shim', import.meta.url))}:${process.env.PATH}`;
  process.env.KIND_SHIM_BACKEND = 'local';
  process.env.KIND_SHIM_STATE = join(root, 'shim');
  process.env.KIND_SHIM_FLATNET_STATE = join(root, 'flatnet');
  process.env.KIND_SHIM_LOG = join(root, 'log.jsonl');
  process.env.FLATNET_STATE_DIR = join(root, 'state');
}

const make = () => new KindProvider({ networkTimeoutMs: 60_000, pollMs: 200 });
providerContract('kind + Calico (over the shim)', make, { name: 'contract-calico', cni: 'calico' }, skip);
providerContract('kind + Cilium (over the shim)', make, { name: 'contract-cilium', cni: 'cilium' }, skip);
