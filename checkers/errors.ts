/**
 * @module
 * The error catalogue. Every error a user can see is built here, so each one says
 * what happened, why, and what to do next — and names the file, line, object and
 * field when there is one. Names (`code`) are permanent: tests and scripts key on them.
 */

/** Where in the user's input an error points. */
export interface Where {
  file?: string;
  line?: number;
  column?: number;
  /** `Kind ns/name`, e.g. `NetworkPolicy data/postgres-policy`. */
  object?: string;
  /** Kubernetes field path, e.g. `spec.ingress[0].ports[0].port`. */
  field?: string;
}

export class FlatnetError extends Error {
  readonly code: string;
  readonly where: Where;
  /** What the user should do next. */
  readonly fix: string | undefined;

  constructor(code: string, message: string, where: Where = {}, fix?: string) {
    super(message);
    this.name = 'FlatnetError';
    this.code = code;
    this.where = where;
    this.fix = fix;
  }

  /** Errors this one groups (one per invalid field), printed one per line. */
  details: FlatnetError[] = [];

  /** One error standing for several, so callers see every problem at once. */
  static many(list: FlatnetError[]): FlatnetError {
    if (list.length === 1 && list[0]) return list[0];
    const e = new FlatnetError('InvalidInput', `${list.length} problems in the input`, {}, list[0]?.fix);
    e.details = list;
    return e;
  }

  /** For a terminal: `flatnet: file:line: Object: field: message — fix`, one line per problem. */
  format(): string {
    if (this.details.length > 0) return this.details.map((d) => d.format()).join('\n');
    return `flatnet: ${formatWhere(this.where)}${this.message}${this.fix ? ` — ${this.fix}` : ''}`;
  }
}

export function formatWhere(w: Where): string {
  let out = '';
  if (w.file) out += `${[w.file, w.line, w.line && w.column].filter(Boolean).join(':')}: `;
  if (w.object) out += `${w.object}: `;
  if (w.field) out += `${w.field}: `;
  return out;
}

/** A problem that does not stop evaluation but changes what a policy means. */
export interface Warning {
  code: string;
  message: string;
  where: Where;
}

export function formatWarning(w: Warning): string {
  return `flatnet: warning: ${formatWhere(w.where)}${w.message}`;
}

export const errors = {
  yamlSyntax: (where: Where, detail: string) =>
    new FlatnetError('YamlSyntax', `YAML syntax error: ${detail}`, where, 'fix the YAML at that line (indentation and `key: value` pairs are the usual cause)'),
  notAnObject: (where: Where) =>
    new FlatnetError('NotAnObject', 'document is not a Kubernetes object (expected a mapping with apiVersion, kind and metadata)', where, 'remove the document or give it apiVersion, kind and metadata'),
  invalidField: (where: Where, detail: string) =>
    new FlatnetError('InvalidField', detail, where, 'the API server would reject this object too; correct the field'),
  duplicateObject: (where: Where, firstAt: string) =>
    new FlatnetError('DuplicateObject', `defined twice (first at ${firstAt})`, where, 'give each object a unique name or remove one copy'),
  duplicatePodIP: (where: Where, ip: string, other: string) =>
    new FlatnetError('DuplicatePodIP', `status.podIP ${ip} is already used by pod ${other}`, where, 'give every pod its own address'),
  unknownPod: (ref: string, known: string) =>
    new FlatnetError('UnknownPod', `no pod ${ref} in the input`, {}, `use NS/POD with one of: ${known}`),
  badEndpoint: (flag: string, value: string) =>
    new FlatnetError('BadEndpoint', `${flag} ${value}: expected NS/POD${flag === '--to' ? ' or an IP address' : ' or an IP address'}`, {}, `write it like ${flag} default/web or ${flag} 10.0.0.1`),
  badPort: (value: string) =>
    new FlatnetError('BadPort', `--port ${value}: expected a port number (1-65535) or a port name`, {}, 'write it like --port 80 or --port http'),
  unknownPortName: (name: string, to: string) =>
    new FlatnetError('UnknownPortName', `--port ${name}: no container of ${to} declares a port named "${name}"`, {}, 'use a number, or a name from the pod\'s spec.containers[].ports[].name'),
  portRequired: (to: string) =>
    new FlatnetError('PortRequired', `--to ${to} is not a pod, so it has no declared ports to probe`, {}, 'add --port NUMBER'),
  badProtocol: (value: string) =>
    new FlatnetError('BadProtocol', `--protocol ${value}: not one of TCP, UDP, SCTP`, {}, 'use --protocol TCP, UDP or SCTP'),
};
