import { z } from 'zod';
import { dns1123LabelErrors } from '../names.ts';
import { fieldError, report } from './field-errors.ts';
import { ObjectMetaSchema } from './meta.ts';
import { named, opaque } from './registry.ts';

export const NamespaceSchema = named(
  'io.k8s.api.core.v1.Namespace',
  z
    .strictObject({
      apiVersion: z.literal('v1').describe('Always v1.'),
      kind: z.literal('Namespace').describe('Always Namespace.'),
      metadata: ObjectMetaSchema.extend({
        name: z
          .string({ error: fieldError.required('name or generateName is required') })
          .superRefine((v, ctx) => {
            for (const m of dns1123LabelErrors(v)) report(ctx, [], fieldError.invalid(v, m));
          })
          .describe('Namespace name (a lowercase DNS label). It is also the value of the automatic label kubernetes.io/metadata.name.'),
      }).describe('Namespace metadata.'),
      spec: z
        .strictObject({ finalizers: z.array(z.string()).optional().describe('Work that must finish before the namespace is removed (kubernetes: delete its contents).') })
        .optional()
        .describe('Namespace spec.'),
      status: z
        .strictObject({
          phase: z.string().optional().describe('Active or Terminating.'),
          conditions: z.array(opaque('io.k8s.api.core.v1.NamespaceCondition', 'A condition of the namespace.')).optional().describe('Conditions of the namespace.'),
        })
        .optional()
        .describe('Observed state of the namespace.'),
    })
    .describe('A Kubernetes Namespace (v1): a scope for names, and the unit namespaceSelector picks.'),
);

export type Namespace = z.infer<typeof NamespaceSchema>;
