import { z } from 'zod';
import { dns1123SubdomainErrors, labelKeyErrors, labelValueErrors } from '../names.ts';
import { fieldError, report } from './field-errors.ts';

/** Labels as the API validates them: qualified-name keys, short values. */
export const LabelsSchema = z
  .record(z.string(), z.string())
  .superRefine((labels, ctx) => {
    for (const [k, v] of Object.entries(labels)) {
      for (const m of labelKeyErrors(k)) report(ctx, [k], fieldError.invalid(k, m));
      for (const m of labelValueErrors(v)) report(ctx, [k], fieldError.invalid(v, m));
    }
  })
  .describe('Key/value pairs that selectors match on, e.g. app: web.');

export const ObjectMetaSchema = z
  .object({
    name: z
      .string({ error: fieldError.required('name or generateName is required') })
      .superRefine((v, ctx) => {
        for (const m of dns1123SubdomainErrors(v)) report(ctx, [], fieldError.invalid(v, m));
      })
      .describe('Name of the object, unique within its namespace (a lowercase DNS subdomain).'),
    namespace: z.string().optional().describe('Namespace the object lives in; "default" when omitted.'),
    labels: LabelsSchema.optional(),
  })
  .describe('Standard object metadata: name, namespace and labels.');

export type ObjectMeta = z.infer<typeof ObjectMetaSchema>;
