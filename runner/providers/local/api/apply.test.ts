import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../store/types.ts';
import { ApplyConflict, LAST_APPLIED, merge, recordUpdate, serverSideApply, type Request } from './apply.ts';

const NP = 'networking.k8s.io/v1';
const np = (spec: object, metadata: object = {}): KObject => ({ apiVersion: NP, kind: 'NetworkPolicy', metadata: { name: 'web', namespace: 'default', ...metadata }, spec: spec as KObject['spec'] });
const pod = (spec: object, metadata: object = {}): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', ...metadata }, spec: spec as KObject['spec'] });
const req = (manager: string, kind = 'NetworkPolicy', apiVersion = NP): Request => ({ kind, apiVersion, manager });
/** What the store adds on create. */
const stored = (o: KObject): KObject => ({ ...o, metadata: { ...o.metadata, uid: 'u1', resourceVersion: '7', creationTimestamp: '2026-01-01T00:00:00Z', generation: 1 } });
const fields = (o: KObject, manager: string) => (o.metadata.managedFields as { manager: string; fieldsV1: object }[]).find((e) => e.manager === manager)?.fieldsV1;
const conflict = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApplyConflict) return e.message;
    throw e;
  }
  return 'no conflict';
};

describe('server-side apply: merging', () => {
  const cases: { name: string; kind: string; live: unknown; config: unknown; want: unknown }[] = [
    { name: 'maps merge recursively', kind: 'ConfigMap', live: { data: { a: '1', b: '2' } }, config: { data: { b: '3', c: '4' } }, want: { data: { a: '1', b: '3', c: '4' } } },
    {
      name: 'containers merge by name, env by name',
      kind: 'Pod',
      live: { spec: { containers: [{ name: 'a', image: 'x', env: [{ name: 'A', value: '1' }] }, { name: 'b', image: 'y' }] } },
      config: { spec: { containers: [{ name: 'a', image: 'z', env: [{ name: 'B', value: '2' }] }] } },
      want: { spec: { containers: [{ name: 'a', image: 'z', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }, { name: 'b', image: 'y' }] } },
    },
    {
      name: 'container ports by containerPort and protocol (TCP when unset)',
      kind: 'Pod',
      live: { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }, { containerPort: 53, protocol: 'UDP' }] }] } },
      config: { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'web' }, { containerPort: 53, protocol: 'TCP' }] }] } },
      want: { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, protocol: 'TCP', name: 'web' }, { containerPort: 53, protocol: 'UDP' }, { containerPort: 53, protocol: 'TCP' }] }] } },
    },
    {
      name: 'Service ports by port and protocol',
      kind: 'Service',
      live: { spec: { ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }] } },
      config: { spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }] } },
      want: { spec: { ports: [{ port: 80, protocol: 'TCP', targetPort: 9090 }, { port: 443 }] } },
    },
    {
      name: 'NetworkPolicy lists are atomic: replaced whole',
      kind: 'NetworkPolicy',
      live: { spec: { policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: {} }] }] } },
      config: { spec: { policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 80 }] }] } },
      want: { spec: { policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 80 }] }] } },
    },
    {
      name: 'selectors are atomic: replaced whole',
      kind: 'NetworkPolicy',
      live: { spec: { podSelector: { matchLabels: { app: 'a', tier: 'b' } } } },
      config: { spec: { podSelector: { matchLabels: { app: 'c' } } } },
      want: { spec: { podSelector: { matchLabels: { app: 'c' } } } },
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(merge(c.kind, c.live, c.config, []), c.want));
});

describe('server-side apply: ownership', () => {
  it('creates with one Apply entry in the real fieldsV1 format', () => {
    const o = serverSideApply(req('kubectl'), undefined, np({ podSelector: {}, policyTypes: ['Ingress'] }, { labels: { app: 'web' } }), false);
    assert.deepEqual(o.spec, { podSelector: {}, policyTypes: ['Ingress'] });
    const [entry, ...rest] = o.metadata.managedFields as Record<string, unknown>[];
    assert.equal(rest.length, 0);
    assert.deepEqual({ ...entry, time: typeof entry!.time }, {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: NP,
      time: 'string',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:podSelector': {}, 'f:policyTypes': {} } },
    });
  });

  it('writes list items as k:{…} keys, with "." for an item that has fields', () => {
    const o = serverSideApply(req('kubectl', 'Pod', 'v1'), undefined, pod({ containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] }] }), false);
    assert.deepEqual(fields(o, 'kubectl'), {
      'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } } } } },
    });
  });

  it('re-applying the same configuration changes nothing, not even the time', () => {
    const first = stored(serverSideApply(req('kubectl'), undefined, np({ podSelector: {}, policyTypes: ['Ingress'] }), false));
    const again = serverSideApply(req('kubectl'), first, np({ podSelector: {}, policyTypes: ['Ingress'] }), false);
    assert.deepEqual(again, first);
  });

  it('removes what the manager applied before and applies no more, but keeps what others own', () => {
    const config = np({ podSelector: {}, policyTypes: ['Ingress'] }, { labels: { app: 'web', tier: 'db' } });
    let live = stored(serverSideApply(req('kubectl'), undefined, config, false));
    live = stored(serverSideApply(req('other'), live, np({}, { labels: { tier: 'db' } }), false));
    const next = serverSideApply(req('kubectl'), live, np({ podSelector: {} }), false);
    assert.deepEqual(next.metadata.labels, { tier: 'db' });
    assert.equal(next.spec?.policyTypes, undefined);
    assert.deepEqual(fields(next, 'kubectl'), { 'f:spec': { 'f:podSelector': {} } });
  });

  it('refuses to change a field another manager owns, in the apiserver words; force moves it', () => {
    let live = np({ podSelector: { matchLabels: { app: 'web' } } }, { labels: { env: 'dev' } });
    recordUpdate(req('kubectl-client-side-apply'), undefined, live);
    live = stored(live);
    const config = np({ podSelector: { matchLabels: { app: 'api' } } });
    assert.equal(conflict(() => serverSideApply(req('mine'), live, config, false)), `Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using ${NP}: .spec.podSelector`);
    const forced = serverSideApply(req('mine'), live, config, true);
    assert.deepEqual(forced.spec?.podSelector, { matchLabels: { app: 'api' } });
    assert.deepEqual(fields(forced, 'kubectl-client-side-apply'), { 'f:metadata': { 'f:labels': { '.': {}, 'f:env': {} } } });
    assert.deepEqual(fields(forced, 'mine'), { 'f:spec': { 'f:podSelector': {} } });
    // Applying the value the other manager set is no conflict: both own it.
    const shared = serverSideApply(req('mine'), live, np({ podSelector: { matchLabels: { app: 'web' } } }), false);
    assert.deepEqual(fields(shared, 'mine'), { 'f:spec': { 'f:podSelector': {} } });
    assert.ok(fields(shared, 'kubectl-client-side-apply'));
  });

  it('lists several conflicts grouped by manager', () => {
    let live = np({ podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] }, { labels: { env: 'dev' } });
    recordUpdate(req('kubectl-create'), undefined, live);
    live = stored(live);
    const labelled = structuredClone(live);
    labelled.metadata.labels = { env: 'prod' };
    recordUpdate(req('kubectl-label'), live, labelled);
    const msg = conflict(() => serverSideApply(req('kubectl'), labelled, np({ podSelector: {}, policyTypes: ['Egress'] }, { labels: { env: 'x' } }), false));
    assert.equal(
      msg,
      `Apply failed with 3 conflicts: conflicts with "kubectl-create" using ${NP}:\n- .spec.podSelector\n- .spec.policyTypes\nconflicts with "kubectl-label" using ${NP}:\n- .metadata.labels.env`,
    );
  });

  it('gives an object nobody owns to before-first-apply on the first apply', () => {
    const live = stored(np({ podSelector: { matchLabels: { app: 'web' } } }));
    assert.equal(conflict(() => serverSideApply(req('mine'), live, np({ podSelector: {} }), false)), `Apply failed with 1 conflict: conflict with "before-first-apply" using ${NP}: .spec.podSelector`);
  });

  it('lets kubectl take over what client-side apply set while it still holds the last-applied value', () => {
    const applied = np({ podSelector: { matchLabels: { app: 'web' } } });
    let live = np(applied.spec!, { annotations: { [LAST_APPLIED]: JSON.stringify(applied) } });
    recordUpdate(req('kubectl-client-side-apply'), undefined, live);
    live = stored(live);
    const next = serverSideApply(req('kubectl'), live, np({ podSelector: { matchLabels: { app: 'api' } } }), false);
    assert.deepEqual(next.spec?.podSelector, { matchLabels: { app: 'api' } });
    // ... and keeps the annotation in step with what it applied.
    assert.match(next.metadata.annotations![LAST_APPLIED]!, /"matchLabels":\{"app":"api"\}/);
    // Another manager still meets the conflict.
    assert.match(conflict(() => serverSideApply(req('helm'), live, np({ podSelector: {} }), false)), /conflict with "kubectl-client-side-apply"/);
  });
});

describe('managedFields of other writes', () => {
  it('create records an Update entry: defaults included, allocated fields not', () => {
    const svc: KObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default', labels: { app: 's' } }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.5', ports: [{ port: 80, protocol: 'TCP' }] } };
    recordUpdate({ kind: 'Service', apiVersion: 'v1', manager: 'kubectl-create' }, undefined, svc);
    assert.deepEqual(fields(svc, 'kubectl-create'), {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': { 'f:ports': { '.': {}, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:protocol': {} } }, 'f:type': {} },
    });
  });

  it('an update adds what it changed to its manager and takes it from the others', () => {
    let live = np({ podSelector: {} }, { labels: { env: 'dev' } });
    recordUpdate(req('kubectl-create'), undefined, live);
    live = stored(live);
    const next = structuredClone(live);
    next.metadata.labels = { env: 'prod' };
    recordUpdate(req('kubectl-label'), live, next);
    assert.deepEqual(fields(next, 'kubectl-label'), { 'f:metadata': { 'f:labels': { 'f:env': {} } } });
    assert.deepEqual(fields(next, 'kubectl-create'), { 'f:metadata': { 'f:labels': {} } });
  });

  it('an object created without managedFields stays untracked by updates', () => {
    const live = stored(np({ podSelector: {} }));
    const next = structuredClone(live);
    next.metadata.labels = { a: 'b' };
    recordUpdate(req('kubectl-label'), live, next);
    assert.equal(next.metadata.managedFields, undefined);
  });
});
