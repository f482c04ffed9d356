/**
 * @module
 * A lab: one folder `labs/<id>/` with this lab.yaml. It says what the cluster starts
 * with (setup), what the learner does (steps) and what they write and how it is graded
 * (tasks). This schema is the single source of truth: `flatnet lab schema` exports it
 * as JSON Schema for editors.
 */
import { z } from 'zod';
import { idSchema } from './check.ts';
import { fieldError, report } from './field-errors.ts';
import { ParamSchema } from './params.ts';
import { SetupSchema } from './setup.ts';
import { TaskSchema, unique } from './task.ts';

export const LAB_API_VERSION = 'flatnet/v1alpha1';
export const CNIS = ['any', 'calico', 'cilium'] as const;
export const NETWORKS = ['any', 'routed', 'vxlan', 'ipip', 'geneve'] as const;
export const PROXY_MODES = ['any', 'iptables', 'nftables'] as const;

export const RequirementsSchema = z
  .strictObject({
    networkPolicy: z.boolean().default(false).describe('The cluster must enforce NetworkPolicy (kind\'s default CNI does not; Calico and Cilium do).'),
    cni: z
      .enum(CNIS, { error: (iss) => fieldError.notSupported(iss.input, CNIS) })
      .default('any')
      .describe('A specific CNI the lab needs, or any.'),
    nodes: z.number().int().min(1).max(10).default(1).describe('How many nodes the cluster has: 1 (the default) is a control plane that runs everything; with more, the control plane is tainted and pods spread over the workers, as on kind.'),
    network: z
      .enum(NETWORKS, { error: (iss) => fieldError.notSupported(iss.input, NETWORKS) })
      .default('any')
      .describe('How pod traffic crosses between nodes on the local provider (routed, vxlan, ipip or geneve; docs/0005-multi-node.md), or any. kind clusters use their CNI\'s own mode.'),
    proxyMode: z
      .enum(PROXY_MODES, { error: (iss) => fieldError.notSupported(iss.input, PROXY_MODES) })
      .default('any')
      .describe('Which kube-proxy mode programs Services (iptables, nftables), or any. A kind cluster with Cilium has no kube-proxy: a lab that names a mode cannot run there.'),
    ingress: z
      .boolean()
      .default(false)
      .describe('The cluster runs an ingress controller: IngressClass flatnet (the default class), its pod in namespace ingress-flatnet behind a LoadBalancer Service. Needed by `route` checks. Local provider only, for now.'),
  })
  .describe('What the cluster provider must offer for this lab.');

export const StepSchema = z
  .strictObject({
    title: z.string().describe('Step title, e.g. "Apply default-deny and observe".'),
    body: z.string().describe('Instructions in Markdown: what to run, what to observe.'),
  })
  .describe('One step of the lab\'s walkthrough.');

export const LabSchema = z
  .strictObject({
    apiVersion: z.literal(LAB_API_VERSION).describe(`Always ${LAB_API_VERSION}.`),
    kind: z.literal('Lab').describe('Always Lab.'),
    id: idSchema('Lab id; must equal the folder name under labs/.'),
    title: z.string().describe('Title shown to learners.'),
    chapter: z.string().regex(/^\d+(\.\d+)*$/, 'must be a chapter number like 4.1').describe('The chapter this lab belongs to, e.g. "4.1".'),
    minutes: z.number().int().positive().describe('Estimated time to complete, in minutes.'),
    requires: RequirementsSchema.default({ networkPolicy: false, cni: 'any', nodes: 1, network: 'any', proxyMode: 'any', ingress: false }),
    params: z
      .array(ParamSchema)
      .default([])
      .describe('Values that differ per learner; written ${name} anywhere in the lab and its files.'),
    setup: SetupSchema,
    steps: z.array(StepSchema).default([]).describe('The walkthrough, in order.'),
    tasks: z.array(TaskSchema).min(1, fieldError.required('at least one task')).describe('What the learner writes, and how it is graded.'),
  })
  .superRefine((lab, ctx) => {
    unique(ctx, lab.tasks.map((t) => t.id), ['tasks'], 'task');
    const names = lab.params.map((p) => p.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) report(ctx, ['params', i, 'name'], fieldError.duplicate(n, 'parameter names must be unique'));
    });
  })
  .describe('A flatnet lab (labs/<id>/lab.yaml).');

export type Lab = z.infer<typeof LabSchema>;
export type Step = z.infer<typeof StepSchema>;
