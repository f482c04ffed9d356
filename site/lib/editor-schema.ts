/**
 * @module
 * The JSON Schema the lab editor validates answers against, made at build time from the
 * checkers' zod schemas: each document is checked as the kind it says it is (NetworkPolicy,
 * Service, Pod, Namespace — what labs ask learners to write), with the same `.describe()` texts
 * the CLI's messages and `kubectl explain` use shown on hover.
 */
import { z } from 'zod';
import { NamespaceSchema } from '../../checkers/k8s/schema/namespace.ts';
import { NetworkPolicySchema } from '../../checkers/k8s/schema/network-policy.ts';
import { PodSchema } from '../../checkers/k8s/schema/pod.ts';
import { ServiceSchema } from '../../checkers/k8s/schema/service.ts';

const KINDS = { NetworkPolicy: NetworkPolicySchema, Service: ServiceSchema, Pod: PodSchema, Namespace: NamespaceSchema } as const;

export function editorSchema(): Record<string, unknown> {
  const one = (s: z.ZodType) => {
    const j = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    delete j.$schema;
    return j;
  };
  return {
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata'],
    properties: { kind: { enum: Object.keys(KINDS), description: 'What this document is. Labs ask for these kinds.' } },
    allOf: Object.entries(KINDS).map(([kind, s]) => ({ if: { properties: { kind: { const: kind } }, required: ['kind'] }, then: one(s) })),
  };
}
