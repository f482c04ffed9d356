import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compare, formatPath, fromFieldsV1, iterate, pathKey, toFieldSet, toFieldsV1, type Comparison } from './fieldset.ts';

const keys = (...paths: string[][]) => new Set(paths.map(pathKey));
const sorted = (s: Set<string>) => [...s].sort();

describe('field sets', () => {
  const sets: { name: string; kind: string; value: unknown; fieldsV1: object }[] = [
    { name: 'leaves and map entries', kind: 'ConfigMap', value: { metadata: { labels: { a: 'b' } }, data: { x: '1' } }, fieldsV1: { 'f:data': { 'f:x': {} }, 'f:metadata': { 'f:labels': { 'f:a': {} } } } },
    { name: 'an atomic selector and lists', kind: 'NetworkPolicy', value: { spec: { podSelector: { matchLabels: { a: 'b' } }, ingress: [{}], policyTypes: [] } }, fieldsV1: { 'f:spec': { 'f:ingress': {}, 'f:podSelector': {}, 'f:policyTypes': {} } } },
    { name: 'an empty map is a leaf', kind: 'NetworkPolicy', value: { spec: { podSelector: {} } }, fieldsV1: { 'f:spec': { 'f:podSelector': {} } } },
    {
      name: 'keyed items with "." and defaulted keys',
      kind: 'Service',
      value: { spec: { ports: [{ port: 53, protocol: 'UDP' }, { port: 80 }] } },
      fieldsV1: { 'f:spec': { 'f:ports': { 'k:{"port":53,"protocol":"UDP"}': { '.': {}, 'f:port': {}, 'f:protocol': {} }, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } } } },
    },
    { name: 'set items', kind: 'Pod', value: { metadata: { finalizers: ['a/b'] } }, fieldsV1: { 'f:metadata': { 'f:finalizers': { 'v:"a/b"': {} } } } },
  ];
  for (const c of sets) {
    it(c.name, () => {
      const set = toFieldSet(c.kind, c.value);
      assert.deepEqual(toFieldsV1(set), c.fieldsV1);
      assert.deepEqual(sorted(fromFieldsV1(c.fieldsV1)), sorted(set), 'fieldsV1 reads back as the same set');
    });
  }

  it('keeps "." for a member that also has members below it', () => {
    const set = keys(['f:metadata', 'f:labels'], ['f:metadata', 'f:labels', 'f:a']);
    assert.deepEqual(toFieldsV1(set), { 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } } });
    assert.deepEqual(sorted(fromFieldsV1(toFieldsV1(set))), sorted(set));
  });
});

describe('compare', () => {
  const cases: { name: string; kind: string; lhs: unknown; rhs: unknown; want: Partial<Record<keyof Comparison, string[][]>> }[] = [
    { name: 'a changed leaf', kind: 'ConfigMap', lhs: { data: { a: '1' } }, rhs: { data: { a: '2' } }, want: { modified: [['f:data', 'f:a']] } },
    { name: 'a new map adds itself and its entries', kind: 'ConfigMap', lhs: {}, rhs: { metadata: { labels: { a: 'b' } } }, want: { added: [['f:metadata'], ['f:metadata', 'f:labels'], ['f:metadata', 'f:labels', 'f:a']] } },
    { name: 'a removed entry', kind: 'ConfigMap', lhs: { data: { a: '1', b: '2' } }, rhs: { data: { a: '1' } }, want: { removed: [['f:data', 'f:b']] } },
    { name: 'an atomic list changes as one leaf', kind: 'NetworkPolicy', lhs: { spec: { policyTypes: ['Ingress'] } }, rhs: { spec: { policyTypes: ['Egress'] } }, want: { modified: [['f:spec', 'f:policyTypes']] } },
    {
      name: 'keyed items by key, wherever they sit',
      kind: 'Pod',
      lhs: { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b' }] } },
      rhs: { spec: { containers: [{ name: 'b' }, { name: 'a', image: 'y' }] } },
      want: { modified: [['f:spec', 'f:containers', 'k:{"name":"a"}', 'f:image']] },
    },
    { name: 'null beside a list is an empty list (a Go nil slice)', kind: 'Pod', lhs: { spec: { containers: null } }, rhs: { spec: { containers: [{ name: 'a' }] } }, want: { added: [['f:spec', 'f:containers', 'k:{"name":"a"}'], ['f:spec', 'f:containers', 'k:{"name":"a"}', 'f:name']] } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = compare(c.kind, c.lhs, c.rhs);
      for (const k of ['added', 'removed', 'modified'] as const) assert.deepEqual(sorted(got[k]), sorted(keys(...(c.want[k] ?? []))), k);
    });
  }
});

describe('paths as the apiserver prints them', () => {
  const cases: [string[], string][] = [
    [['f:spec', 'f:podSelector'], '.spec.podSelector'],
    [['f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image'], '.spec.containers[name="web"].image'],
    [['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}'], '.spec.ports[port=80,protocol="TCP"]'],
    [['f:metadata', 'f:finalizers', 'v:"a"'], '.metadata.finalizers[="a"]'],
    [['f:x', 'i:3'], '.x[3]'],
  ];
  for (const [path, text] of cases) it(text, () => assert.equal(formatPath(path), text));

  it('iterates members before what is below them, each level sorted', () => {
    const set = keys(['f:spec', 'f:podSelector'], ['f:metadata', 'f:labels', 'f:env'], ['f:spec', 'f:policyTypes'], ['f:metadata', 'f:labels']);
    assert.deepEqual(iterate(set).map(formatPath), ['.metadata.labels', '.metadata.labels.env', '.spec.podSelector', '.spec.policyTypes']);
  });
});
