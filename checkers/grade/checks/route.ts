/**
 * @module
 * `route`: a request from outside the cluster, through the ingress controller. Static mode
 * follows it as the controller would: the Ingress rules pick a backend (checkers/ingress/
 * routes.ts, the table the local controller serves), HTTPS needs a TLS Secret whose Ingress
 * names the host, the backend Service needs pods serving its target port, and the policies
 * must let the controller's pod reach them — it proxies to pods, so a NetworkPolicy on a
 * backend sees the controller's pod, not the outside client.
 */
import type { PodInfo } from '../../engine/index.ts';
import { INGRESS_NAMESPACE, INGRESS_POD } from '../../ingress/addon.ts';
import { buildTable, certificateFor, hostMatches, INGRESS_CLASS, route, type IngressWorld } from '../../ingress/routes.ts';
import type { RouteCheck } from '../../lab/check.ts';
import type { ProbeResult } from '../../truth-table.ts';
import { podTarget } from '../endpoints.ts';
import { describeProbe, probe } from '../flows.ts';
import { checkResult, type CheckResult } from '../result.ts';
import type { World } from '../world.ts';

/** What a route check expects, in words shared by static and live mode. */
export function routeExpectation(c: RouteCheck): string {
  return c.reaches ? `${c.url} reaches Service ${c.reaches.namespace}/${c.reaches.service}` : `${c.url} matches no rule (404)`;
}

/** The request's parts as the controller sees them: the Host (without port), the path, TLS or not. */
export function requestOf(url: string): { host: string; path: string; tls: boolean } {
  const u = new URL(url);
  return { host: u.hostname.toLowerCase(), path: `${u.pathname}${u.search}`, tls: u.protocol === 'https:' };
}

/** `shop/api:80` → its parts (the table names a backend this way). */
export function backendService(name: string): { namespace: string; service: string; port: string } | undefined {
  const m = /^([^/]+)\/(.+):([^:]*)$/.exec(name);
  return m ? { namespace: m[1]!, service: m[2]!, port: m[3]! } : undefined;
}

export function gradeRoute(c: RouteCheck, world: World): CheckResult {
  const expected = routeExpectation(c);
  const fail = (observed: string, explanation: string, flows: ProbeResult[] = []) => checkResult(c, { passed: false, expected, observed, explanation, flows });
  const controller = world.cluster.podByKey.get(`${INGRESS_NAMESPACE}/${INGRESS_POD}`);
  if (!controller) return fail('no ingress controller', 'the lab runs no ingress controller: it needs `requires: {ingress: true}`');
  const { host, path, tls } = requestOf(c.url);
  const table = buildTable(ingressWorld(world));
  const routed = route(table, host, path);
  if (!c.reaches) {
    return routed
      ? fail(`routed to ${routed.backend.name}`, `${host}${path} matches ${routed.by}, so it does not get 404`)
      : checkResult(c, { passed: true, expected, observed: '404', explanation: `no Ingress rule of class ${INGRESS_CLASS} matches ${host}${path}, and there is no default backend` });
  }
  if (!routed) return fail('404', `no Ingress rule of class ${INGRESS_CLASS} matches host ${host}, path ${path} (and there is no default backend): the controller answers 404`);
  const b = backendService(routed.backend.name);
  const want = c.reaches;
  if (!b || b.namespace !== want.namespace || b.service !== want.service) {
    return fail(`routed to ${routed.backend.name}`, `${host}${path} matches ${routed.by}, which sends it to ${routed.backend.name}, not to Service ${want.namespace}/${want.service}`);
  }
  if (tls) {
    const cert = certificateFor(table, host);
    if (!cert || !cert.hosts.some((h) => hostMatches(h, host))) {
      const served = cert ? `the certificate of Secret ${cert.secret} (for ${cert.hosts.join(', ') || 'no host'})` : 'no certificate of any Ingress (the controller\'s own, self-signed)';
      return fail('the certificate does not name the host', `for ${host}, no Ingress's spec.tls lists the host with a kubernetes.io/tls Secret that exists, so the controller serves ${served}`);
    }
  }
  const legs = endpointsOf(world, b);
  if ('error' in legs) return fail('503', `${routed.backend.name}: ${legs.error}, so the controller answers 503`);
  const flows: ProbeResult[] = [];
  for (const { pod, port } of legs.pods) {
    const f = probe(world.cluster, podTarget(controller), podTarget(pod), port, 'TCP');
    flows.push(f);
    if (!f.allowed) return fail('no response', `the controller proxies to the pods, and the policies stop it: ${describeProbe(f)}`, flows);
  }
  const pods = legs.pods.map((l) => `${l.pod.namespace}/${l.pod.name}`).join(', ');
  return checkResult(c, { passed: true, expected, observed: `reaches ${want.namespace}/${want.service}`, explanation: `${host}${path} matches ${routed.by}; the controller proxies to ${pods}${tls ? ', with the certificate for the host' : ''}`, flows });
}

/** The Service's pods and the port each serves the backend's Service port on, or why there are none. */
function endpointsOf(world: World, b: { namespace: string; service: string; port: string }): { pods: { pod: PodInfo; port: number }[] } | { error: string } {
  const svc = world.services.find((s) => (s.metadata.namespace ?? 'default') === b.namespace && s.metadata.name === b.service);
  if (!svc) return { error: `there is no Service ${b.namespace}/${b.service}` };
  const sp = (svc.spec.ports ?? []).find((p) => (p.protocol ?? 'TCP') === 'TCP' && (String(p.port) === b.port || p.name === b.port));
  if (!sp) return { error: `Service ${b.namespace}/${b.service} has no TCP port ${b.port}` };
  const sel = Object.entries(svc.spec.selector ?? {});
  const pods = sel.length === 0 ? [] : world.cluster.pods.filter((p) => p.namespace === b.namespace && sel.every(([k, v]) => p.labels[k] === v));
  if (pods.length === 0) return { error: `Service ${b.namespace}/${b.service} has no endpoints (no pod matches its selector)` };
  const target = sp.targetPort ?? sp.port;
  const out: { pod: PodInfo; port: number }[] = [];
  for (const pod of pods) {
    const decl = pod.ports.find((p) => p.protocol === 'TCP' && (typeof target === 'number' ? p.port === target : p.name === target));
    if (!decl) return { error: `port ${b.port} goes to ${target} on pod ${pod.namespace}/${pod.name}, where nothing listens (the pod declares no such containerPort)` };
    out.push({ pod, port: decl.port });
  }
  return { pods: out };
}

/**
 * The world's objects as the controller reads them. Endpoints are not needed: the pods are
 * found from the Service above. An Ingress with no class gets the default one, as the API
 * server would give it; a Secret's stringData counts as its data, as the API server merges it.
 */
function ingressWorld(world: World): IngressWorld {
  type Obj = IngressWorld['ingresses'][number];
  // Namespaced objects without one are in default, as kubectl apply would put them.
  const of = (kind: string): Obj[] => (world.objects.filter((o) => o.kind === kind) as unknown as Obj[]).map((o) => ({ ...o, metadata: { ...o.metadata, namespace: o.metadata.namespace ?? 'default' } }));
  const defaultClass = of('IngressClass').some((c) => c.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true');
  const ingresses = of('Ingress').map((ing) => {
    const spec = (ing.spec ?? {}) as { ingressClassName?: string };
    const classless = spec.ingressClassName === undefined && ing.metadata.annotations?.['kubernetes.io/ingress.class'] === undefined;
    return classless && defaultClass ? { ...ing, spec: { ...spec, ingressClassName: INGRESS_CLASS } } : ing;
  });
  const secrets = of('Secret').map((s) => {
    const stringData = (s.stringData ?? {}) as Record<string, string>;
    const data = { ...((s.data ?? {}) as Record<string, string>) };
    for (const [k, v] of Object.entries(stringData)) data[k] = btoa(String.fromCharCode(...new TextEncoder().encode(v)));
    return { ...s, data };
  });
  return { ingresses, services: of('Service'), endpoints: [], secrets };
}

