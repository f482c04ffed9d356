/**
 * @module
 * Admission for Secret, IngressClass and Ingress as kube-apiserver 1.32 does it:
 * pkg/apis/core/validation ValidateSecret (the `kubernetes.io/tls` keys only have to exist — the
 * PEM is not parsed), pkg/apis/networking/validation (Ingress and IngressClass), the
 * DefaultIngressClass admission plugin (on create only), and the registry strategies (Secret
 * stringData merged into data; Ingress status kept as the controller writes it). Errors are
 * worded as field.ErrorList prints them. Secret contents never appear in an error or a log.
 */
import { isIP } from 'node:net';
import { FlatnetError } from '../../../../checkers/errors.ts';
import type { ObjectStore } from '../store/store.ts';
import type { KObject } from '../store/types.ts';
import { ApiError } from './handlers.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** field.Error bodies: `path: Required value[: detail]`, `path: Invalid value: "v": detail`, ... */
export const required = (path: string, detail = '') => `${path}: Required value${detail ? `: ${detail}` : ''}`;
export const invalid = (path: string, value: unknown, detail: string) => `${path}: Invalid value: ${typeof value === 'string' ? JSON.stringify(value) : String(value)}: ${detail}`;
export const notSupported = (path: string, value: string, supported: string[]) => `${path}: Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`;

const CAUSE_REASONS: Record<string, string> = { 'Required value': 'FieldValueRequired', 'Invalid value': 'FieldValueInvalid', 'Unsupported value': 'FieldValueNotSupported', Forbidden: 'FieldValueForbidden', 'Too long': 'FieldValueTooLong' };

/**
 * `Ingress.networking.k8s.io "x" is invalid: e` for one error, `[e1, e2]` for several
 * (utilerrors.Aggregate), with one cause per error: kubectl prints several as a `* ` list.
 */
export function fail(qualifiedKind: string, name: string, errs: string[]): void {
  if (errs.length === 0) return;
  const [kind, ...group] = qualifiedKind.split('.');
  const causes = errs.map((e) => {
    const m = /^(\S+): (Required value|Invalid value|Unsupported value|Forbidden|Too long)(.*)$/.exec(e)!;
    return { reason: CAUSE_REASONS[m[2]!]!, message: `${m[2]}${m[3]}`, field: m[1]! };
  });
  throw new ApiError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`}`, { name, ...(group.length ? { group: group.join('.') } : {}), kind, causes });
}

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const DNS1035_LABEL = '[a-z]([-a-z0-9]*[a-z0-9])?';

function dns1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push('must be no more than 253 characters');
  if (!new RegExp(`^${DNS1123_SUBDOMAIN}$`).test(v)) {
    errs.push(`a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${DNS1123_SUBDOMAIN}')`);
  }
  return errs;
}

function wildcardDNS1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push('must be no more than 253 characters');
  if (!new RegExp(`^\\*\\.${DNS1123_SUBDOMAIN}$`).test(v)) {
    errs.push(`a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.${DNS1123_SUBDOMAIN}')`);
  }
  return errs;
}

function dns1035Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push('must be no more than 63 characters');
  if (!new RegExp(`^${DNS1035_LABEL}$`).test(v)) {
    errs.push(`a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '${DNS1035_LABEL}')`);
  }
  return errs;
}

/** validation.IsValidPortName (IANA_SVC_NAME). */
function portName(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(v)) errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (v.includes('--')) errs.push("must not contain consecutive hyphens");
  if (!/[a-z]/.test(v)) errs.push("must contain at least one letter (a-z)");
  if (v.startsWith('-') || v.endsWith('-')) errs.push("must not begin or end with a hyphen");
  return errs;
}

// ---------------------------------------------------------------- Secret

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Where a value stops being standard padded base64, as Go's encoding/base64 reports it. */
function base64Error(v: string): string | undefined {
  if (BASE64.test(v)) return undefined;
  let i = 0;
  while (i < v.length && /[A-Za-z0-9+/]/.test(v[i]!)) i++;
  return `illegal base64 data at input byte ${v[i] === '=' ? i : Math.min(i, v.length - (v.length % 4 === 0 ? 0 : v.length % 4))}`;
}

export function admitSecret(o: KObject): KObject {
  const name = o.metadata.name;
  const data = (isObj(o.data) ? { ...o.data } : {}) as Record<string, unknown>;
  for (const v of Object.values(data)) {
    const bad = typeof v !== 'string' ? 'illegal base64 data at input byte 0' : base64Error(v);
    // The JSON decoder refuses the body before validation runs (a 400, not a 422).
    if (bad) throw new FlatnetError('BadRequest', `Secret in version "v1" cannot be handled as a Secret: ${bad}`);
  }
  // stringData is write-only: merged over data, then dropped (core/v1 conversion).
  if (isObj(o.stringData)) for (const [k, v] of Object.entries(o.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  delete o.stringData;
  if (Object.keys(data).length) o.data = data;
  else delete o.data;
  o.type = typeof o.type === 'string' && o.type ? o.type : 'Opaque';
  const errs: string[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    if (!CONFIG_KEY.test(k)) errs.push(invalid(`data[${k}]`, k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
    total += Buffer.from(String(v), 'base64').length;
  }
  if (total > 1024 * 1024) errs.push(`data: Too long: may not be more than ${1024 * 1024} bytes`);
  switch (o.type) {
    case 'kubernetes.io/tls':
      if (!('tls.crt' in data)) errs.push(required('data[tls.crt]'));
      if (!('tls.key' in data)) errs.push(required('data[tls.key]'));
      break;
    case 'kubernetes.io/basic-auth':
      if (!('username' in data) && !('password' in data)) errs.push(required('data[username]'));
      break;
    case 'kubernetes.io/ssh-auth':
      if (!('ssh-privatekey' in data)) errs.push(required('data[ssh-privatekey]'));
      break;
    case 'kubernetes.io/dockerconfigjson':
      if (!('.dockerconfigjson' in data)) errs.push(required('data[.dockerconfigjson]'));
      break;
    case 'kubernetes.io/dockercfg':
      if (!('.dockercfg' in data)) errs.push(required('data[.dockercfg]'));
      break;
  }
  fail('Secret', name, errs);
  return o;
}

// ---------------------------------------------------------------- IngressClass

const CONTROLLER = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)\/[^/].*$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function admitIngressClass(o: KObject, store: ObjectStore): KObject {
  const spec = (o.spec ??= {}) as Obj;
  const errs: string[] = [];
  const controller = spec.controller;
  if (typeof controller !== 'string' || controller === '') errs.push(required('spec.controller'));
  else {
    if (controller.length > 250) errs.push(`spec.controller: Too long: may not be more than 250 bytes`);
    if (!CONTROLLER.test(controller)) errs.push(invalid('spec.controller', controller, 'must be a domain-prefixed path (such as "acme.io/foo")'));
    const old = store.get('ingressclasses', undefined, o.metadata.name);
    if (old && (old.spec as Obj | undefined)?.controller !== controller) errs.push(invalid('spec.controller', controller, 'field is immutable'));
  }
  const params = spec.parameters;
  if (isObj(params)) {
    params.scope ??= 'Cluster';
    if (typeof params.kind !== 'string' || !params.kind) errs.push(required('spec.parameters.kind'));
    if (typeof params.name !== 'string' || !params.name) errs.push(required('spec.parameters.name'));
    if (params.scope !== 'Cluster' && params.scope !== 'Namespace') errs.push(notSupported('spec.parameters.scope', String(params.scope), ['Cluster', 'Namespace']));
    if (params.scope === 'Cluster' && params.namespace !== undefined) errs.push(`spec.parameters.namespace: Forbidden: \`parameters.scope\` is set to 'Cluster'`);
    if (params.scope === 'Namespace' && !params.namespace) errs.push(required('spec.parameters.namespace', "`parameters.scope` is set to 'Namespace'"));
  }
  fail('IngressClass.networking.k8s.io', o.metadata.name, errs);
  return o;
}

// ---------------------------------------------------------------- Ingress

const DEFAULT_CLASS = 'ingressclass.kubernetes.io/is-default-class';
const LEGACY_CLASS = 'kubernetes.io/ingress.class';

function validateHost(path: string, host: string): string[] {
  const errs: string[] = [];
  if (isIP(host)) errs.push(invalid(path, host, 'must be a DNS name, not an IP address'));
  for (const m of host.includes('*') ? wildcardDNS1123Subdomain(host) : dns1123Subdomain(host)) errs.push(invalid(path, host, m));
  return errs;
}

function validateBackend(path: string, b: unknown): string[] {
  const backend = isObj(b) ? b : {};
  const service = backend.service;
  const resource = backend.resource;
  if (service !== undefined && resource !== undefined) return [invalid(path, '', 'cannot set both resource and service backends')];
  if (isObj(resource)) {
    const errs: string[] = [];
    if (!resource.kind) errs.push(required(`${path}.resource.kind`));
    if (!resource.name) errs.push(required(`${path}.resource.name`));
    return errs;
  }
  if (!isObj(service)) return [invalid(path, '', 'resource or service backend is required')];
  const errs: string[] = [];
  const name = typeof service.name === 'string' ? service.name : '';
  if (!name) errs.push(required(`${path}.service.name`));
  else for (const m of dns1035Label(name)) errs.push(invalid(`${path}.service.name`, name, m));
  const port = isObj(service.port) ? service.port : {};
  const pname = typeof port.name === 'string' ? port.name : '';
  const pnum = typeof port.number === 'number' ? port.number : 0;
  if (pname && pnum) errs.push(invalid(path, '', 'cannot set both port name & port number'));
  else if (pname) for (const m of portName(pname)) errs.push(invalid(`${path}.service.port.name`, pname, m));
  else if (pnum) {
    if (!Number.isInteger(pnum) || pnum < 1 || pnum > 65535) errs.push(invalid(`${path}.service.port.number`, pnum, 'must be between 1 and 65535, inclusive'));
  } else errs.push(required(path, 'port name or number is required'));
  return errs;
}

const BAD_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const BAD_SUFFIXES = ['/..', '/.'];

function validatePath(at: string, p: Obj): string[] {
  const errs: string[] = [];
  const path = typeof p.path === 'string' ? p.path : '';
  const type = p.pathType;
  if (type === undefined || type === null) errs.push(required(`${at}.pathType`, 'pathType must be specified'));
  else if (type === 'Exact' || type === 'Prefix') {
    if (!path.startsWith('/')) errs.push(invalid(`${at}.path`, path, 'must be an absolute path'));
    if (path) {
      for (const s of BAD_SEQUENCES) if (path.includes(s)) errs.push(invalid(`${at}.path`, path, `must not contain '${s}'`));
      for (const s of BAD_SUFFIXES) if (path.endsWith(s)) errs.push(invalid(`${at}.path`, path, `cannot end with '${s}'`));
    }
  } else if (type === 'ImplementationSpecific') {
    if (path && !path.startsWith('/')) errs.push(invalid(`${at}.path`, path, 'must be an absolute path'));
  } else errs.push(notSupported(`${at}.pathType`, String(type), ['Exact', 'ImplementationSpecific', 'Prefix']));
  errs.push(...validateBackend(`${at}.backend`, p.backend));
  return errs;
}

export function validateIngress(o: KObject): string[] {
  const spec = (o.spec ?? {}) as Obj;
  const errs: string[] = [];
  const rules = Array.isArray(spec.rules) ? (spec.rules as unknown[]) : [];
  if (rules.length === 0 && spec.defaultBackend === undefined) errs.push(invalid('spec', '[]networking.IngressRule(nil)', 'either `defaultBackend` or `rules` must be specified').replace('"[]networking.IngressRule(nil)"', '[]networking.IngressRule(nil)'));
  if (spec.defaultBackend !== undefined) errs.push(...validateBackend('spec.defaultBackend', spec.defaultBackend));
  rules.forEach((r, i) => {
    const rule = isObj(r) ? r : {};
    const at = `spec.rules[${i}]`;
    if (typeof rule.host === 'string' && rule.host) errs.push(...validateHost(`${at}.host`, rule.host));
    if (rule.http !== undefined) {
      const paths = isObj(rule.http) && Array.isArray(rule.http.paths) ? (rule.http.paths as unknown[]) : [];
      if (paths.length === 0) errs.push(required(`${at}.http.paths`));
      paths.forEach((p, j) => errs.push(...validatePath(`${at}.http.paths[${j}]`, isObj(p) ? p : {})));
    }
  });
  const tls = Array.isArray(spec.tls) ? (spec.tls as unknown[]) : [];
  tls.forEach((t, i) => {
    const entry = isObj(t) ? t : {};
    const hosts = Array.isArray(entry.hosts) ? (entry.hosts as unknown[]) : [];
    hosts.forEach((h, j) => errs.push(...validateHost(`spec.tls[${i}].hosts[${j}]`, String(h))));
    const secret = entry.secretName;
    if (typeof secret === 'string' && secret) for (const m of dns1123Subdomain(secret)) errs.push(invalid(`spec.tls[${i}].secretName`, secret, m));
  });
  const cls = spec.ingressClassName;
  if (typeof cls === 'string') for (const m of dns1123Subdomain(cls)) errs.push(invalid('spec.ingressClassName', cls, m));
  const legacy = o.metadata.annotations?.[LEGACY_CLASS];
  if (legacy !== undefined && typeof cls === 'string' && legacy !== cls) errs.push(invalid(`metadata.annotations.${LEGACY_CLASS}`, legacy, 'must match `ingressClassName` when both are specified'));
  const lb = isObj(o.status) && isObj(o.status.loadBalancer) && Array.isArray(o.status.loadBalancer.ingress) ? (o.status.loadBalancer.ingress as unknown[]) : [];
  lb.forEach((e, i) => {
    const entry = isObj(e) ? e : {};
    if (typeof entry.ip === 'string' && entry.ip && !isIP(entry.ip)) errs.push(invalid(`status.loadBalancer.ingress[${i}].ip`, entry.ip, 'must be a valid IP address'));
    if (typeof entry.hostname === 'string' && entry.hostname) {
      if (isIP(entry.hostname)) errs.push(invalid(`status.loadBalancer.ingress[${i}].hostname`, entry.hostname, 'must be a DNS name, not an IP address'));
      else for (const m of dns1123Subdomain(entry.hostname)) errs.push(invalid(`status.loadBalancer.ingress[${i}].hostname`, entry.hostname, m));
    }
  });
  return errs;
}

export function admitIngress(o: KObject, store: ObjectStore): KObject {
  const spec = (o.spec ??= {}) as Obj;
  const creating = !store.get('ingresses', o.metadata.namespace, o.metadata.name);
  // DefaultIngressClass: a mutating plugin on create only, before validation.
  if (creating && spec.ingressClassName === undefined && o.metadata.annotations?.[LEGACY_CLASS] === undefined) {
    const defaults = store.list('ingressclasses').filter((c) => c.metadata.annotations?.[DEFAULT_CLASS] === 'true');
    if (defaults.length > 1) {
      throw new FlatnetError('Forbidden', `ingresses.networking.k8s.io "${o.metadata.name}" is forbidden: Internal error occurred: ${defaults.length} default IngressClasses were found, only 1 allowed`);
    }
    if (defaults.length === 1) spec.ingressClassName = defaults[0]!.metadata.name;
  }
  fail('Ingress.networking.k8s.io', o.metadata.name, validateIngress(o));
  // The status subresource is the controller's: a write to the object keeps what it wrote.
  // A create starts with an empty status (PrepareForCreate).
  const old = creating ? undefined : store.get('ingresses', o.metadata.namespace, o.metadata.name);
  const lb = (old?.status as Obj | undefined)?.loadBalancer;
  o.status = { loadBalancer: isObj(lb) ? lb : {} };
  return o;
}
