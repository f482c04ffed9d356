import { z } from 'zod';
import { parseIP } from '../../net/ip.ts';
import { portNameErrors, portNumberErrors } from '../names.ts';
import { fieldError, report } from './field-errors.ts';
import { ObjectMetaSchema } from './meta.ts';
import { ProtocolSchema } from './network-policy.ts';

export const ContainerPortSchema = z
  .object({
    name: z.string().optional().describe('A name policies and Services can refer to instead of the number (IANA service name).'),
    containerPort: z.number().describe('The port the container listens on.'),
    protocol: ProtocolSchema.optional(),
  })
  .superRefine((p, ctx) => {
    for (const m of portNumberErrors(p.containerPort)) report(ctx, ['containerPort'], fieldError.invalid(p.containerPort, m));
    if (p.name !== undefined) for (const m of portNameErrors(p.name)) report(ctx, ['name'], fieldError.invalid(p.name, m));
  })
  .describe('A port a container serves.');

export const ContainerSchema = z
  .object({
    name: z.string().describe('Container name, unique within the pod.'),
    image: z.string().optional().describe('Container image, e.g. nginx:alpine.'),
    command: z.array(z.string()).optional().describe('Entrypoint override.'),
    args: z.array(z.string()).optional().describe('Arguments to the entrypoint.'),
    ports: z.array(ContainerPortSchema).optional().describe('Ports this container serves.'),
  })
  .describe('One container of the pod.');

const ipField = (what: string) =>
  z.string().superRefine((v, ctx) => {
    if (!parseIP(v)) report(ctx, [], fieldError.invalid(v, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  }).describe(what);

export const PodSchema = z
  .object({
    apiVersion: z.literal('v1'),
    kind: z.literal('Pod'),
    metadata: ObjectMetaSchema,
    spec: z
      .object({
        containers: z.array(ContainerSchema).min(1, fieldError.required('')).describe('The pod\'s containers (at least one).'),
        nodeName: z.string().optional().describe('Node the pod runs on.'),
        hostNetwork: z.boolean().optional().describe("Use the node's network namespace instead of the pod's own."),
      })
      .describe('What the pod runs.'),
    status: z
      .object({
        podIP: ipField('Primary pod address. Without it, flatnet assigns one from 10.244.0.0/16.').optional(),
        podIPs: z.array(z.object({ ip: ipField('One pod address.') })).optional().describe('All pod addresses (dual-stack).'),
      })
      .optional()
      .describe('Observed state; only the addresses are read.'),
  })
  .describe('A Kubernetes Pod (v1).');

export type Pod = z.infer<typeof PodSchema>;
