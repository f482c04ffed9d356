/**
 * @module
 * The Gateway API side of the ingress controller: which HTTPRoutes attach to which listeners of
 * the Gateways of class `flatnet`, and from that both the rules the proxy serves (merged into
 * the IngressTable, routes.ts) and the conditions the controller reports in status — one
 * analysis, so what `kubectl get` says and what the proxy does cannot disagree. The rules
 * followed are the ones in apis/v1 of kubernetes-sigs/gateway-api (docs/research/gateway-api.md):
 * parentRefs with sectionName/port, allowedRoutes (Same namespace by default), hostname
 * intersection of listener and route, weighted backendRefs, certificateRefs of HTTPS listeners.
 * No Node imports, as routes.ts.
 */
import { compileSelector } from '../engine/selector.ts';
import { decode, serviceBackend, type Backend, type Certificate, type GatewayRule, type IngressWorld, type Obj } from './routes.ts';

export const GATEWAY_CLASS = 'flatnet';
export const GATEWAY_CONTROLLER = 'flatnet.dev/gateway-controller';
export const GATEWAY_GROUP = 'gateway.networking.k8s.io';
/** The controller Service's ports: a listener can only be served on these. */
export const LISTENER_PORTS = { HTTP: 80, HTTPS: 443 } as const;

export interface GatewayWorld extends Pick<IngressWorld, 'services' | 'endpoints' | 'secrets'> {
  gatewayClasses: Obj[];
  gateways: Obj[];
  httpRoutes: Obj[];
  namespaces: Obj[];
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

export interface ListenerState {
  name: string;
  /** Accepted, Programmed and ResolvedRefs, in that order. */
  conditions: Condition[];
  attachedRoutes: number;
  /** Routes may attach and traffic is served. */
  ok: boolean;
}

export interface GatewayState {
  /** `namespace/name`. */
  key: string;
  listeners: ListenerState[];
}

export interface ParentState {
  /** The parentRef as the route wrote it. */
  parentRef: Record<string, unknown>;
  /** Accepted, then ResolvedRefs. */
  conditions: Condition[];
}

export interface GatewayAnalysis {
  rules: GatewayRule[];
  certificates: Certificate[];
  /** Names of the GatewayClasses this controller handles. */
  classes: string[];
  /** Gateways of those classes, by `namespace/name`. */
  gateways: Map<string, GatewayState>;
  /** HTTPRoutes by `namespace/name`: one entry per parentRef this controller answers for. */
  routes: Map<string, ParentState[]>;
}

interface Listener {
  name: string;
  hostname?: string;
  port: number;
  protocol: string;
  tls?: { mode?: string; certificateRefs?: { group?: string; kind?: string; name: string; namespace?: string }[] };
  allowedRoutes?: { namespaces?: { from?: string; selector?: Parameters<typeof compileSelector>[0] }; kinds?: { group?: string; kind: string }[] };
}
interface ParentRef {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  sectionName?: string;
  port?: number;
}
interface BackendRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
  weight?: number;
  filters?: unknown[];
}
interface RouteMatch {
  path?: { type?: string; value?: string };
  headers?: { type?: string; name: string; value: string }[];
  queryParams?: unknown[];
  method?: string;
}
interface RouteRule {
  matches?: RouteMatch[];
  filters?: unknown[];
  backendRefs?: BackendRef[];
}

const cond = (type: string, ok: boolean, reason: string, message: string): Condition => ({ type, status: ok ? 'True' : 'False', reason, message });
const nsOf = (o: Obj) => o.metadata.namespace ?? 'default';
const keyOf = (o: Obj) => `${nsOf(o)}/${o.metadata.name}`;
const age = (o: Obj) => `${o.metadata.creationTimestamp ?? ''} ${keyOf(o)}`;

/**
 * The hostnames a route serves on a listener (apis/v1/httproute_types.go, Hostnames): the route's
 * names that fall under the listener's, a listener name under a route wildcard, or either side
 * alone when the other names none. `undefined`: no intersection, the route cannot attach there.
 */
export function intersectHostnames(listener: string | undefined, route: string[]): string[] | undefined {
  if (!listener) return route;
  if (route.length === 0) return [listener];
  const covers = (wild: string, name: string) => wild.startsWith('*.') && name.endsWith(wild.slice(1)) && name.length > wild.length - 1;
  const out = new Set<string>();
  for (const r of route) {
    if (r === listener || covers(listener, r)) out.add(r);
    else if (covers(r, listener)) out.add(listener);
  }
  return out.size ? [...out] : undefined;
}

function analyseListener(world: GatewayWorld, gw: Obj, l: Listener): { state: ListenerState; certificate?: Certificate } {
  const ns = nsOf(gw);
  const kinds = l.allowedRoutes?.kinds ?? [];
  const badKinds = kinds.filter((k) => (k.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || k.kind !== 'HTTPRoute');
  let accepted = cond('Accepted', true, 'Accepted', 'Listener is accepted');
  let resolved = cond('ResolvedRefs', true, 'ResolvedRefs', 'All references are resolved');
  let certificate: Certificate | undefined;
  if (l.protocol !== 'HTTP' && l.protocol !== 'HTTPS') {
    accepted = cond('Accepted', false, 'UnsupportedProtocol', `protocol ${l.protocol} is not supported by ${GATEWAY_CONTROLLER}: HTTP and HTTPS only`);
  } else if (l.port !== LISTENER_PORTS[l.protocol]) {
    accepted = cond('Accepted', false, 'PortUnavailable', `the controller serves ${l.protocol} on port ${LISTENER_PORTS[l.protocol]} only (its Service's port), not ${l.port}`);
  }
  if (badKinds.length) {
    resolved = cond('ResolvedRefs', false, 'InvalidRouteKinds', `only HTTPRoute is supported, not ${badKinds.map((k) => k.kind).join(', ')}`);
  } else if (l.protocol === 'HTTPS') {
    const ref = l.tls?.certificateRefs?.[0];
    if (!ref) resolved = cond('ResolvedRefs', false, 'InvalidCertificateRef', 'an HTTPS listener needs tls.certificateRefs naming a kubernetes.io/tls Secret');
    else if ((ref.group ?? '') !== '' || (ref.kind ?? 'Secret') !== 'Secret') resolved = cond('ResolvedRefs', false, 'InvalidCertificateRef', `certificateRef ${ref.kind}/${ref.name} is not a Secret`);
    else if ((ref.namespace ?? ns) !== ns) resolved = cond('ResolvedRefs', false, 'RefNotPermitted', `Secret ${ref.namespace}/${ref.name} is in another namespace, and ReferenceGrants are not implemented here`);
    else {
      const secret = world.secrets.find((s) => nsOf(s) === ns && s.metadata.name === ref.name);
      const data = (secret?.data ?? {}) as Record<string, string>;
      if (!data['tls.crt'] || !data['tls.key']) resolved = cond('ResolvedRefs', false, 'InvalidCertificateRef', `Secret ${ns}/${ref.name} ${secret ? 'has no tls.crt and tls.key' : 'does not exist'}`);
      else certificate = { hosts: l.hostname ? [l.hostname] : [], cert: decode(data['tls.crt']), key: decode(data['tls.key']), secret: `${ns}/${ref.name}` };
    }
  }
  const ok = accepted.status === 'True' && resolved.status === 'True';
  const programmed = cond('Programmed', ok, ok ? 'Programmed' : 'Invalid', ok ? 'Listener is programmed' : 'Listener is not valid: see Accepted and ResolvedRefs');
  return { state: { name: l.name, conditions: [accepted, programmed, resolved], attachedRoutes: 0, ok }, ...(ok && certificate ? { certificate } : {}) };
}

/** Whether a listener lets a route from `routeNs` attach (allowedRoutes.namespaces, default Same). */
function allows(world: GatewayWorld, gw: Obj, l: Listener, routeNs: string): boolean {
  const from = l.allowedRoutes?.namespaces?.from ?? 'Same';
  if (from === 'All') return true;
  if (from === 'Same') return routeNs === nsOf(gw);
  if (from === 'Selector') {
    const sel = l.allowedRoutes?.namespaces?.selector;
    const ns = world.namespaces.find((n) => n.metadata.name === routeNs);
    return !!sel && !!ns && compileSelector(sel)(ns.metadata.labels ?? {});
  }
  return false;
}

/** What a route asks for that this controller does not implement; such a route is not accepted (UnsupportedValue). */
function unsupported(rules: RouteRule[]): string | undefined {
  for (const [i, r] of rules.entries()) {
    if (r.filters?.length || r.backendRefs?.some((b) => b.filters?.length)) return `rules[${i}]: filters are not implemented by ${GATEWAY_CONTROLLER}`;
    for (const [j, m] of (r.matches ?? []).entries()) {
      const type = m.path?.type ?? 'PathPrefix';
      if (type !== 'PathPrefix' && type !== 'Exact') return `rules[${i}].matches[${j}].path.type: ${type} is not supported (Exact and PathPrefix are)`;
      if (m.queryParams?.length) return `rules[${i}].matches[${j}].queryParams: query parameter matches are not implemented`;
      const h = m.headers?.find((x) => (x.type ?? 'Exact') !== 'Exact');
      if (h) return `rules[${i}].matches[${j}].headers: ${h.type} header matches are not supported (Exact is)`;
    }
  }
  return undefined;
}

/** A rule's backendRefs as one backend (weighted when several), and what could not be resolved. */
function ruleBackend(world: GatewayWorld, route: Obj, i: number, refs: BackendRef[]): { backend: Backend; problems: Condition[] } {
  const ns = nsOf(route);
  const problems: Condition[] = [];
  const parts: { backend: Backend; weight: number }[] = [];
  for (const ref of refs) {
    const weight = ref.weight ?? 1;
    let b: Backend;
    if ((ref.group ?? '') !== '' || (ref.kind ?? 'Service') !== 'Service') {
      problems.push(cond('ResolvedRefs', false, 'InvalidKind', `backendRef ${ref.kind}/${ref.name}: only Services are supported`));
      b = { name: `${ns}/${ref.name}`, endpoints: [], invalid: 'InvalidKind' };
    } else if ((ref.namespace ?? ns) !== ns) {
      problems.push(cond('ResolvedRefs', false, 'RefNotPermitted', `backendRef ${ref.namespace}/${ref.name} is in another namespace, and ReferenceGrants are not implemented here`));
      b = { name: `${ref.namespace}/${ref.name}:${ref.port ?? ''}`, endpoints: [], invalid: 'RefNotPermitted' };
    } else if (!world.services.some((s) => nsOf(s) === ns && s.metadata.name === ref.name)) {
      problems.push(cond('ResolvedRefs', false, 'BackendNotFound', `Service ${ns}/${ref.name} not found`));
      b = { name: `${ns}/${ref.name}:${ref.port ?? ''}`, endpoints: [], invalid: 'BackendNotFound' };
    } else b = serviceBackend(world, ns, ref.name, { number: ref.port });
    if (weight > 0) parts.push({ backend: b, weight });
  }
  const name = `${keyOf(route)} rules[${i}]`;
  // No backendRefs, or all of weight 0: the Gateway API answers such requests with 500.
  if (parts.length === 0) return { backend: { name, endpoints: [], invalid: 'NoBackends' }, problems };
  if (parts.length === 1) return { backend: parts[0]!.backend, problems };
  return { backend: { name, endpoints: [], split: parts }, problems };
}

export function analyseGateways(world: GatewayWorld): GatewayAnalysis {
  const classes = world.gatewayClasses.filter((c) => c.spec?.controllerName === GATEWAY_CONTROLLER).map((c) => c.metadata.name);
  const gateways = new Map<string, GatewayState>();
  const listeners = new Map<string, { gw: Obj; list: Listener[] }>();
  const certificates: Certificate[] = [];
  for (const gw of [...world.gateways].sort((a, b) => age(a).localeCompare(age(b)))) {
    if (!classes.includes(String(gw.spec?.gatewayClassName ?? ''))) continue;
    const list = (gw.spec?.listeners ?? []) as Listener[];
    const states = list.map((l) => analyseListener(world, gw, l));
    for (const s of states) if (s.certificate) certificates.push(s.certificate);
    gateways.set(keyOf(gw), { key: keyOf(gw), listeners: states.map((s) => s.state) });
    listeners.set(keyOf(gw), { gw, list });
  }
  const rules: GatewayRule[] = [];
  const routes = new Map<string, ParentState[]>();
  let order = 0;
  for (const route of [...world.httpRoutes].sort((a, b) => age(a).localeCompare(age(b)))) {
    const ns = nsOf(route);
    const spec = (route.spec ?? {}) as { parentRefs?: ParentRef[]; hostnames?: string[]; rules?: RouteRule[] };
    const routeRules = spec.rules?.length ? spec.rules : [{}];
    const notImplemented = unsupported(routeRules);
    const backends = routeRules.map((r, i) => ruleBackend(world, route, i, r.backendRefs ?? []));
    const problem = backends.flatMap((b) => b.problems)[0];
    const resolved = problem ?? cond('ResolvedRefs', true, 'ResolvedRefs', 'All references are resolved');
    const parents: ParentState[] = [];
    for (const ref of spec.parentRefs ?? []) {
      if ((ref.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (ref.kind ?? 'Gateway') !== 'Gateway') continue;
      const gwKey = `${ref.namespace ?? ns}/${ref.name}`;
      const report = (accepted: Condition) => parents.push({ parentRef: { ...ref }, conditions: [accepted, resolved] });
      const found = world.gateways.find((g) => keyOf(g) === gwKey);
      const own = listeners.get(gwKey);
      // Other controllers' Gateways are theirs to report on; flatnet's is the only one on this
      // cluster, so it says why a route goes nowhere rather than leave the status empty.
      if (!found) {
        report(cond('Accepted', false, 'NoMatchingParent', `Gateway ${gwKey} not found`));
        continue;
      }
      if (!own) {
        report(cond('Accepted', false, 'NoMatchingParent', `Gateway ${gwKey} is of class ${String(found.spec?.gatewayClassName)}, which ${GATEWAY_CONTROLLER} does not implement`));
        continue;
      }
      if (notImplemented) {
        report(cond('Accepted', false, 'UnsupportedValue', notImplemented));
        continue;
      }
      const state = gateways.get(gwKey)!;
      const selected = own.list.map((l, i) => ({ l, s: state.listeners[i]! })).filter(({ l }) => (ref.sectionName === undefined || l.name === ref.sectionName) && (ref.port === undefined || l.port === ref.port));
      if (selected.length === 0) {
        report(cond('Accepted', false, 'NoMatchingParent', `Gateway ${gwKey} has no listener${ref.sectionName ? ` named ${ref.sectionName}` : ''}${ref.port ? ` on port ${ref.port}` : ''}`));
        continue;
      }
      const allowed = selected.filter(({ l }) => allows(world, own.gw, l, ns) && (l.allowedRoutes?.kinds ?? [{ kind: 'HTTPRoute' }]).some((k) => k.kind === 'HTTPRoute'));
      if (allowed.length === 0) {
        report(cond('Accepted', false, 'NotAllowedByListeners', `no listener of Gateway ${gwKey} allows routes from namespace ${ns}`));
        continue;
      }
      const attached = allowed.map((x) => ({ ...x, hostnames: intersectHostnames(x.l.hostname, spec.hostnames ?? []) })).filter((x) => x.hostnames !== undefined);
      if (attached.length === 0) {
        report(cond('Accepted', false, 'NoMatchingListenerHostname', `no listener of Gateway ${gwKey} has a hostname that matches the route's hostnames`));
        continue;
      }
      const serving = attached.filter((x) => x.s.ok);
      for (const x of attached) x.s.attachedRoutes++;
      if (serving.length === 0) {
        report(cond('Accepted', false, 'NoMatchingParent', `the matching listeners of Gateway ${gwKey} (${attached.map((x) => x.l.name).join(', ')}) are not programmed`));
        continue;
      }
      report(cond('Accepted', true, 'Accepted', 'Route is accepted'));
      for (const x of serving) {
        routeRules.forEach((r, i) => {
          for (const m of r.matches?.length ? r.matches : [{}]) {
            rules.push({
              hostnames: x.hostnames!,
              scheme: x.l.protocol === 'HTTPS' ? 'https' : 'http',
              path: m.path?.value ?? '/',
              pathType: m.path?.type === 'Exact' ? 'Exact' : 'Prefix',
              ...(m.method ? { method: m.method } : {}),
              ...(m.headers?.length ? { headers: m.headers.map((h) => ({ name: h.name, value: h.value })) } : {}),
              backend: backends[i]!.backend,
              route: keyOf(route),
              order: order++,
            });
          }
        });
      }
    }
    if (parents.length) routes.set(keyOf(route), parents);
  }
  return { rules, certificates, classes, gateways, routes };
}
