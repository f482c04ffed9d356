/**
 * @module
 * Calico by the operator, as Calico's kind guide installs it (research §2.2): the CRD bundle
 * (`kubectl create`: it is too large for a client-side apply), the tigera-operator, then the
 * custom resources — an Installation whose one IP pool IS the cluster's pod subnet (the
 * operator refuses a pool outside kubeadm's podSubnet, research §2.3), and the API server,
 * Goldmane and Whisker (flow logs) as the stock custom-resources.yaml has them.
 */
import { stringify } from 'yaml';
import { kindErrors } from '../../../../checkers/errors.ts';
import { NETWORKS } from '../config.ts';
import { tail } from '../tools.ts';
import { CALICO } from '../versions.ts';
import type { Action, KindContext } from './action.ts';

/** custom-resources.yaml of Calico v3.32 with the pool generated from the kind config's podSubnet. */
export function calicoResources(podSubnet: string): Record<string, unknown>[] {
  const meta = { name: 'default' };
  return [
    {
      apiVersion: 'operator.tigera.io/v1',
      kind: 'Installation',
      metadata: meta,
      spec: {
        calicoNetwork: {
          ipPools: [{ name: 'default-ipv4-ippool', blockSize: 26, cidr: podSubnet, encapsulation: 'VXLANCrossSubnet', natOutgoing: 'Enabled', nodeSelector: 'all()' }],
        },
      },
    },
    { apiVersion: 'operator.tigera.io/v1', kind: 'APIServer', metadata: meta, spec: {} },
    { apiVersion: 'operator.tigera.io/v1', kind: 'Goldmane', metadata: meta },
    { apiVersion: 'operator.tigera.io/v1', kind: 'Whisker', metadata: meta },
  ];
}

async function kubectl(ctx: KindContext, args: string[], what: string, input?: string): Promise<void> {
  const r = await ctx.kubectl.run(args, { input, timeoutMs: 5 * 60_000 });
  if (r.code !== 0) throw kindErrors.toolFailed(`installing Calico (${what})`, `kubectl ${args.join(' ')}`, tail(r.stderr), 'the manifests come from raw.githubusercontent.com: check this host reaches it, then delete the cluster and try again');
}

export const installCalico: Action = {
  stage: 'Installing Calico',
  async run(ctx) {
    await kubectl(ctx, ['create', '-f', CALICO.crds], 'CRDs');
    await kubectl(ctx, ['wait', '--for', 'condition=established', '--timeout', '60s', 'crd', '--all'], 'CRDs established');
    await kubectl(ctx, ['create', '-f', CALICO.operator], 'operator');
    const docs = calicoResources(NETWORKS.calico.podSubnet).map((o) => stringify(o)).join('---\n');
    await kubectl(ctx, ['create', '-f', '-'], 'custom resources', docs);
  },
};
