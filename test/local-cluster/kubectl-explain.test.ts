/**
 * The real kubectl's explain, validation and describe against the local cluster: `explain`
 * reads our OpenAPI (the same schema texts the editor shows), unknown fields fail, warn or are
 * dropped as kubectl's --validate asks, and describe reads like a real cluster's.
 * Skipped with a message where kubectl is not installed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { NetworkPolicyPeerSchema } from '../../checkers/k8s/schema/network-policy.ts';
import { cannotRunKubectl, cli, until } from './harness.ts';

const skip = cannotRunKubectl();
if (skip) console.log(`# skipped: ${skip}`);

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('kubectl explain, --validate and describe against the local cluster', { skip }, () => {
  const c = cli();
  const name = 'explain';
  let kubeconfig = '';
  const kubectl = (args: string[], input?: string) => {
    const r = spawnSync('kubectl', args, { input, env: { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(c.stateDir, 'kube-cache') }, encoding: 'utf8', timeout: 30_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const typo = (pod: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${pod}}\nspec:\n  restartPolicyy: Never\n  containers: [{name: c, image: busybox, command: [sleep, "3600"]}]\n`;

  before(() => {
    kubeconfig = /^export KUBECONFIG=(.+)$/m.exec(c.ok(['cluster', 'up', '--name', name]))![1]!;
  });
  after(() => c.run(['cluster', 'down', '--name', name]));

  it('explains NetworkPolicy fields with their Kubernetes types and our schema texts', () => {
    const r = kubectl(['explain', 'networkpolicy.spec.ingress.from']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^GROUP:\s+networking\.k8s\.io\nKIND:\s+NetworkPolicy\nVERSION:\s+v1\n/);
    assert.match(r.out, /^FIELD: from <\[\]NetworkPolicyPeer>$/m);
    assert.match(r.out, /^ {2}ipBlock\t<IPBlock>$/m);
    assert.match(r.out, /^ {2}namespaceSelector\t<LabelSelector>$/m);
    const text = NetworkPolicyPeerSchema.shape.podSelector.description!;
    assert.ok(squash(r.out).includes(squash(text)), `explain shows the schema's text: ${text}`);
    assert.match(kubectl(['explain', 'netpol.spec.ingress.ports.port']).out, /^FIELD: port <IntOrString>$/m);
  });

  it('explains Pods and Services too, enums included, and says when a field does not exist', () => {
    const r = kubectl(['explain', 'pod.spec.restartPolicy']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^FIELD: restartPolicy <string>\nENUM:\n {4}Always\n {4}OnFailure\n {4}Never$/m);
    assert.match(kubectl(['explain', 'svc.spec']).out, /^ {2}ports\t<\[\]ServicePort>$/m);
    const bad = kubectl(['explain', 'pod.spec.restartPolicyy']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.err, /field "restartPolicyy" does not exist/);
  });

  it('rejects an unknown field by default, as kube-apiserver does under kubectl\'s strict validation', () => {
    const r = kubectl(['apply', '-f', '-'], typo('strict'));
    assert.equal(r.code, 1);
    assert.equal(r.err.trim(), 'Error from server (BadRequest): error when creating "STDIN": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.restartPolicyy"');
    assert.match(kubectl(['get', 'pod', 'strict']).err, /NotFound/);
  });

  it('--validate=warn stores the object without the field and prints the warning; --validate=false drops it silently', () => {
    const warned = kubectl(['apply', '--validate=warn', '-f', '-'], typo('warned'));
    assert.equal(warned.code, 0, warned.err);
    assert.equal(warned.err.trim(), 'Warning: unknown field "spec.restartPolicyy"');
    assert.equal(kubectl(['get', 'pod', 'warned', '-o', 'jsonpath={.spec.restartPolicy}']).out, 'Always');
    const ignored = kubectl(['apply', '--validate=false', '-f', '-'], typo('ignored'));
    assert.equal(ignored.code, 0, ignored.err);
    assert.equal(ignored.err, '');
  });

  it('answers a new user\'s mistakes with the words a real cluster uses', () => {
    const err = (args: string[], input?: string) => {
      const r = kubectl(args, input);
      assert.notEqual(r.code, 0, `${args.join(' ')} should fail`);
      return r.err.trim();
    };
    assert.equal(err(['apply', '-f', '-'], 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n   labels: {}\n'), 'error: error parsing STDIN: error converting YAML to JSON: yaml: line 5: mapping values are not allowed in this context');
    assert.equal(
      err(['apply', '-f', '-'], 'apiVersion: extensions/v1beta1\nkind: NetworkPolicy\nmetadata: {name: p}\nspec: {podSelector: {}}\n'),
      'error: resource mapping not found for name: "p" namespace: "" from "STDIN": no matches for kind "NetworkPolicy" in version "extensions/v1beta1"\nensure CRDs are installed first',
    );
    const labelValue = 'a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character';
    assert.equal(err(['apply', '-f', '-'], 'apiVersion: v1\nkind: Pod\nmetadata: {name: lab, labels: {app: "-web"}}\nspec: {containers: [{name: c, image: busybox}]}\n').split(' (e.g.')[0], `The Pod "lab" is invalid: metadata.labels: Invalid value: "-web": ${labelValue}`);
    const dup = 'apiVersion: v1\nkind: Pod\nmetadata: {name: dup}\nspec: {containers: [{name: c, image: busybox, command: [sleep, "3600"]}]}\n';
    assert.equal(kubectl(['create', '-f', '-'], dup).code, 0);
    assert.equal(err(['create', '-f', '-'], dup), 'Error from server (AlreadyExists): error when creating "STDIN": pods "dup" already exists');
    assert.match(err(['label', 'pod', 'dup', 'bad key=v']), /^The Pod "dup" is invalid: metadata\.labels: Invalid value: "bad key": name part must consist of alphanumeric characters/);
  });

  it('reports a wrong value in the API server\'s words', () => {
    const r = kubectl(['apply', '-f', '-'], typo('v').replace('restartPolicyy: Never', 'restartPolicy: Sometimes'));
    assert.equal(r.err.trim(), 'The Pod "v" is invalid: spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"');
  });

  it('describes a NetworkPolicy and a pod, with the pod\'s events in the order they happened', async () => {
    const policy = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow-web}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {role: client}}}]\n    ports: [{port: 80}]\n';
    assert.equal(kubectl(['apply', '-f', '-'], policy).code, 0);
    const np = kubectl(['describe', 'networkpolicy', 'allow-web']);
    assert.equal(np.code, 0, np.err);
    assert.match(np.out, /^ {2}PodSelector: +app=web\n {2}Allowing ingress traffic:\n {4}To Port: 80\/TCP\n {4}From:\n {6}PodSelector: role=client\n {2}Not affecting egress traffic\n {2}Policy Types: Ingress$/m);
    const del = kubectl(['delete', 'networkpolicy', 'allow-web']);
    assert.equal(del.out, 'networkpolicy.networking.k8s.io "allow-web" deleted\n', del.err);
    assert.equal(kubectl(['get', 'netpol', 'allow-web']).err.trim(), 'Error from server (NotFound): networkpolicies.networking.k8s.io "allow-web" not found');
    await until('pod warned Running', () => /Running/.test(kubectl(['get', 'pod', 'warned']).out));
    const pod = kubectl(['describe', 'pod', 'warned']).out;
    assert.match(pod, /^Status:\s+Running$/m);
    const reasons = [...pod.slice(pod.indexOf('Events:')).matchAll(/^ {2}Normal {2}(\w+)/gm)].map((m) => m[1]);
    assert.deepEqual(reasons, ['Scheduled', 'Pulled', 'Created', 'Started']);
  });
});
