import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectStore } from '../store/store.ts';
import type { KObject } from '../store/types.ts';
import { Recorder } from './events.ts';
import { announcements, reconcileLoadBalancers } from './loadbalancer.ts';

const svc = (name: string, type = 'LoadBalancer', extra: Record<string, unknown> = {}): KObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop' }, spec: { type, ports: [{ port: 80 }], ...extra } });
const ip = (s: ObjectStore, name: string) => ((s.get('services', 'shop', name)?.status?.loadBalancer as { ingress?: { ip: string; ipMode?: string }[] } | undefined)?.ingress ?? [])[0];
const messages = (s: ObjectStore, reason: string) => s.list('events').filter((e) => e.reason === reason).map((e) => String(e.message));

function world(...services: KObject[]) {
  const s = new ObjectStore();
  s.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  for (const o of services) s.create('services', o);
  const events = new Recorder(s, 'metallb-controller', '');
  const reported = new Map<string, string>();
  return { s, reconcile: () => reconcileLoadBalancers(s, events, reported) };
}

describe('reconcileLoadBalancers', () => {
  it('gives each LoadBalancer Service the lowest free address of the pool, as a VIP; others get none', () => {
    const { s, reconcile } = world(svc('a'), svc('b'), svc('plain', 'ClusterIP'));
    reconcile();
    assert.deepEqual([ip(s, 'a'), ip(s, 'b'), ip(s, 'plain')], [{ ip: '172.18.255.200', ipMode: 'VIP' }, { ip: '172.18.255.201', ipMode: 'VIP' }, undefined]);
    assert.deepEqual(messages(s, 'IPAllocated'), ['Assigned IP ["172.18.255.200"]', 'Assigned IP ["172.18.255.201"]']);
  });

  it('keeps a Service\'s address across passes, and reuses a freed one', () => {
    const { s, reconcile } = world(svc('a'), svc('b'));
    reconcile();
    s.delete('services', 'shop', 'a', 0);
    s.create('services', svc('c'));
    reconcile();
    assert.deepEqual([ip(s, 'b')?.ip, ip(s, 'c')?.ip], ['172.18.255.201', '172.18.255.200']);
  });

  it('honours spec.loadBalancerIP in the pool, and refuses one outside it or taken', () => {
    // Created in the same second: ties go by name, so `pinned` is first either way.
    const { s, reconcile } = world(svc('pinned', 'LoadBalancer', { loadBalancerIP: '172.18.255.240' }), svc('outside', 'LoadBalancer', { loadBalancerIP: '10.0.0.1' }), svc('that-clashes', 'LoadBalancer', { loadBalancerIP: '172.18.255.240' }));
    reconcile();
    assert.equal(ip(s, 'pinned')?.ip, '172.18.255.240');
    assert.equal(ip(s, 'outside'), undefined);
    assert.equal(ip(s, 'that-clashes'), undefined);
    assert.deepEqual(messages(s, 'AllocationFailed').sort(), [
      'Failed to allocate IP for "shop/outside": 10.0.0.1 is not free in the pool 172.18.255.200-172.18.255.250',
      'Failed to allocate IP for "shop/that-clashes": 172.18.255.240 is not free in the pool 172.18.255.200-172.18.255.250',
    ]);
  });

  it('takes the address back from a Service that is no longer a LoadBalancer', () => {
    const { s, reconcile } = world(svc('a'));
    reconcile();
    s.mutate('services', 'shop', 'a', (o) => void ((o.spec as Record<string, unknown>).type = 'ClusterIP'));
    reconcile();
    assert.equal(ip(s, 'a'), undefined);
  });

  it('says so when the pool is empty', () => {
    const { s, reconcile } = world(...Array.from({ length: 52 }, (_, i) => svc(`s${i}`)));
    reconcile();
    reconcile(); // a failure already told is not told again (an event would run the controllers again)
    assert.equal(s.list('services').filter((o) => ip(s, o.metadata.name)).length, 51);
    assert.equal(messages(s, 'AllocationFailed').length, 1);
    assert.match(messages(s, 'AllocationFailed')[0]!, /no available IPs in the pool/);
  });
});

describe('announcements', () => {
  it('puts each address on exactly one node, the same one every time', () => {
    const { s, reconcile } = world(...Array.from({ length: 8 }, (_, i) => svc(`s${i}`)));
    reconcile();
    const nodes = ['n0', 'n1', 'n2'];
    const a = announcements(s, nodes);
    const all = [...a.values()].flat().sort();
    assert.equal(all.length, 8);
    assert.equal(new Set(all).size, 8);
    assert.deepEqual(announcements(s, nodes), a);
    assert.ok([...a.values()].filter((ips) => ips.length > 0).length > 1, 'spread over more than one node');
  });
});
