/**
 * @module
 * Verdicts in plain words, built from the evidence alone, e.g.
 * "denied: x/a is isolated for egress by x/deny-all and no egress rule allows y/b on TCP 80".
 */
import type { DirectionVerdict, Flow, RuleRef } from './types.ts';

export const endpointName = (e: Flow['from']): string => (e.kind === 'pod' ? `${e.namespace}/${e.name}` : e.ip);

export const ruleName = (r: RuleRef): string => `${r.policy.namespace}/${r.policy.name} ${r.direction}[${r.index}]`;

export function explain(flow: Flow, egress: DirectionVerdict, ingress: DirectionVerdict): string {
  const v = { egress, ingress };
  const from = endpointName(flow.from);
  const to = endpointName(flow.to);
  const port = `${flow.protocol} ${flow.port}`;
  if (!v.egress.allowed || !v.ingress.allowed) {
    const reasons: string[] = [];
    if (!v.egress.allowed) reasons.push(side(from, 'egress', v.egress, `${to} on ${port}`));
    if (!v.ingress.allowed) reasons.push(side(to, 'ingress', v.ingress, `${from} on ${port}`));
    return `denied: ${reasons.join('; and ')}`;
  }
  const parts = [open(from, 'egress', v.egress), open(to, 'ingress', v.ingress)];
  return `allowed: ${parts.join('; ')}`;
}

function side(pod: string, dir: 'egress' | 'ingress', d: DirectionVerdict, what: string): string {
  return `${pod} is isolated for ${dir} by ${list(d.isolatedBy)} and no ${dir} rule allows ${what}`;
}

function open(pod: string, dir: 'egress' | 'ingress', d: DirectionVerdict): string {
  if (!d.applies) return `${pod} is outside the cluster (no ${dir} policy applies)`;
  if (d.isolatedBy.length === 0) return `no policy isolates ${pod} for ${dir}`;
  return `${dir} of ${pod} allowed by ${d.allowedBy.map(ruleName).join(', ')}`;
}

function list(names: string[]): string {
  return names.length <= 2 ? names.join(' and ') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
