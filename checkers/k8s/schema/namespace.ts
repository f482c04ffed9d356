import { z } from 'zod';
import { dns1123LabelErrors } from '../names.ts';
import { fieldError, report } from './field-errors.ts';
import { LabelsSchema } from './meta.ts';

export const NamespaceSchema = z
  .object({
    apiVersion: z.literal('v1'),
    kind: z.literal('Namespace'),
    metadata: z
      .object({
        name: z
          .string({ error: fieldError.required('name or generateName is required') })
          .superRefine((v, ctx) => {
            for (const m of dns1123LabelErrors(v)) report(ctx, [], fieldError.invalid(v, m));
          })
          .describe('Namespace name (a lowercase DNS label). It is also the value of the automatic label kubernetes.io/metadata.name.'),
        labels: LabelsSchema.optional(),
      })
      .describe('Namespace metadata.'),
  })
  .describe('A Kubernetes Namespace (v1).');

export type Namespace = z.infer<typeof NamespaceSchema>;
