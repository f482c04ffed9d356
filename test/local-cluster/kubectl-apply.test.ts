/**
 * The real kubectl's server-side writes against the local cluster: `apply --server-side`
 * (create, unchanged, changed, a field removed, conflicts and --force-conflicts), the server
 * dry runs of apply, create and delete, and `kubectl diff`. Every step reads the object back.
 * Skipped with a message where kubectl is not installed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cannotRunKubectl, cli } from './harness.ts';

const skip = cannotRunKubectl();
if (skip) console.log(`# skipped: ${skip}`);

const policy = (from: string, extra = '') => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web
  namespace: lab${extra}
spec:
  podSelector:
    matchLabels: {app: web}
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector: {matchLabels: {app: ${from}}}
`;

describe('kubectl apply --server-side, --dry-run=server and diff against the local cluster', { skip }, () => {
  const c = cli();
  const name = 'ssa';
  let kubeconfig = '';
  const kubectl = (args: string[]) => {
    const r = spawnSync('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(c.stateDir, 'kube-cache') }, encoding: 'utf8', timeout: 30_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const file = (text: string, base = 'np.yaml') => {
    const path = join(c.stateDir, base);
    writeFileSync(path, text);
    return path;
  };
  const json = (...args: string[]) => {
    const r = kubectl(['get', ...args, '-o', 'json', '--show-managed-fields']);
    assert.equal(r.code, 0, r.err);
    return JSON.parse(r.out) as { metadata: { resourceVersion: string; labels?: Record<string, string>; managedFields?: { manager: string; operation: string; fieldsV1: object }[] }; spec: Record<string, unknown>; data?: Record<string, string> };
  };

  before(() => {
    const out = c.ok(['cluster', 'up', '--name', name]);
    kubeconfig = /^export KUBECONFIG=(.+)$/m.exec(out)![1]!;
    assert.equal(kubectl(['create', 'namespace', 'lab']).code, 0);
  });
  after(() => c.run(['cluster', 'down', '--name', name]));

  it('creates, leaves alone, changes and prunes with --server-side', () => {
    assert.deepEqual(kubectl(['apply', '--server-side', '-f', file(policy('front'))]), { code: 0, out: 'networkpolicy.networking.k8s.io/web serverside-applied\n', err: '' });
    const created = json('netpol', 'web', '-n', 'lab');
    assert.deepEqual(created.spec.ingress, [{ from: [{ podSelector: { matchLabels: { app: 'front' } } }] }]);
    assert.deepEqual(
      created.metadata.managedFields?.map((e) => [e.manager, e.operation, e.fieldsV1]),
      [['kubectl', 'Apply', { 'f:spec': { 'f:ingress': {}, 'f:podSelector': {}, 'f:policyTypes': {} } }]],
    );
    // kubectl 1.32 hides managedFields unless asked.
    assert.doesNotMatch(kubectl(['get', 'netpol', 'web', '-n', 'lab', '-o', 'yaml']).out, /managedFields/);

    assert.equal(kubectl(['apply', '--server-side', '-f', file(policy('front'))]).out, 'networkpolicy.networking.k8s.io/web serverside-applied\n');
    assert.equal(json('netpol', 'web', '-n', 'lab').metadata.resourceVersion, created.metadata.resourceVersion, 'an unchanged apply stores nothing');

    assert.equal(kubectl(['apply', '--server-side', '-f', file(policy('api'))]).code, 0);
    const changed = json('netpol', 'web', '-n', 'lab');
    assert.deepEqual(changed.spec.ingress, [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }] }]);
    assert.notEqual(changed.metadata.resourceVersion, created.metadata.resourceVersion);

    const withoutIngress = policy('api').replace(/ {2}ingress:\n[\s\S]*$/, '');
    assert.equal(kubectl(['apply', '--server-side', '-f', file(withoutIngress)]).code, 0);
    const pruned = json('netpol', 'web', '-n', 'lab');
    assert.equal(pruned.spec.ingress, undefined);
    assert.deepEqual(pruned.spec.podSelector, { matchLabels: { app: 'web' } });
    assert.equal(kubectl(['apply', '--server-side', '-f', file(policy('api'))]).code, 0);
  });

  it('refuses to take a field kubectl label set, as kube-apiserver words it; --force-conflicts takes it', () => {
    assert.equal(kubectl(['label', 'netpol', 'web', '-n', 'lab', 'env=dev']).code, 0);
    const labelled = policy('api', '\n  labels: {env: prod}');
    const r = kubectl(['apply', '--server-side', '-f', file(labelled)]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^error: Apply failed with 1 conflict: conflict with "kubectl-label" using networking\.k8s\.io\/v1: \.metadata\.labels\.env\nPlease review the fields above/);
    assert.deepEqual(json('netpol', 'web', '-n', 'lab').metadata.labels, { env: 'dev' });

    assert.equal(kubectl(['apply', '--server-side', '--force-conflicts', '-f', file(labelled)]).code, 0);
    const forced = json('netpol', 'web', '-n', 'lab');
    assert.deepEqual(forced.metadata.labels, { env: 'prod' });
    assert.deepEqual(forced.metadata.managedFields?.find((e) => e.manager === 'kubectl')?.fieldsV1, {
      'f:metadata': { 'f:labels': { 'f:env': {} } },
      'f:spec': { 'f:ingress': {}, 'f:podSelector': {}, 'f:policyTypes': {} },
    });
  });

  it('a manager meets what client-side apply set; kubectl itself takes it over', () => {
    const cm = (a: string) => file(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: lab}\ndata: {a: "${a}"}\n`, 'cm.yaml');
    assert.equal(kubectl(['apply', '-f', cm('1')]).out, 'configmap/cfg created\n');
    assert.deepEqual(json('cm', 'cfg', '-n', 'lab').metadata.managedFields?.map((e) => [e.manager, e.operation]), [['kubectl-client-side-apply', 'Update']]);
    const r = kubectl(['apply', '--server-side', '--field-manager=ci', '-f', cm('2')]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^error: Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: \.data\.a\n/);
    assert.equal(json('cm', 'cfg', '-n', 'lab').data?.a, '1');
    assert.equal(kubectl(['apply', '--server-side', '-f', cm('3')]).code, 0);
    assert.equal(json('cm', 'cfg', '-n', 'lab').data?.a, '3');
  });

  it('server dry runs print "(server dry run)" and store nothing', () => {
    const before = json('netpol', 'web', '-n', 'lab');
    const changed = file(policy('db', '\n  labels: {env: prod}'), 'dry.yaml');
    assert.deepEqual(kubectl(['apply', '--server-side', '--dry-run=server', '-f', changed]), { code: 0, out: 'networkpolicy.networking.k8s.io/web serverside-applied (server dry run)\n', err: '' });
    assert.equal(kubectl(['apply', '--dry-run=server', '-f', changed]).out, 'networkpolicy.networking.k8s.io/web configured (server dry run)\n');
    assert.equal(json('netpol', 'web', '-n', 'lab').metadata.resourceVersion, before.metadata.resourceVersion);

    const other = file(policy('db').replace('name: web', 'name: other'), 'other.yaml');
    assert.equal(kubectl(['create', '--dry-run=server', '-f', other]).out, 'networkpolicy.networking.k8s.io/other created (server dry run)\n');
    assert.equal(kubectl(['apply', '--server-side', '--dry-run=server', '-f', other]).out, 'networkpolicy.networking.k8s.io/other serverside-applied (server dry run)\n');
    assert.equal(kubectl(['create', 'namespace', 'dry', '--dry-run=server']).out, 'namespace/dry created (server dry run)\n');
    assert.match(kubectl(['get', 'netpol', 'other', '-n', 'lab']).err, /NotFound/);
    assert.match(kubectl(['get', 'namespace', 'dry']).err, /NotFound/);

    assert.equal(kubectl(['delete', 'netpol', 'web', '-n', 'lab', '--dry-run=server']).out, 'networkpolicy.networking.k8s.io "web" deleted (server dry run)\n');
    assert.equal(kubectl(['delete', 'namespace', 'lab', '--dry-run=server']).out, 'namespace "lab" deleted (server dry run)\n');
    assert.equal(json('netpol', 'web', '-n', 'lab').metadata.resourceVersion, before.metadata.resourceVersion);
    assert.equal(kubectl(['get', 'namespace', 'lab', '-o', 'jsonpath={.status.phase}']).out, 'Active');
  });

  it('kubectl diff: exit 0 and nothing when the same, exit 1 and a unified diff when not', () => {
    const same = file(policy('api', '\n  labels: {env: prod}'), 'same.yaml');
    for (const args of [['diff', '-f', same], ['diff', '--server-side', '-f', same]]) assert.deepEqual(kubectl(args), { code: 0, out: '', err: '' }, args.join(' '));

    const changed = file(policy('db', '\n  labels: {env: prod}'), 'changed.yaml');
    const live = json('netpol', 'web', '-n', 'lab') as { metadata: { generation?: number; resourceVersion: string } };
    const generation = live.metadata.generation!;
    for (const args of [['diff', '-f', changed], ['diff', '--server-side', '-f', changed]]) {
      const r = kubectl(args);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.err}`);
      assert.match(r.out, /^diff -u -N \S+\/networking\.k8s\.io\.v1\.NetworkPolicy\.lab\.web \S+\/networking\.k8s\.io\.v1\.NetworkPolicy\.lab\.web$/m);
      // Exactly what changes: the spec, and the generation a spec change brings.
      const changes = r.out.split('\n').filter((l) => /^[-+] /.test(l));
      assert.deepEqual(changes, [`-  generation: ${generation}`, `+  generation: ${generation + 1}`, '-          app: api', '+          app: db'], args.join(' '));
    }
    assert.equal(json('netpol', 'web', '-n', 'lab').metadata.resourceVersion, live.metadata.resourceVersion);

    const created = kubectl(['diff', '-f', file(policy('db').replace('name: web', 'name: brand-new'), 'new.yaml')]);
    assert.equal(created.code, 1);
    assert.match(created.out, /^\+kind: NetworkPolicy$/m);
    assert.match(created.out, /^\+ {2}name: brand-new$/m);
    assert.match(kubectl(['get', 'netpol', 'brand-new', '-n', 'lab']).err, /NotFound/);
  });
});
