/**
 * @module
 * The API server's field-error wording (k8s.io/apimachinery/pkg/util/validation/field),
 * used by the schemas' refinements so our messages read like `kubectl apply`'s.
 */
import type { z } from 'zod';

const show = (v: unknown) => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v));

export const fieldError = {
  invalid: (value: unknown, detail: string) => `Invalid value: ${show(value)}: ${detail}`,
  required: (detail: string) => `Required value${detail ? `: ${detail}` : ''}`,
  forbidden: (detail: string) => `Forbidden: ${detail}`,
  notSupported: (value: unknown, supported: readonly string[]) =>
    `Unsupported value: ${show(value)}: supported values: ${supported.map((s) => `"${s}"`).join(', ')}`,
};

/** Adds one custom issue at `path` (relative to the refined value). */
export function report(ctx: z.RefinementCtx, path: (string | number)[], message: string): void {
  ctx.addIssue({ code: 'custom', message, path });
}
