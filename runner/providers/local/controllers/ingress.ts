/**
 * @module
 * The local cluster's ingress controller (its objects: checkers/ingress/addon.ts). The daemon
 * turns Ingresses and the HTTPRoutes of Gateways of class flatnet into the one table the pod
 * serves (checkers/ingress/routes.ts, gateway.ts) and, as ingress-nginx's --publish-service
 * does, writes the Service's load-balancer address into every Ingress of the class, so
 * `kubectl get ingress` shows it; for the Gateway API it writes GatewayClass, Gateway and
 * HTTPRoute status as a Gateway controller does (conditions, addresses, attached routes).
 */
import { INGRESS_NAMESPACE, INGRESS_SERVICE } from '../../../../checkers/ingress/addon.ts';
import { analyseGateways, GATEWAY_CONTROLLER, GATEWAY_GROUP, type Condition, type GatewayAnalysis } from '../../../../checkers/ingress/gateway.ts';
import { buildTable, ours, type IngressTable } from '../../../../checkers/ingress/routes.ts';
import type { ObjectStore } from '../store/store.ts';
import type { KObject, Resource } from '../store/types.ts';

function gatewayAnalysis(store: ObjectStore): GatewayAnalysis {
  return analyseGateways({
    gatewayClasses: store.list('gatewayclasses'),
    gateways: store.list('gateways'),
    httpRoutes: store.list('httproutes'),
    namespaces: store.list('namespaces'),
    services: store.list('services'),
    endpoints: store.list('endpoints'),
    secrets: store.list('secrets'),
  });
}

/** What the controller pods serve now. */
export function ingressTable(store: ObjectStore): IngressTable {
  const table = buildTable({ ingresses: store.list('ingresses'), services: store.list('services'), endpoints: store.list('endpoints'), secrets: store.list('secrets') });
  const gw = gatewayAnalysis(store);
  // Without HTTPRoutes the table is byte for byte what it was before the Gateway API existed here.
  if (gw.rules.length) table.httpRoutes = gw.rules;
  table.certificates.push(...gw.certificates);
  return table;
}

/** The controller Service's load-balancer IPs, once it has them. */
function addresses(store: ObjectStore): string[] | undefined {
  const svc = store.get('services', INGRESS_NAMESPACE, INGRESS_SERVICE);
  if (!svc) return undefined;
  return ((svc.status?.loadBalancer as { ingress?: { ip?: string }[] } | undefined)?.ingress ?? []).filter((i) => i.ip).map((i) => i.ip!);
}

/** Every Ingress of the class gets the controller Service's load-balancer address in its status; Gateway API objects get theirs. */
export function reconcileIngressStatus(store: ObjectStore): void {
  const ips = addresses(store);
  if (!ips) return;
  const ingress = ips.map((ip) => ({ ip }));
  const want = JSON.stringify(ingress);
  for (const ing of store.list('ingresses')) {
    if (!ours(ing)) continue;
    const have = JSON.stringify((ing.status?.loadBalancer as { ingress?: unknown[] } | undefined)?.ingress ?? []);
    if (have !== want) store.mutate('ingresses', ing.metadata.namespace, ing.metadata.name, (o) => void (o.status = { loadBalancer: ingress.length ? { ingress } : {} }));
  }
  reconcileGatewayStatus(store, ips);
}

type StoredCondition = Condition & { observedGeneration?: number; lastTransitionTime: string };

/** Conditions as the API stores them: a condition whose status did not change keeps its lastTransitionTime (else every pass would rewrite it). */
function conditions(o: KObject, want: Condition[], old: unknown): StoredCondition[] {
  const before = (Array.isArray(old) ? old : []) as StoredCondition[];
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return want.map((c) => {
    const prev = before.find((p) => p.type === c.type);
    return { ...c, observedGeneration: o.metadata.generation ?? 1, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : now };
  });
}

function writeStatus(store: ObjectStore, resource: Resource, o: KObject, status: Record<string, unknown>): void {
  if (JSON.stringify(status) === JSON.stringify(o.status ?? {})) return;
  store.mutate(resource, o.metadata.namespace, o.metadata.name, (x) => void (x.status = status));
}

function reconcileGatewayStatus(store: ObjectStore, ips: string[]): void {
  const gw = gatewayAnalysis(store);
  for (const c of store.list('gatewayclasses')) {
    if (!gw.classes.includes(c.metadata.name)) continue;
    const st = (c.status ?? {}) as { conditions?: unknown };
    writeStatus(store, 'gatewayclasses', c, { ...st, conditions: conditions(c, [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: `Handled by ${GATEWAY_CONTROLLER}` }], st.conditions) });
  }
  for (const g of store.list('gateways')) {
    const state = gw.gateways.get(`${g.metadata.namespace}/${g.metadata.name}`);
    if (!state) continue;
    const valid = state.listeners.filter((l) => l.ok).length;
    const all = valid === state.listeners.length;
    const accepted: Condition = { type: 'Accepted', status: valid > 0 ? 'True' : 'False', reason: all ? 'Accepted' : 'ListenersNotValid', message: all ? 'Gateway is accepted' : `${state.listeners.length - valid} of ${state.listeners.length} listeners are not valid` };
    const programmed: Condition =
      ips.length === 0
        ? { type: 'Programmed', status: 'False', reason: 'AddressNotAssigned', message: `Service ${INGRESS_NAMESPACE}/${INGRESS_SERVICE} has no load-balancer address yet` }
        : valid === 0
          ? { type: 'Programmed', status: 'False', reason: 'Invalid', message: 'No listener is valid' }
          : { type: 'Programmed', status: 'True', reason: 'Programmed', message: `Served by ${INGRESS_NAMESPACE}/${INGRESS_SERVICE}` };
    const old = (g.status ?? {}) as { conditions?: unknown; listeners?: { name: string; conditions?: unknown }[] };
    writeStatus(store, 'gateways', g, {
      ...(ips.length ? { addresses: ips.map((value) => ({ type: 'IPAddress', value })) } : {}),
      conditions: conditions(g, [accepted, programmed], old.conditions),
      listeners: state.listeners.map((l) => ({
        name: l.name,
        supportedKinds: [{ group: GATEWAY_GROUP, kind: 'HTTPRoute' }],
        attachedRoutes: l.attachedRoutes,
        conditions: conditions(g, l.conditions, old.listeners?.find((x) => x.name === l.name)?.conditions),
      })),
    });
  }
  for (const r of store.list('httproutes')) {
    const parents = gw.routes.get(`${r.metadata.namespace}/${r.metadata.name}`) ?? [];
    const old = ((r.status as { parents?: { controllerName?: string; parentRef?: unknown; conditions?: unknown }[] } | undefined)?.parents ?? []);
    // Entries other controllers wrote are theirs to keep.
    const others = old.filter((p) => p.controllerName !== GATEWAY_CONTROLLER);
    const mine = parents.map((p) => ({
      parentRef: p.parentRef,
      controllerName: GATEWAY_CONTROLLER,
      conditions: conditions(r, p.conditions, old.find((x) => x.controllerName === GATEWAY_CONTROLLER && JSON.stringify(x.parentRef) === JSON.stringify(p.parentRef))?.conditions),
    }));
    if (mine.length === 0 && old.length === others.length) continue;
    writeStatus(store, 'httproutes', r, { parents: [...others, ...mine] });
  }
}
