import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlatnetError } from '../../../../checkers/errors.ts';
import { loadSnapshot, persist } from './persist.ts';
import { ObjectStore } from './store.ts';
import type { KObject, WatchEvent } from './types.ts';

const pod = (name: string, extra: Partial<KObject> = {}): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'x' }, spec: { containers: [] }, ...extra });
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof FlatnetError ? e.code : String(e);
  }
  return 'no error';
};

describe('ObjectStore', () => {
  it('stamps metadata and bumps one resourceVersion counter', () => {
    const s = new ObjectStore();
    const a = s.create('pods', pod('a'));
    const b = s.create('pods', pod('b'));
    assert.ok(a.metadata.uid && a.metadata.creationTimestamp);
    assert.equal(Number(b.metadata.resourceVersion), Number(a.metadata.resourceVersion) + 1);
    assert.equal(s.resourceVersion, b.metadata.resourceVersion);
  });

  it('refuses duplicates, stale updates and missing objects', () => {
    const s = new ObjectStore();
    const a = s.create('pods', pod('a'));
    assert.equal(code(() => s.create('pods', pod('a'))), 'AlreadyExists');
    s.update('pods', { ...a, metadata: { ...a.metadata, labels: { x: 'y' } } });
    assert.equal(code(() => s.update('pods', a)), 'Conflict');
    assert.equal(code(() => s.delete('pods', 'x', 'nope')), 'NotFound');
  });

  it('bumps generation only when spec changes', () => {
    const s = new ObjectStore();
    s.create('pods', pod('a'));
    const labelled = s.mutate('pods', 'x', 'a', (o) => (o.metadata.labels = { l: '1' }))!;
    assert.equal(labelled.metadata.generation, 1);
    const changed = s.mutate('pods', 'x', 'a', (o) => (o.spec = { containers: [{ name: 'c' }] }))!;
    assert.equal(changed.metadata.generation, 2);
  });

  it('keeps objects with finalizers until the last one is removed', () => {
    const s = new ObjectStore();
    s.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' }, spec: { finalizers: ['kubernetes'] } });
    const marked = s.delete('namespaces', undefined, 'ns');
    assert.ok(marked.metadata.deletionTimestamp);
    assert.ok(s.get('namespaces', undefined, 'ns'));
    s.mutate('namespaces', undefined, 'ns', (o) => (o.spec = { finalizers: [] }));
    assert.equal(s.get('namespaces', undefined, 'ns'), undefined);
  });

  it('replays events after a resourceVersion, then streams new ones', () => {
    const s = new ObjectStore();
    const first = s.create('pods', pod('a'));
    s.create('pods', pod('b'));
    const seen: string[] = [];
    const stop = s.watch((e: WatchEvent) => seen.push(`${e.type} ${e.object.metadata.name}`), Number(first.metadata.resourceVersion));
    s.delete('pods', 'x', 'a');
    stop();
    s.create('pods', pod('c'));
    assert.deepEqual(seen, ['ADDED b', 'DELETED a']);
  });

  it('survives a restart through its snapshot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flatnet-store-'));
    const s = new ObjectStore();
    const flush = persist(s, dir, 5);
    s.create('pods', pod('a'));
    flush();
    const back = new ObjectStore(loadSnapshot(dir));
    assert.equal(back.get('pods', 'x', 'a')?.metadata.uid, s.get('pods', 'x', 'a')?.metadata.uid);
    assert.equal(back.create('pods', pod('b')).metadata.resourceVersion, String(Number(s.resourceVersion) + 1));
  });
});
