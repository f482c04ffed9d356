/**
 * @module
 * Admission for the Gateway API (gateway.networking.k8s.io/v1 GatewayClass, Gateway, HTTPRoute)
 * as a cluster with its standard-channel CRDs does it: the CRDs' defaults (allowedRoutes from
 * Same, tls mode Terminate, a rule matching PathPrefix /, backendRef weight 1, the "Waiting for
 * controller" status) and their schema and CEL rules for the fields a learner writes, worded
 * as apiextensions-apiserver words them. What a controller decides (protocols it serves, a
 * missing Secret or Service) is not refused here: it shows in status, as on a real cluster.
 */
import type { ObjectStore } from '../store/store.ts';
import type { KObject, Resource } from '../store/types.ts';
import { fail, invalid, notSupported, required } from './networking.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

const GROUP = 'gateway.networking.k8s.io';
const HOSTNAME = '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const SECTION_NAME = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const CONTROLLER_NAME = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\/[A-Za-z0-9\\/\\-._~%!$&'()*+,;=:]+$";
const PROTOCOL = '^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\/[A-Za-z0-9]+$';
const PATH_CHARS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$/;
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];

/** OpenAPI schema errors, as `<path> in body should ...`. */
const pattern = (path: string, v: unknown, re: string, errs: string[]) => {
  if (typeof v === 'string' && !new RegExp(re).test(v)) errs.push(invalid(path, v, `${path} in body should match '${re}'`));
};
const range = (path: string, v: unknown, min: number, max: number, errs: string[]) => {
  if (typeof v !== 'number') return;
  if (v < min) errs.push(invalid(path, v, `${path} in body should be greater than or equal to ${min}`));
  if (v > max) errs.push(invalid(path, v, `${path} in body should be less than or equal to ${max}`));
};
const requiredString = (path: string, v: unknown, errs: string[]) => {
  if (typeof v !== 'string' || v === '') errs.push(required(path));
};

/** The CRDs' status default: what `kubectl get` shows until the controller has looked. */
const pending = (...types: string[]) => ({ conditions: types.map((type) => ({ type, status: 'Unknown', reason: 'Pending', message: 'Waiting for controller', lastTransitionTime: '1970-01-01T00:00:00Z' })) });

/** The status subresource belongs to the controller: a write to the object keeps it; a create starts from the default. */
function keepStatus(o: KObject, store: ObjectStore, resource: Resource, initial: Obj | undefined): void {
  const old = store.get(resource, o.metadata.namespace, o.metadata.name);
  if (old?.status !== undefined) o.status = old.status;
  else if (initial) o.status = initial;
  else delete o.status;
}

export function admitGatewayClass(o: KObject, store: ObjectStore): KObject {
  const spec = (o.spec ??= {}) as Obj;
  const errs: string[] = [];
  requiredString('spec.controllerName', spec.controllerName, errs);
  pattern('spec.controllerName', spec.controllerName, CONTROLLER_NAME, errs);
  const old = store.get('gatewayclasses', undefined, o.metadata.name);
  if (old && (old.spec as Obj | undefined)?.controllerName !== spec.controllerName) errs.push(invalid('spec.controllerName', 'string', 'Value is immutable'));
  fail(`GatewayClass.${GROUP}`, o.metadata.name, errs);
  keepStatus(o, store, 'gatewayclasses', pending('Accepted'));
  return o;
}

export function validateGateway(o: KObject): string[] {
  const spec = (o.spec ?? {}) as Obj;
  const errs: string[] = [];
  requiredString('spec.gatewayClassName', spec.gatewayClassName, errs);
  const listeners = list(spec.listeners);
  if (spec.listeners === undefined) errs.push(required('spec.listeners'));
  else if (listeners.length === 0) errs.push(invalid('spec.listeners', listeners.length, 'spec.listeners in body should have at least 1 items'));
  listeners.forEach((raw, i) => {
    const l = isObj(raw) ? raw : {};
    const at = `spec.listeners[${i}]`;
    requiredString(`${at}.name`, l.name, errs);
    pattern(`${at}.name`, l.name, SECTION_NAME, errs);
    if (l.port === undefined) errs.push(required(`${at}.port`));
    range(`${at}.port`, l.port, 1, 65535, errs);
    requiredString(`${at}.protocol`, l.protocol, errs);
    pattern(`${at}.protocol`, l.protocol, PROTOCOL, errs);
    pattern(`${at}.hostname`, l.hostname, HOSTNAME, errs);
    const tls = l.tls;
    if (isObj(tls)) {
      if (tls.mode !== undefined && tls.mode !== 'Terminate' && tls.mode !== 'Passthrough') errs.push(notSupported(`${at}.tls.mode`, String(tls.mode), ['Terminate', 'Passthrough']));
      if (tls.mode === 'Terminate' && list(tls.certificateRefs).length === 0 && !isObj(tls.options)) errs.push(invalid(`${at}.tls`, 'object', 'certificateRefs or options must be specified when mode is Terminate'));
      list(tls.certificateRefs).forEach((r, j) => requiredString(`${at}.tls.certificateRefs[${j}].name`, isObj(r) ? r.name : undefined, errs));
    }
    const from = isObj(l.allowedRoutes) && isObj(l.allowedRoutes.namespaces) ? l.allowedRoutes.namespaces.from : undefined;
    if (from !== undefined && !['All', 'Selector', 'Same', 'None'].includes(String(from))) errs.push(notSupported(`${at}.allowedRoutes.namespaces.from`, String(from), ['All', 'Selector', 'Same', 'None']));
  });
  // The CRD's CEL rules on the whole list report the list, as "array".
  const ls = listeners.filter(isObj);
  if (ls.some((l) => ['HTTP', 'TCP', 'UDP'].includes(String(l.protocol)) && l.tls !== undefined)) errs.push(invalid('spec.listeners', 'array', "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']"));
  if (ls.some((l) => l.protocol === 'HTTPS' && isObj(l.tls) && l.tls.mode !== undefined && l.tls.mode !== '' && l.tls.mode !== 'Terminate')) errs.push(invalid('spec.listeners', 'array', 'tls mode must be Terminate for protocol HTTPS'));
  if (new Set(ls.map((l) => l.name)).size !== ls.length) errs.push(invalid('spec.listeners', 'array', 'Listener name must be unique within the Gateway'));
  if (new Set(ls.map((l) => `${String(l.port)} ${String(l.protocol)} ${String(l.hostname ?? '')}`)).size !== ls.length) errs.push(invalid('spec.listeners', 'array', 'Combination of port, protocol and hostname must be unique for each listener'));
  return errs;
}

export function admitGateway(o: KObject, store: ObjectStore): KObject {
  fail(`Gateway.${GROUP}`, o.metadata.name, validateGateway(o));
  for (const l of list((o.spec as Obj).listeners).filter(isObj)) {
    const routes = (l.allowedRoutes = isObj(l.allowedRoutes) ? l.allowedRoutes : {});
    routes.namespaces = { from: 'Same', ...(isObj(routes.namespaces) ? routes.namespaces : {}) };
    if (isObj(l.tls)) {
      l.tls.mode ??= 'Terminate';
      for (const r of list(l.tls.certificateRefs).filter(isObj)) {
        r.group ??= '';
        r.kind ??= 'Secret';
      }
    }
  }
  keepStatus(o, store, 'gateways', pending('Accepted', 'Programmed'));
  return o;
}

export function validateHTTPRoute(o: KObject): string[] {
  const spec = (o.spec ?? {}) as Obj;
  const errs: string[] = [];
  list(spec.parentRefs).forEach((raw, i) => {
    const r = isObj(raw) ? raw : {};
    requiredString(`spec.parentRefs[${i}].name`, r.name, errs);
    range(`spec.parentRefs[${i}].port`, r.port, 1, 65535, errs);
  });
  list(spec.hostnames).forEach((h, i) => pattern(`spec.hostnames[${i}]`, h, HOSTNAME, errs));
  list(spec.rules).forEach((raw, i) => {
    const rule = isObj(raw) ? raw : {};
    list(rule.matches).forEach((mraw, j) => {
      const m = isObj(mraw) ? mraw : {};
      const at = `spec.rules[${i}].matches[${j}]`;
      const path = isObj(m.path) ? m.path : undefined;
      if (path) {
        const type = path.type ?? 'PathPrefix';
        const value = typeof path.value === 'string' ? path.value : '/';
        if (!['Exact', 'PathPrefix', 'RegularExpression'].includes(String(type))) errs.push(notSupported(`${at}.path.type`, String(type), ['Exact', 'PathPrefix', 'RegularExpression']));
        else if (type !== 'RegularExpression') {
          const cel = (msg: string) => errs.push(invalid(`${at}.path`, 'object', `${msg} when type one of ['Exact', 'PathPrefix']`));
          if (!value.startsWith('/')) errs.push(invalid(`${at}.path`, 'object', "value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']"));
          for (const bad of ['//', '/./', '/../', '%2f', '%2F', '#']) if (value.includes(bad)) cel(`must not contain '${bad}'`);
          for (const end of ['/..', '/.']) if (value.endsWith(end)) cel(`must not end with '${end}'`);
          if (!PATH_CHARS.test(value)) errs.push(invalid(`${at}.path`, 'object', "must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for types ['Exact', 'PathPrefix']"));
        }
      }
      list(m.headers).forEach((hraw, k) => {
        const h = isObj(hraw) ? hraw : {};
        requiredString(`${at}.headers[${k}].name`, h.name, errs);
        requiredString(`${at}.headers[${k}].value`, h.value, errs);
        if (h.type !== undefined && h.type !== 'Exact' && h.type !== 'RegularExpression') errs.push(notSupported(`${at}.headers[${k}].type`, String(h.type), ['Exact', 'RegularExpression']));
      });
      if (m.method !== undefined && !METHODS.includes(String(m.method))) errs.push(notSupported(`${at}.method`, String(m.method), METHODS));
    });
    list(rule.backendRefs).forEach((braw, j) => {
      const b = isObj(braw) ? braw : {};
      const at = `spec.rules[${i}].backendRefs[${j}]`;
      requiredString(`${at}.name`, b.name, errs);
      if ((b.group ?? '') === '' && (b.kind ?? 'Service') === 'Service' && b.port === undefined) errs.push(invalid(at, 'object', 'Must have port for Service reference'));
      range(`${at}.port`, b.port, 1, 65535, errs);
      range(`${at}.weight`, b.weight, 0, 1000000, errs);
    });
  });
  return errs;
}

export function admitHTTPRoute(o: KObject, store: ObjectStore): KObject {
  fail(`HTTPRoute.${GROUP}`, o.metadata.name, validateHTTPRoute(o));
  const spec = (o.spec ??= {}) as Obj;
  for (const r of list(spec.parentRefs).filter(isObj)) {
    r.group ??= GROUP;
    r.kind ??= 'Gateway';
  }
  if (!Array.isArray(spec.rules) || spec.rules.length === 0) spec.rules = [{}];
  for (const rule of (spec.rules as unknown[]).filter(isObj)) {
    if (!Array.isArray(rule.matches) || rule.matches.length === 0) rule.matches = [{ path: { type: 'PathPrefix', value: '/' } }];
    for (const m of (rule.matches as unknown[]).filter(isObj)) {
      m.path = { type: 'PathPrefix', value: '/', ...(isObj(m.path) ? m.path : {}) };
      for (const h of list(m.headers).filter(isObj)) h.type ??= 'Exact';
    }
    for (const b of list(rule.backendRefs).filter(isObj)) {
      b.group ??= '';
      b.kind ??= 'Service';
      b.weight ??= 1;
    }
  }
  keepStatus(o, store, 'httproutes', undefined);
  return o;
}
