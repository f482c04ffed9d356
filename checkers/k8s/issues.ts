/**
 * @module
 * zod issues in the API server's words (`Required value`, `Unsupported value: …`,
 * `strict decoding error: unknown field …`), so a broken manifest or lab.yaml reads like
 * a rejected `kubectl apply`.
 */
import type { z } from 'zod';
import type { FieldPath } from './manifests.ts';

/** `spec.ingress[0].from[1].ipBlock.cidr` */
export function fieldPath(path: FieldPath): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

export interface Problem {
  path: FieldPath;
  message: string;
}

export function describeIssue(issue: z.core.$ZodIssue): Problem {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  switch (issue.code) {
    case 'unrecognized_keys': {
      const keys = issue.keys.map((k) => `"${fieldPath([...path, k])}"`).join(', ');
      return { path: [...path, issue.keys[0] ?? ''], message: `strict decoding error: unknown field ${keys}` };
    }
    case 'invalid_type':
      return issue.input === undefined
        ? { path, message: 'Required value' }
        : { path, message: `Invalid value: ${JSON.stringify(issue.input)}: must be ${article(issue.expected)}` };
    case 'invalid_value':
      return { path, message: `Unsupported value: ${JSON.stringify(issue.input)}: supported values: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` };
    case 'invalid_union': {
      // A discriminated union reports an unknown `kind` at the kind field itself.
      const { options, note } = issue as { options?: unknown[]; note?: string };
      if (note === 'No matching discriminator' && options) {
        const value = (issue.input as Record<string, unknown> | undefined)?.[String(path.at(-1))];
        if (value === undefined) return { path, message: `Required value: supported values: ${options.map((o) => JSON.stringify(o)).join(', ')}` };
        return { path, message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${options.map((o) => JSON.stringify(o)).join(', ')}` };
      }
      return { path, message: `Invalid value: ${JSON.stringify(issue.input)}: must be a number or a string` };
    }
    case 'too_small':
    case 'too_big':
      return { path, message: issue.message.startsWith('Required') ? issue.message : `Invalid value: ${issue.message}` };
    case 'invalid_format':
      return { path, message: `Invalid value: ${JSON.stringify(issue.input)}: ${issue.message}` };
    default:
      return { path, message: issue.message };
  }
}

function article(expected: string): string {
  if (expected === 'array') return 'a list';
  if (expected === 'object' || expected === 'record') return 'a mapping';
  if (expected === 'int') return 'an integer';
  return `a ${expected}`;
}
