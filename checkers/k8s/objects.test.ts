import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FlatnetError } from '../errors.ts';
import { parseManifests } from './manifests.ts';
import { readObjects, unknownFields } from './objects.ts';

const policy = (spec: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: p
  namespace: data
spec:
${spec}`;

/** What a learner sees for each mistake: the API server's wording plus file, line, object and field. */
const cases: { name: string; yaml: string; message: string }[] = [
  {
    name: 'ipBlock /33',
    yaml: policy('  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock:\n        cidr: 10.0.0.0/33'),
    message:
      'flatnet: p.yaml:11: NetworkPolicy data/p: spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64) — the API server would reject this object too; correct the field',
  },
  {
    name: 'except outside cidr',
    yaml: policy('  podSelector: {}\n  egress:\n  - to:\n    - ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}'),
    message:
      'flatnet: p.yaml:10: NetworkPolicy data/p: spec.egress[0].to[0].ipBlock.except[0]: Invalid value: "10.1.0.0/24": must be a strict subset of `cidr` — the API server would reject this object too; correct the field',
  },
  {
    name: 'endPort below port',
    yaml: policy('  podSelector: {}\n  ingress:\n  - ports:\n    - port: 8080\n      endPort: 80'),
    message:
      'flatnet: p.yaml:11: NetworkPolicy data/p: spec.ingress[0].ports[0].endPort: Invalid value: 8080: must be greater than or equal to `port` — the API server would reject this object too; correct the field',
  },
  {
    name: 'endPort with a named port',
    yaml: policy('  podSelector: {}\n  ingress:\n  - ports:\n    - port: http\n      endPort: 90'),
    message:
      'flatnet: p.yaml:11: NetworkPolicy data/p: spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is non-numeric — the API server would reject this object too; correct the field',
  },
  {
    name: 'unknown protocol',
    yaml: policy('  podSelector: {}\n  ingress:\n  - ports:\n    - port: 80\n      protocol: ICMP'),
    message:
      'flatnet: p.yaml:11: NetworkPolicy data/p: spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP" — the API server would reject this object too; correct the field',
  },
  {
    name: 'In without values',
    yaml: policy('  podSelector:\n    matchExpressions:\n    - {key: app, operator: In}'),
    message:
      "flatnet: p.yaml:9: NetworkPolicy data/p: spec.podSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn' — the API server would reject this object too; correct the field",
  },
  {
    name: 'Exists with values',
    yaml: policy('  podSelector:\n    matchExpressions:\n    - {key: app, operator: Exists, values: [x]}'),
    message:
      "flatnet: p.yaml:9: NetworkPolicy data/p: spec.podSelector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist' — the API server would reject this object too; correct the field",
  },
  {
    name: 'unknown operator',
    yaml: policy('  podSelector:\n    matchExpressions:\n    - {key: app, operator: Equals, values: [x]}'),
    message:
      'flatnet: p.yaml:9: NetworkPolicy data/p: spec.podSelector.matchExpressions[0].operator: Unsupported value: "Equals": supported values: "In", "NotIn", "Exists", "DoesNotExist" — the API server would reject this object too; correct the field',
  },
  {
    name: 'empty peer',
    yaml: policy('  podSelector: {}\n  ingress:\n  - from:\n    - {}'),
    message: 'flatnet: p.yaml:10: NetworkPolicy data/p: spec.ingress[0].from[0]: Required value: must specify a peer — the API server would reject this object too; correct the field',
  },
  {
    name: 'ipBlock with a selector',
    yaml: policy('  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.0/8}\n      podSelector: {}'),
    message:
      'flatnet: p.yaml:10: NetworkPolicy data/p: spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer — the API server would reject this object too; correct the field',
  },
  {
    name: 'a typo in a field name',
    yaml: policy('  podSelector: {}\n  ingress:\n  - from:\n    - podselector: {}'),
    message:
      'flatnet: p.yaml:10: NetworkPolicy data/p: spec.ingress[0].from[0].podselector: strict decoding error: unknown field "spec.ingress[0].from[0].podselector" — the API server would reject this object too; correct the field',
  },
  {
    name: 'podSelector missing',
    yaml: policy('  policyTypes: [Ingress]'),
    message: 'flatnet: p.yaml:7: NetworkPolicy data/p: spec.podSelector: Required value — the API server would reject this object too; correct the field',
  },
  {
    name: 'a string where a list belongs',
    yaml: policy('  podSelector: {}\n  policyTypes: Ingress'),
    message: 'flatnet: p.yaml:8: NetworkPolicy data/p: spec.policyTypes: Invalid value: "Ingress": must be a list — the API server would reject this object too; correct the field',
  },
  {
    name: 'an invalid label value',
    yaml: policy('  podSelector:\n    matchLabels:\n      app: "-web"'),
    message:
      'flatnet: p.yaml:9: NetworkPolicy data/p: spec.podSelector.matchLabels: Invalid value: "-web": a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyValue\',  or \'my_value\',  or \'12345\', regex used for validation is \'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\') — the API server would reject this object too; correct the field',
  },
  {
    name: 'a port out of range',
    yaml: policy('  podSelector: {}\n  ingress:\n  - ports: [{port: 70000}]'),
    message:
      'flatnet: p.yaml:9: NetworkPolicy data/p: spec.ingress[0].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive — the API server would reject this object too; correct the field',
  },
  {
    name: 'the wrong apiVersion for NetworkPolicy',
    yaml: 'apiVersion: extensions/v1beta1\nkind: NetworkPolicy\nmetadata: {name: p}\nspec: {podSelector: {}}',
    message: 'flatnet: p.yaml:1: NetworkPolicy default/p: apiVersion: no matches for kind "NetworkPolicy" in version "extensions/v1beta1" — the API server would reject this object too; correct the field',
  },
  {
    name: 'a typo in a Pod spec field',
    yaml: 'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  restartPolicyy: Never\n  containers: [{name: c, image: busybox}]',
    message: 'flatnet: p.yaml:5: Pod default/a: spec.restartPolicyy: strict decoding error: unknown field "spec.restartPolicyy" — the API server would reject this object too; correct the field',
  },
  {
    name: 'a typo in metadata',
    yaml: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  lables: {app: x}\nspec: {ports: [{port: 80}]}',
    message: 'flatnet: p.yaml:5: Service default/s: metadata.lables: strict decoding error: unknown field "metadata.lables" — the API server would reject this object too; correct the field',
  },
  {
    name: 'an unknown restartPolicy, listed in the API server\'s order',
    yaml: 'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  restartPolicy: Sometimes\n  containers: [{name: c, image: busybox}]',
    message: 'flatnet: p.yaml:5: Pod default/a: spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never" — the API server would reject this object too; correct the field',
  },
  {
    name: 'an unknown Service type',
    yaml: 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: Public\n  ports: [{port: 80}]',
    message: 'flatnet: p.yaml:5: Service default/s: spec.type: Unsupported value: "Public": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort" — the API server would reject this object too; correct the field',
  },
  {
    name: 'a YAML syntax error',
    yaml: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n   labels: {}\n',
    message: 'flatnet: p.yaml:4:9: YAML syntax error: Nested mappings are not allowed in compact mappings — fix the YAML at that line (indentation and `key: value` pairs are the usual cause)',
  },
];

describe('invalid input: messages a learner sees', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.throws(
        () => readObjects(parseManifests(c.yaml, 'p.yaml')),
        (e: unknown) => {
          assert.ok(e instanceof FlatnetError);
          assert.equal(e.format(), c.message);
          return true;
        },
      );
    });
  }

  it('reports every invalid field, not only the first', () => {
    const yaml = policy('  podSelector: {}\n  ingress:\n  - ports: [{port: 0}, {port: http, endPort: 9}]');
    assert.throws(
      () => readObjects(parseManifests(yaml, 'p.yaml')),
      (e: unknown) => e instanceof FlatnetError && e.details.length === 2 && e.format().split('\n').length === 2,
    );
  });

  it('skips kinds the engine does not use', () => {
    const set = readObjects(parseManifests('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {}', 'd.yaml'));
    assert.deepEqual([set.namespaces, set.pods, set.services, set.policies].map((l) => l.length), [0, 0, 0, 0]);
  });

  it('unpacks a List (kubectl get -o yaml)', () => {
    const list = 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: x}\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: "Y"}';
    assert.throws(
      () => readObjects(parseManifests(list, 'l.yaml')),
      (e: unknown) => e instanceof FlatnetError && /^flatnet: l\.yaml:9: Namespace Y: metadata\.name: Invalid value: "Y": a lowercase RFC 1123 label/.test(e.format()),
    );
  });
});

describe('unknownFields: what a strict decode rejects', () => {
  const pod = (extra: Record<string, unknown>, container: Record<string, unknown> = {}) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'a' },
    spec: { containers: [{ name: 'c', image: 'busybox', ...container }], ...extra },
  });
  const cases: { name: string; object: unknown; want: (string | number)[][] }[] = [
    { name: 'none', object: pod({}), want: [] },
    { name: 'a spec typo', object: pod({ restartPolicyy: 'Never' }), want: [['spec', 'restartPolicyy']] },
    { name: 'a container typo, next to a known open field', object: pod({}, { imagee: 'x', securityContext: { anything: 1 } }), want: [['spec', 'containers', 0, 'imagee']] },
    { name: 'two at once, even with other errors', object: pod({ a: 1, restartPolicy: 'Sometimes' }, { b: 2 }), want: [['spec', 'containers', 0, 'b'], ['spec', 'a']] },
    { name: 'a kind the engine does not model', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, dataa: {} }, want: [] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(unknownFields(c.object).sort(), c.want.sort()));

  it('accepts what the API server itself writes (kubectl get -o yaml | kubectl apply -f -)', () => {
    const stored = {
      ...pod({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', enableServiceLinks: true, tolerations: [{ key: 'k', operator: 'Exists' }], nodeName: 'n' }, { imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {} }),
      metadata: { name: 'a', namespace: 'default', uid: 'u', resourceVersion: '7', creationTimestamp: '2026-11-26T00:00:00Z', managedFields: [{ manager: 'kubectl' }], annotations: { a: 'b' } },
      status: { phase: 'Running', podIP: '10.244.0.5', podIPs: [{ ip: '10.244.0.5' }], hostIP: '172.18.0.2', hostIPs: [{ ip: '172.18.0.2' }], conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'c', ready: true }], qosClass: 'BestEffort', startTime: '2026-11-26T00:00:00Z' },
    };
    assert.deepEqual(unknownFields(stored), []);
    assert.equal(readObjects([stored]).pods.length, 1);
  });
});
