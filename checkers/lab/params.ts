/**
 * @module
 * Parameterised labs: a lab declares parameters with a few choices each, and every
 * learner gets one choice per parameter picked by a seed, so a copied answer names the
 * wrong namespace or label. `${name}` in lab.yaml (and in the files it references) is
 * replaced by the text of the choice before the YAML is parsed; values never contain
 * spaces, colons or newlines, so line numbers in errors stay those of the file.
 */
import { z } from 'zod';
import { dns1123LabelErrors, labelValueErrors, portNumberErrors } from '../k8s/names.ts';
import { fieldError, report } from './field-errors.ts';
import { fnv1a } from '../hash.ts';

export const PARAM_KINDS = ['namespace', 'label-value', 'port'] as const;

const checkValue: Record<(typeof PARAM_KINDS)[number], (v: string | number) => string[]> = {
  namespace: (v) => (typeof v === 'string' ? dns1123LabelErrors(v) : ['must be a string']),
  'label-value': (v) => (typeof v === 'string' ? (v === '' ? ['must not be empty'] : labelValueErrors(v)) : ['must be a string']),
  port: (v) => (typeof v === 'number' ? portNumberErrors(v) : ['must be a number']),
};

export const PARAM_NAME = /^[a-z][A-Za-z0-9]*$/;

export const ParamSchema = z
  .strictObject({
    name: z
      .string()
      .regex(PARAM_NAME, 'must start with a lowercase letter and hold only letters and digits (it is written ${name} in the lab)')
      .describe('How the lab refers to the parameter: `${name}` anywhere in lab.yaml or its files.'),
    kind: z
      .enum(PARAM_KINDS, { error: (iss) => fieldError.notSupported(iss.input, PARAM_KINDS) })
      .describe('What the value is, so it is validated as such: a namespace name, a label value, or a port number.'),
    description: z.string().optional().describe('What the parameter stands for, for instructors.'),
    choices: z
      .array(z.union([z.string(), z.number()]))
      .min(1, fieldError.required('at least one choice'))
      .describe('Values a learner may get. The first is the default (used when no seed is given, e.g. in the docs).'),
  })
  .superRefine((p, ctx) => {
    p.choices.forEach((c, i) => {
      for (const m of checkValue[p.kind](c)) report(ctx, ['choices', i], fieldError.invalid(c, m));
    });
    if (new Set(p.choices).size !== p.choices.length) report(ctx, ['choices'], fieldError.invalid(p.choices, 'choices must be distinct'));
  })
  .describe('A value that differs between learners (a namespace, a label value, a port).');

export type Param = z.infer<typeof ParamSchema>;
export type ParamValues = Readonly<Record<string, string>>;

/** Without a seed, every parameter takes its first choice. */
export function pickValues(params: readonly Param[], seed?: string): ParamValues {
  return Object.fromEntries(
    params.map((p) => [p.name, String(seed === undefined ? p.choices[0] : p.choices[fnv1a(`${seed}/${p.name}`) % p.choices.length])]),
  );
}

/** Variant i takes choice i (mod its count) of every parameter: enough variants to try every choice once. */
export function variantValues(params: readonly Param[], i: number): ParamValues {
  return Object.fromEntries(params.map((p) => [p.name, String(p.choices[i % p.choices.length])]));
}

export function variantCount(params: readonly Param[]): number {
  return Math.max(1, ...params.map((p) => p.choices.length));
}

export interface Substitution {
  text: string;
  /** `${name}` references to parameters the lab does not declare, by offset in the original text. */
  unknown: { name: string; offset: number }[];
}

/** Only `${lowercaseName}` is a reference: shell variables in instructions (`${HOME}`) are left alone. */
export function substitute(text: string, values: ParamValues): Substitution {
  const unknown: Substitution['unknown'] = [];
  const out = text.replace(/\$\{([a-z][A-Za-z0-9]*)\}/g, (whole, name: string, offset: number) => {
    const v = values[name];
    if (v === undefined) unknown.push({ name, offset });
    return v ?? whole;
  });
  return { text: out, unknown };
}
