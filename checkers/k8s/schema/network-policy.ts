import { z } from 'zod';
import { isStrictSubnet, parseCIDR } from '../../net/ip.ts';
import { portNameErrors, portNumberErrors } from '../names.ts';
import { fieldError, report } from './field-errors.ts';
import { IntOrStringSchema, ObjectMetaSchema } from './meta.ts';
import { named } from './registry.ts';
import { LabelSelectorSchema } from './selector.ts';

export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export const ProtocolSchema = z
  .enum(PROTOCOLS, { error: (iss) => fieldError.notSupported(iss.input, PROTOCOLS) })
  .describe('Transport protocol: TCP (the default), UDP or SCTP.');

const CIDR_HINT = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

export const IPBlockSchema = named(
  'io.k8s.api.networking.v1.IPBlock',
  z
    .strictObject({
      cidr: z.string().describe('Addresses this peer covers, e.g. 10.0.0.0/8 or 2001:db8::/32.'),
      except: z.array(z.string()).optional().describe('CIDRs inside `cidr` that are excluded from it.'),
    })
    .superRefine((b, ctx) => {
      const outer = parseCIDR(b.cidr);
      if (!outer) return report(ctx, ['cidr'], fieldError.invalid(b.cidr, CIDR_HINT));
      b.except?.forEach((e, i) => {
        const inner = parseCIDR(e);
        if (!inner) report(ctx, ['except', i], fieldError.invalid(e, CIDR_HINT));
        else if (!isStrictSubnet(outer, inner)) report(ctx, ['except', i], fieldError.invalid(e, 'must be a strict subset of `cidr`'));
      });
    })
    .describe('A range of IP addresses (cluster-external, and on most CNIs pod addresses too).'),
);

export const NetworkPolicyPeerSchema = named(
  'io.k8s.api.networking.v1.NetworkPolicyPeer',
  z
    .strictObject({
      podSelector: LabelSelectorSchema.optional().describe(
        "Pods this peer covers. Alone: pods in the policy's own namespace. With namespaceSelector: those pods in the selected namespaces (AND).",
      ),
      namespaceSelector: LabelSelectorSchema.optional().describe(
        'Namespaces this peer covers (all their pods, unless podSelector narrows it). {} selects every namespace.',
      ),
      ipBlock: IPBlockSchema.optional().describe('A range of IP addresses; may not be combined with a selector in the same peer.'),
    })
    .superRefine((p, ctx) => {
      const n = Number(p.podSelector !== undefined) + Number(p.namespaceSelector !== undefined) + Number(p.ipBlock !== undefined);
      if (n === 0) report(ctx, [], fieldError.required('must specify a peer'));
      else if (n > 1 && p.ipBlock) report(ctx, [], fieldError.forbidden('may not specify both ipBlock and another peer'));
    })
    .describe('One peer: pods (by podSelector and/or namespaceSelector) or an ipBlock.'),
);

export const NetworkPolicyPortSchema = named(
  'io.k8s.api.networking.v1.NetworkPolicyPort',
  z
    .strictObject({
      protocol: ProtocolSchema.optional(),
      port: IntOrStringSchema.optional()
        .describe('Port number, or a named container port of the destination pod. Omitted: every port of the protocol.'),
      endPort: z.number().optional().describe('With a numeric port: the last port of the range port..endPort.'),
    })
    .superRefine((p, ctx) => {
      if (typeof p.port === 'number') {
        for (const m of portNumberErrors(p.port)) report(ctx, ['port'], fieldError.invalid(p.port, m));
        if (p.endPort !== undefined) {
          if (p.endPort < p.port) report(ctx, ['endPort'], fieldError.invalid(p.port, 'must be greater than or equal to `port`'));
          for (const m of portNumberErrors(p.endPort)) report(ctx, ['endPort'], fieldError.invalid(p.endPort, m));
        }
      } else if (typeof p.port === 'string') {
        if (p.endPort !== undefined) report(ctx, ['endPort'], fieldError.invalid(p.endPort, 'may not be specified when `port` is non-numeric'));
        for (const m of portNameErrors(p.port)) report(ctx, ['port'], fieldError.invalid(p.port, m));
      } else if (p.endPort !== undefined) {
        report(ctx, ['endPort'], fieldError.invalid(p.endPort, 'may not be specified when `port` is not specified'));
      }
    })
    .describe('A port (or range) and protocol the rule allows.'),
);

const portsField = z
  .array(NetworkPolicyPortSchema)
  .optional()
  .describe('Ports the rule allows. Omitted or empty: all ports. Each entry is ORed.');

export const NetworkPolicyIngressRuleSchema = named(
  'io.k8s.api.networking.v1.NetworkPolicyIngressRule',
  z
    .strictObject({
      from: z
        .array(NetworkPolicyPeerSchema)
        .optional()
        .describe('Sources the rule allows (ORed). Omitted or empty: every source, in or outside the cluster.'),
      ports: portsField,
    })
    .describe('One ingress rule: traffic from any of `from` to any of `ports` is allowed.'),
);

export const NetworkPolicyEgressRuleSchema = named(
  'io.k8s.api.networking.v1.NetworkPolicyEgressRule',
  z
    .strictObject({
      to: z
        .array(NetworkPolicyPeerSchema)
        .optional()
        .describe('Destinations the rule allows (ORed). Omitted or empty: every destination.'),
      ports: portsField,
    })
    .describe('One egress rule: traffic to any of `to` on any of `ports` is allowed.'),
);

export const POLICY_TYPES = ['Ingress', 'Egress'] as const;
export type PolicyType = (typeof POLICY_TYPES)[number];

export const NetworkPolicySpecSchema = named(
  'io.k8s.api.networking.v1.NetworkPolicySpec',
  z
    .strictObject({
      podSelector: LabelSelectorSchema.describe("Pods in the policy's namespace that this policy isolates. {} selects all of them."),
      policyTypes: z
        .array(z.enum(POLICY_TYPES, { error: (iss) => fieldError.notSupported(iss.input, POLICY_TYPES) }))
        .optional()
        .describe(
          'Directions this policy isolates. Omitted: Ingress, plus Egress when spec.egress has at least one rule (the API server fills this in).',
        ),
      ingress: z
        .array(NetworkPolicyIngressRuleSchema)
        .optional()
        .describe('Allowed incoming traffic (rules are ORed). Empty with Ingress in policyTypes: deny all ingress.'),
      egress: z
        .array(NetworkPolicyEgressRuleSchema)
        .optional()
        .describe('Allowed outgoing traffic (rules are ORed). Empty with Egress in policyTypes: deny all egress.'),
    })
    .superRefine((s, ctx) => {
      if ((s.policyTypes?.length ?? 0) > 2) report(ctx, ['policyTypes'], fieldError.forbidden('may not specify more than two policyTypes'));
    })
    .describe('Which pods the policy selects and what traffic it allows them.'),
);

export const NetworkPolicySchema = named(
  'io.k8s.api.networking.v1.NetworkPolicy',
  z
    .strictObject({
      apiVersion: z.literal('networking.k8s.io/v1').describe('Always networking.k8s.io/v1.'),
      kind: z.literal('NetworkPolicy').describe('Always NetworkPolicy.'),
      metadata: ObjectMetaSchema.describe('Standard object metadata: name, namespace, labels, annotations.'),
      spec: NetworkPolicySpecSchema.describe('Which pods the policy selects and what traffic it allows them.'),
    })
    .describe('A Kubernetes NetworkPolicy (networking.k8s.io/v1).'),
);

export type NetworkPolicy = z.infer<typeof NetworkPolicySchema>;
export type NetworkPolicyPeer = z.infer<typeof NetworkPolicyPeerSchema>;
export type NetworkPolicyPort = z.infer<typeof NetworkPolicyPortSchema>;
