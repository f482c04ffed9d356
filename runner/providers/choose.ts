/**
 * @module
 * `--provider` and `--cni` from the command line to a Provider and the CNI to ask it for
 * (local stays the default; kind defaults to Calico, or to the CNI a lab requires).
 */
import { FlatnetError } from '../../checkers/errors.ts';
import { KindProvider } from './kind/provider.ts';
import { KIND_CNIS } from './kind/config.ts';
import { LocalProvider } from './local/provider.ts';
import type { CniName, Provider } from './provider.ts';

export interface Choice {
  provider: Provider;
  cni: CniName | undefined;
}

export function chooseProvider(provider = 'local', cni?: string, labCni: 'any' | 'calico' | 'cilium' = 'any'): Choice {
  if (provider === 'local') {
    if (cni !== undefined && cni !== 'flatnet') throw new FlatnetError('UnsupportedCni', `--cni ${cni}: the local provider runs flatnet's own CNI`, {}, `use --provider kind --cni ${cni}`);
    return { provider: new LocalProvider(), cni: undefined };
  }
  if (provider !== 'kind') throw new FlatnetError('UnknownProvider', `--provider ${provider}: expected local or kind`, {}, 'use --provider local (no Docker needed) or --provider kind (Docker, Calico or Cilium)');
  if (cni !== undefined && !(KIND_CNIS as readonly string[]).includes(cni)) throw new FlatnetError('UnsupportedCni', `--cni ${cni}: the kind provider runs ${KIND_CNIS.join(', ')}`, {}, 'use --cni calico or --cni cilium');
  if (cni !== undefined && labCni !== 'any' && cni !== labCni) throw new FlatnetError('CniMismatch', `--cni ${cni}: this lab requires ${labCni} (requires.cni in its lab.yaml)`, {}, `use --cni ${labCni}, or leave --cni out`);
  return { provider: new KindProvider(), cni: (cni ?? (labCni !== 'any' ? labCni : undefined)) as CniName | undefined };
}
