/**
 * @module
 * The API server's field-error wording, plus the two kinds lab files need beyond the
 * Kubernetes schemas (field.Duplicate and field.NotFound), so lab errors read like kubectl's.
 */
import { fieldError as k8s } from '../k8s/schema/field-errors.ts';

const show = (v: unknown) => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v));

export const fieldError = {
  ...k8s,
  duplicate: (value: unknown, detail: string) => `Duplicate value: ${show(value)}: ${detail}`,
  notFound: (value: unknown, known: string) => `Not found: ${show(value)}${known ? `: expected one of ${known}` : ''}`,
};

export { report } from '../k8s/schema/field-errors.ts';
