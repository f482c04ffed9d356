import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifests } from '../k8s/manifests.ts';
import { baselineObjects } from '../lab/baseline.ts';
import { CheckSchema, type Check } from '../lab/check.ts';
import { parseLab } from '../lab/parse.ts';
import { setupObjects } from '../lab/setup.ts';
import type { LabBundle } from '../lab/sources.ts';
import { MINI_LAB } from '../lab/testdata/mini.ts';
import { decide, gradeStatic } from './grade.ts';
import { buildWorld } from './world.ts';

const bundle: LabBundle = { ...parseLab(MINI_LAB, 'labs/mini/lab.yaml'), files: new Map() };
const grade = (text: string) => gradeStatic(bundle, 'db-policy', { text, file: 'answer.yaml', lineOffset: 0 });

const policy = (spec: string, ns = 'shop') => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: db, namespace: ${ns} }
spec: ${spec}
`;

describe('gradeStatic', () => {
  const cases: { name: string; answer: string; passed: boolean; hint: string | null; failing?: string; explanation?: RegExp }[] = [
    { name: 'a correct answer passes', answer: policy('{ podSelector: { matchLabels: { app: db } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: web } } }], ports: [{ port: 5432 }] }] }'), passed: true, hint: null },
    {
      name: 'an open rule fails with the hint of the first failing check, explained from the evidence',
      answer: policy('{ podSelector: { matchLabels: { app: db } }, ingress: [{ ports: [{ port: 5432 }] }] }'),
      passed: false,
      hint: 'only-web',
      failing: 'other-kept-out',
      explanation: /^shop\/other -> shop\/db TCP 5432 allowed: no policy isolates shop\/other for egress; ingress of shop\/db allowed by shop\/db ingress\[0\]$/,
    },
    {
      name: 'a deny-all fails the allow check first',
      answer: policy('{ podSelector: {} }'),
      passed: false,
      hint: 'allow-web',
      failing: 'web-to-db',
      explanation: /^shop\/web -> shop\/db TCP 5432 denied: shop\/db is isolated for ingress by shop\/db and no ingress rule allows shop\/web on TCP 5432$/,
    },
    { name: 'YAML that does not parse fails `applied`, with file and line', answer: 'kind: [', passed: false, hint: 'namespace', failing: 'applies', explanation: /^answer\.yaml:1:8: YAML syntax error/ },
    { name: 'a policy in another namespace', answer: policy('{ podSelector: {} }', 'default'), passed: false, hint: 'namespace', failing: 'applies', explanation: /metadata\.namespace is default — this task is about namespace shop/ },
    {
      name: 'an invalid policy: the API server\'s words',
      answer: policy('{ podSelector: {}, policyTypes: [Ingres] }'),
      passed: false,
      hint: 'namespace',
      failing: 'applies',
      explanation: /^answer\.yaml:4: NetworkPolicy shop\/db: spec\.policyTypes\[0\]: Unsupported value: "Ingres": supported values: "Ingress", "Egress"/,
    },
    { name: 'a kind the task does not ask for', answer: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x, namespace: shop }\n', passed: false, hint: 'namespace', failing: 'applies', explanation: /kind ConfigMap is not part of this answer/ },
    { name: 'an empty answer', answer: '# nothing yet\n', passed: false, hint: 'namespace', failing: 'applies', explanation: /holds no Kubernetes object/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = grade(c.answer);
      assert.equal(r.passed, c.passed);
      assert.equal(r.hint, c.hint);
      if (c.failing) {
        const failed = r.checks.find((x) => !x.passed && !x.skipped)!;
        assert.equal(failed.id, c.failing);
        assert.match(failed.explanation, c.explanation!);
      }
    });
  }

  it('skips the other checks when the answer does not apply', () => {
    const r = grade('kind: [');
    assert.deepEqual(r.checks.map((c) => [c.id, c.passed, c.skipped]), [['applies', false, false], ['web-to-db', false, true], ['other-kept-out', false, true]]);
    assert.equal(r.hintText, 'Use namespace shop.');
  });
});

describe('check kinds in a world', () => {
  const world = (answer = '') =>
    buildWorld([baselineObjects(), setupObjects(bundle.lab.setup), answer ? parseManifests(answer, 'answer.yaml') : []]);
  const check = (c: Record<string, unknown>): Exclude<Check, { kind: 'applied' }> =>
    CheckSchema.parse({ id: 'c', title: 't', hint: 'h', ...c }) as Exclude<Check, { kind: 'applied' }>;
  const denyEgress = policy('{ podSelector: {}, policyTypes: [Egress] }');
  const web = { namespace: 'shop', pod: 'web' };
  const other = { namespace: 'shop', pod: 'other' };

  const cases: { name: string; c: Record<string, unknown>; answer?: string; passed: boolean; observed?: string; explanation?: RegExp }[] = [
    { name: 'dns: a short name resolves through the search path', c: { kind: 'dns', from: other, name: 'web', resolvesTo: { service: 'web', namespace: 'shop' } }, passed: true, explanation: /web is Service shop\/web and shop\/other may query kube-dns on UDP 53/ },
    { name: 'dns: a fully qualified name', c: { kind: 'dns', from: other, name: 'web.shop.svc.cluster.local' }, passed: true },
    { name: 'dns: an unknown name is NXDOMAIN', c: { kind: 'dns', from: other, name: 'nothing' }, passed: false, observed: 'NXDOMAIN' },
    { name: 'dns: egress isolation blocks the lookup', c: { kind: 'dns', from: other, name: 'web' }, answer: denyEgress, passed: false, observed: 'lookup fails (DNS blocked)', explanation: /DNS queries are blocked: shop\/other -> kube-system\/coredns-\S+ UDP 53 denied/ },
    { name: 'dns: expect fails', c: { kind: 'dns', from: other, name: 'web', expect: 'fails' }, answer: denyEgress, passed: true },
    { name: 'http: through the Service to the pod\'s targetPort', c: { kind: 'http', from: other, url: 'http://web:8080/' }, passed: true, explanation: /Service shop\/web port 8080 reaches shop\/web/ },
    { name: 'http: a port the Service does not have', c: { kind: 'http', from: other, url: 'http://web:9090/' }, passed: false, explanation: /Service shop\/web has no TCP port 9090/ },
    { name: 'http: DNS blocked', c: { kind: 'http', from: other, url: 'http://web:8080/' }, answer: denyEgress, passed: false, explanation: /cannot resolve web: DNS queries are blocked/ },
    { name: 'reach: a selector expands to every pod', c: { kind: 'reach', from: { namespace: 'shop', labels: {} }, to: { namespace: 'shop', pod: 'db' }, port: 5432, expect: 'allowed' }, passed: true, observed: 'allowed (2 of 2 flows)' },
    { name: 'reach: side ingress ignores the source\'s egress', c: { kind: 'reach', from: web, to: { namespace: 'shop', pod: 'db' }, port: 5432, side: 'ingress', expect: 'allowed' }, answer: denyEgress, passed: true },
    { name: 'reach: the whole flow sees the egress denial', c: { kind: 'reach', from: web, to: { namespace: 'shop', pod: 'db' }, port: 5432, expect: 'allowed' }, answer: denyEgress, passed: false, explanation: /shop\/web is isolated for egress by shop\/db/ },
    { name: 'reach: protocol any, denied means every protocol is', c: { kind: 'reach', from: web, to: { ip: '203.0.113.1' }, port: 53, protocol: 'any', expect: 'denied' }, answer: denyEgress, passed: true },
    { name: 'resource: exists with a field value', c: { kind: 'resource', object: { kind: 'NetworkPolicy', namespace: 'shop', name: 'db' }, field: 'spec.policyTypes[0]', equals: 'Egress' }, answer: denyEgress, passed: true },
    { name: 'resource: a different field value', c: { kind: 'resource', object: { kind: 'NetworkPolicy', namespace: 'shop', name: 'db' }, field: 'spec.podSelector', equals: { matchLabels: { app: 'db' } } }, answer: denyEgress, passed: false, observed: 'spec.podSelector = {}' },
    { name: 'resource: absent', c: { kind: 'resource', object: { kind: 'NetworkPolicy', namespace: 'shop', name: 'db' }, expect: 'absent' }, passed: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = decide(check(c.c), world(c.answer));
      assert.equal(r.passed, c.passed, r.explanation);
      if (c.observed) assert.equal(r.observed, c.observed);
      if (c.explanation) assert.match(r.explanation, c.explanation);
    });
  }
});
