/**
 * @module
 * LabSchema as JSON Schema, for editors: `flatnet lab schema > labs/lab.schema.json`,
 * then `# yaml-language-server: $schema=../lab.schema.json` at the top of a lab.yaml.
 * The input shape is exported, so fields with defaults are optional, as authors write them.
 */
import { z } from 'zod';
import { LabSchema } from './lab.ts';

export function labJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(LabSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'flatnet lab',
  };
}
