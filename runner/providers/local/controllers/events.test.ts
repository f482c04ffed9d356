import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectStore } from '../store/store.ts';
import type { KObject } from '../store/types.ts';
import { Recorder } from './events.ts';

const obj = (kind: string, name: string, uid: string): KObject => ({ apiVersion: 'v1', kind, metadata: { name, namespace: 'shop', uid } });

describe('Recorder', () => {
  it('names events uniquely across recorders: a Pod and a Service of one name, in the same millisecond', () => {
    const s = new ObjectStore();
    const kubelet = new Recorder(s, 'kubelet', 'node-0');
    const lb = new Recorder(s, 'metallb-controller', '');
    // Many in a row: some surely fall in one millisecond.
    for (let i = 0; i < 50; i++) {
      kubelet.record(obj('Pod', 'web', 'p'), 'Normal', 'Started', `started ${i}`);
      lb.record(obj('Service', 'web', 's'), 'Normal', 'IPAllocated', `allocated ${i}`);
    }
    const names = s.list('events', 'shop').map((e) => e.metadata.name);
    assert.equal(names.length, 100);
    assert.equal(new Set(names).size, 100);
  });

  it('counts a repeat of the same reason and message on one object instead of adding an event', () => {
    const s = new ObjectStore();
    const r = new Recorder(s, 'kubelet', 'node-0');
    for (let i = 0; i < 3; i++) r.record(obj('Pod', 'web', 'p'), 'Warning', 'BackOff', 'Back-off restarting failed container');
    const events = s.list('events', 'shop');
    assert.deepEqual(events.map((e) => e.count), [3]);
  });
});
