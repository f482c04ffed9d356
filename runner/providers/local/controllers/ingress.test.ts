import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ingressAddon, INGRESS_NAMESPACE, INGRESS_SERVICE } from '../../../../checkers/ingress/addon.ts';
import { GATEWAY_CONTROLLER } from '../../../../checkers/ingress/gateway.ts';
import { admit } from '../api/admit.ts';
import { ObjectStore } from '../store/store.ts';
import { resourceOfKind, type KObject } from '../store/types.ts';
import { ingressTable, reconcileIngressStatus } from './ingress.ts';

const put = (s: ObjectStore, o: KObject) => s.create(resourceOfKind(o.kind)!, admit(resourceOfKind(o.kind)!, o, s));
const V = 'gateway.networking.k8s.io/v1';
type Cond = { type: string; status: string; reason: string; lastTransitionTime: string };
const brief = (cs: unknown) => (cs as Cond[]).map((c) => `${c.type}=${c.status}/${c.reason}`);

function cluster(): ObjectStore {
  const s = new ObjectStore();
  for (const ns of ['default', 'shop']) put(s, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  for (const o of ingressAddon()) put(s, o as KObject);
  put(s, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] } });
  put(s, { apiVersion: V, kind: 'Gateway', metadata: { name: 'public', namespace: 'shop' }, spec: { gatewayClassName: 'flatnet', listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }] } });
  put(s, { apiVersion: V, kind: 'HTTPRoute', metadata: { name: 'shop', namespace: 'shop' }, spec: { parentRefs: [{ name: 'public' }], hostnames: ['shop.example.com'], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] } });
  put(s, { apiVersion: V, kind: 'HTTPRoute', metadata: { name: 'lost', namespace: 'shop' }, spec: { parentRefs: [{ name: 'nowhere' }] } });
  return s;
}

describe('the Gateway API status the ingress controller writes', () => {
  it('waits for the load-balancer address, then reports it as Programmed, and settles', () => {
    const s = cluster();
    reconcileIngressStatus(s);
    assert.deepEqual(brief(s.get('gateways', 'shop', 'public')!.status!.conditions), ['Accepted=True/Accepted', 'Programmed=False/AddressNotAssigned']);
    s.mutate('services', INGRESS_NAMESPACE, INGRESS_SERVICE, (o) => void (o.status = { loadBalancer: { ingress: [{ ip: '172.18.255.200' }] } }));
    reconcileIngressStatus(s);
    const gw = s.get('gateways', 'shop', 'public')!;
    assert.deepEqual(gw.status!.addresses, [{ type: 'IPAddress', value: '172.18.255.200' }]);
    assert.deepEqual(brief(gw.status!.conditions), ['Accepted=True/Accepted', 'Programmed=True/Programmed']);
    assert.deepEqual((gw.status!.listeners as { name: string; attachedRoutes: number }[]).map((l) => [l.name, l.attachedRoutes]), [['http', 1]]);
    assert.deepEqual(brief(s.get('gatewayclasses', undefined, 'flatnet')!.status!.conditions), ['Accepted=True/Accepted']);
    const parents = (r: string) => s.get('httproutes', 'shop', r)!.status!.parents as { controllerName: string; conditions: Cond[] }[];
    assert.equal(parents('shop')[0]!.controllerName, GATEWAY_CONTROLLER);
    assert.deepEqual(brief(parents('shop')[0]!.conditions), ['Accepted=True/Accepted', 'ResolvedRefs=True/ResolvedRefs']);
    assert.deepEqual(brief(parents('lost')[0]!.conditions), ['Accepted=False/NoMatchingParent', 'ResolvedRefs=True/ResolvedRefs']);
    // Nothing changed, nothing written: the daemon runs this on every store change.
    const rv = s.resourceVersion;
    reconcileIngressStatus(s);
    assert.equal(s.resourceVersion, rv);
  });

  it('puts the routes into the table the controller pods serve, and leaves the table as it was without any', () => {
    const s = cluster();
    const t = ingressTable(s);
    assert.deepEqual(t.httpRoutes!.map((r) => [r.route, r.hostnames, r.scheme, r.pathType, r.path, r.backend.name]), [['shop/shop', ['shop.example.com'], 'http', 'Prefix', '/', 'shop/web:80']]);
    s.delete('httproutes', 'shop', 'shop');
    assert.equal('httpRoutes' in ingressTable(s), false);
  });
});
