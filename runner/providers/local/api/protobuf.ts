/**
 * @module
 * kubectl 1.32's typed clients send some creates as Kubernetes protobuf (`kubectl create
 * namespace|configmap|service`), and a 415 does not make them retry in JSON. This decodes the
 * `k8s\0` envelope (runtime.Unknown) and the fields of those three kinds into the API's JSON
 * (field numbers from the generated.proto files of k8s.io/api core/v1 and apimachinery meta/v1).
 */
import { ApiError } from './handlers.ts';

type Field = { num: number; wire: number; value: bigint | Uint8Array };

function* fields(buf: Uint8Array): Generator<Field> {
  let i = 0;
  const varint = (): bigint => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      if (i >= buf.length) throw new ApiError(400, 'BadRequest', 'the protobuf body is truncated');
      const b = buf[i++]!;
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const num = key >>> 3;
    const wire = key & 7;
    if (wire === 0) yield { num, wire, value: varint() };
    else if (wire === 2) {
      const len = Number(varint());
      if (i + len > buf.length) throw new ApiError(400, 'BadRequest', 'the protobuf body is truncated');
      yield { num, wire, value: buf.subarray(i, i + len) };
      i += len;
    } else if (wire === 5) i += 4;
    else if (wire === 1) i += 8;
    else throw new ApiError(400, 'BadRequest', `unsupported protobuf wire type ${wire}`);
  }
}

const text = (v: Field['value']) => new TextDecoder().decode(v as Uint8Array);

/** Decodes a message into an object by a table: field number → [json name, reader, repeated?]. */
type Reader = (v: Field['value']) => unknown;
type Schema = Record<number, [string, Reader, ('list' | 'map' | 'inline')?]>;

function message(schema: Schema): Reader {
  return (v) => {
    const out: Record<string, unknown> = {};
    for (const f of fields(v as Uint8Array)) {
      const entry = schema[f.num];
      if (!entry) continue;
      const [name, read, shape] = entry;
      const value = read(f.value);
      if (shape === 'list') ((out[name] ??= []) as unknown[]).push(value);
      else if (shape === 'inline') Object.assign(out, value);
      else if (shape === 'map') {
        const { key, value: val } = value as { key: string; value: unknown };
        (out[name] ??= {} as Record<string, unknown>);
        (out[name] as Record<string, unknown>)[key] = val;
      } else out[name] = value;
    }
    // Proto3 writes empty strings and zero structs; the API's JSON omits them.
    for (const [k, val] of Object.entries(out)) if (val === '' || val === undefined || (typeof val === 'object' && val !== null && !Array.isArray(val) && Object.keys(val).length === 0 && k !== 'data')) delete out[k];
    return out;
  };
}

const str: Reader = text;
const int: Reader = (v) => Number(v as bigint);
/** An int32 with `omitempty`: the wire carries 0, the JSON leaves it out. */
const intOmitEmpty: Reader = (v) => Number(v as bigint) || undefined;
const bool: Reader = (v) => (v as bigint) !== 0n;
const mapEntry = (read: Reader = str) => message({ 1: ['key', str], 2: ['value', read] });
const bytes: Reader = (v) => Buffer.from(v as Uint8Array).toString('base64');

const objectMeta = message({
  1: ['name', str],
  2: ['generateName', str],
  3: ['namespace', str],
  11: ['labels', mapEntry(), 'map'],
  12: ['annotations', mapEntry(), 'map'],
  14: ['finalizers', str, 'list'],
});

const intOrString: Reader = (v) => {
  const o = message({ 1: ['type', int], 2: ['intVal', int], 3: ['strVal', str] })(v) as { type?: number; intVal?: number; strVal?: string };
  return o.type === 1 ? o.strVal : (o.intVal ?? 0);
};

// networking/v1 Ingress (`kubectl create ingress`); IngressRule embeds IngressRuleValue inline.
const ingressBackend = message({
  3: ['resource', message({ 1: ['apiGroup', str], 2: ['kind', str], 3: ['name', str] })],
  4: ['service', message({ 1: ['name', str], 2: ['port', message({ 1: ['name', str], 2: ['number', intOmitEmpty] })] })],
});
const ingressSpec = message({
  1: ['defaultBackend', ingressBackend],
  2: ['tls', message({ 1: ['hosts', str, 'list'], 2: ['secretName', str] }), 'list'],
  3: ['rules', message({ 1: ['host', str], 2: ['', message({ 1: ['http', message({ 1: ['paths', message({ 1: ['path', str], 2: ['backend', ingressBackend], 3: ['pathType', str] }), 'list'] })] }), 'inline'] }), 'list'],
  4: ['ingressClassName', str],
});

const KINDS: Record<string, Reader> = {
  Ingress: message({ 1: ['metadata', objectMeta], 2: ['spec', ingressSpec] }),
  Namespace: message({ 1: ['metadata', objectMeta], 2: ['spec', message({ 1: ['finalizers', str, 'list'] })] }),
  ConfigMap: message({ 1: ['metadata', objectMeta], 2: ['data', mapEntry(), 'map'], 3: ['binaryData', mapEntry(bytes), 'map'], 4: ['immutable', bool] }),
  // Secret (core/v1 generated.proto): data is map<string, bytes>, carried as base64 in JSON.
  Secret: message({ 1: ['metadata', objectMeta], 2: ['data', mapEntry(bytes), 'map'], 3: ['type', str], 4: ['stringData', mapEntry(), 'map'], 5: ['immutable', bool] }),
  Service: message({
    1: ['metadata', objectMeta],
    2: [
      'spec',
      message({
        1: ['ports', message({ 1: ['name', str], 2: ['protocol', str], 3: ['port', int], 4: ['targetPort', intOrString], 5: ['nodePort', int] }), 'list'],
        2: ['selector', mapEntry(), 'map'],
        3: ['clusterIP', str],
        4: ['type', str],
        10: ['externalName', str],
        18: ['clusterIPs', str, 'list'],
      }),
    ],
  }),
};

/** The JSON object a `k8s\0` protobuf body stands for. */
export function decodeProtobuf(raw: Uint8Array): Record<string, unknown> {
  const magic = [0x6b, 0x38, 0x73, 0x00];
  if (raw.length < 4 || magic.some((b, i) => raw[i] !== b)) throw new ApiError(400, 'BadRequest', 'the protobuf body does not start with the k8s envelope');
  const unknown = message({ 1: ['typeMeta', message({ 1: ['apiVersion', str], 2: ['kind', str] })], 2: ['raw', (v) => v] })(raw.subarray(4)) as {
    typeMeta?: { apiVersion?: string; kind?: string };
    raw?: Uint8Array;
  };
  const kind = unknown.typeMeta?.kind ?? '';
  const decode = KINDS[kind];
  if (!decode || !unknown.raw) {
    throw new ApiError(415, 'UnsupportedMediaType', `protobuf bodies are understood for Namespace, ConfigMap, Secret, Service and Ingress, not ${kind || 'this object'} — send JSON (e.g. kubectl apply -f)`);
  }
  return { apiVersion: unknown.typeMeta?.apiVersion ?? 'v1', kind, ...(decode(unknown.raw) as object) };
}
