/** The Provider contract against the embedded local cluster (real netns, CNI, iptables). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalProvider } from '../../runner/providers/local/provider.ts';
import { cannotRunCluster } from '../local-cluster/harness.ts';
import { providerContract } from './contract.ts';

const skip = cannotRunCluster();
if (skip) console.log(`# skipped: ${skip}`);
else process.env.FLATNET_STATE_DIR = mkdtempSync(join(tmpdir(), 'flatnet-contract-'));

providerContract('local', () => new LocalProvider(), { name: 'contract' }, skip);
