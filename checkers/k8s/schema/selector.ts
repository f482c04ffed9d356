import { z } from 'zod';
import { labelKeyErrors, labelValueErrors } from '../names.ts';
import { LabelsSchema } from './meta.ts';
import { fieldError, report } from './field-errors.ts';
import { named } from './registry.ts';

export const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
export type SelectorOperator = (typeof SELECTOR_OPERATORS)[number];

export const LabelSelectorRequirementSchema = named(
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement',
  z
  .strictObject({
    key: z.string().describe('The label key the requirement applies to.'),
    operator: z
      .enum(SELECTOR_OPERATORS, { error: (iss) => fieldError.notSupported(iss.input, SELECTOR_OPERATORS) })
      .describe('In / NotIn compare the value with `values`; Exists / DoesNotExist look only at the key.'),
    values: z.array(z.string()).optional().describe('Values for In / NotIn; must be empty for Exists / DoesNotExist.'),
  })
  .superRefine((r, ctx) => {
    for (const m of labelKeyErrors(r.key)) report(ctx, ['key'], fieldError.invalid(r.key, m));
    const n = r.values?.length ?? 0;
    if ((r.operator === 'In' || r.operator === 'NotIn') && n === 0)
      report(ctx, ['values'], fieldError.required("must be specified when `operator` is 'In' or 'NotIn'"));
    if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && n > 0)
      report(ctx, ['values'], fieldError.forbidden("may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    r.values?.forEach((v, i) => {
      for (const m of labelValueErrors(v)) report(ctx, ['values', i], fieldError.invalid(v, m));
    });
  })
  .describe('One requirement: key, operator and values.'),
);

export const LabelSelectorSchema = named(
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
  z
  .strictObject({
    matchLabels: LabelsSchema.optional().describe('Labels that must all be present with exactly these values.'),
    matchExpressions: z
      .array(LabelSelectorRequirementSchema)
      .optional()
      .describe('Requirements that must all hold (ANDed with matchLabels).'),
  })
  .describe('A label query. An empty selector ({}) matches everything.'),
);

export type LabelSelector = z.infer<typeof LabelSelectorSchema>;
