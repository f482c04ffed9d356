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
import { KindProvider } from '../../runner/providers/kind/provider.ts';
import { cannotRunKubectl } from '../local-cluster/harness.ts';
import { providerContract } from './contract.ts';
import { useKindShims } from './kind-shim/env.ts';

const skip = cannotRunKubectl();
if (skip) console.log(`# skipped: ${skip}`);
else useKindShims('kind-contract', 'local');

const make = () => new KindProvider({ networkTimeoutMs: 60_000, pollMs: 200 });
providerContract('kind + Calico (over the shim)', make, { name: 'contract-calico', cni: 'calico' }, skip);
providerContract('kind + Cilium (over the shim)', make, { name: 'contract-cilium', cni: 'cilium' }, skip);
