/**
 * @module
 * Cilium from its OCI Helm chart with the values cilium-cli itself picks on kind (research
 * §3.3): Kubernetes IPAM (the nodes' podCIDRs), VXLAN tunnel, one operator; without
 * kube-proxy, Cilium does Services and must reach the API server at the control-plane
 * container's name (the kubeconfig's 127.0.0.1 port is the host's, useless inside nodes).
 * Hubble and its relay are on, for drop verdicts.
 */
import { stringify } from 'yaml';
import { kindErrors } from '../../../../checkers/errors.ts';
import { kubeProxyReplaced } from '../config.ts';
import { tail } from '../tools.ts';
import { CILIUM } from '../versions.ts';
import type { Action, KindContext } from './action.ts';

export function ciliumValues(ctx: Pick<KindContext, 'cluster' | 'cni' | 'options'>): Record<string, unknown> {
  const kpr = kubeProxyReplaced(ctx.cni, ctx.options);
  return {
    image: { pullPolicy: 'IfNotPresent' },
    ipam: { mode: 'kubernetes' },
    routingMode: 'tunnel',
    tunnelProtocol: 'vxlan',
    operator: { replicas: 1 },
    kubeProxyReplacement: kpr,
    ...(kpr ? { k8sServiceHost: `${ctx.cluster}-control-plane`, k8sServicePort: 6443 } : {}),
    hubble: { enabled: true, relay: { enabled: true }, ui: { enabled: false } },
  };
}

export const installCilium: Action = {
  stage: 'Installing Cilium',
  async run(ctx) {
    const args = ['install', 'cilium', CILIUM.chart, '--version', CILIUM.version, '--namespace', 'kube-system', '--kubeconfig', ctx.kubeconfig, '--values', '-'];
    const r = await ctx.runner('helm', args, { input: stringify(ciliumValues(ctx)), timeoutMs: 5 * 60_000 });
    if (r.code !== 0) throw kindErrors.toolFailed('installing Cilium', `helm ${args.join(' ')}`, tail(r.stderr), 'the chart comes from quay.io: check this host reaches it (helm >= 3.8 for OCI charts), then delete the cluster and try again');
  },
};
