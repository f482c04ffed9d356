/**
 * The real kubectl against the local cluster's API server (issue 6, first part): discovery,
 * the version it must report, server-side Tables, selectors, errors as kubectl prints them,
 * and authentication. Skipped with a message where kubectl is not installed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cannotRunKubectl, cli } from './harness.ts';

const skip = cannotRunKubectl();
if (skip) console.log(`# skipped: ${skip}`);

describe('kubectl get against the local cluster', { skip }, () => {
  const c = cli();
  const name = 'kubectl';
  let kubeconfig = '';
  const kubectl = (args: string[], config = kubeconfig) => {
    const r = spawnSync('kubectl', args, { env: { ...process.env, KUBECONFIG: config, KUBECACHEDIR: join(c.stateDir, 'kube-cache') }, encoding: 'utf8', timeout: 30_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  before(() => {
    const out = c.ok(['cluster', 'up', '--name', name]);
    kubeconfig = /^export KUBECONFIG=(.+)$/m.exec(out)![1]!;
    assert.equal(c.ok(['cluster', 'kubeconfig', '--name', name]).trim(), kubeconfig);
    c.ok(['cluster', 'apply', '--name', name, '-f', '-'], 'apiVersion: v1\nkind: Namespace\nmetadata: {name: lab}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: lab, labels: {app: web, tier: front}}\nspec: {containers: [{name: web, image: "nginx:alpine"}]}\n');
  });
  after(() => c.run(['cluster', 'down', '--name', name]));

  it('reports Kubernetes 1.32, so the kubectl dispatcher runs its 1.32', () => {
    const r = kubectl(['version']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^Server Version: v1\.32\.\d+-flatnet$/m);
  });

  it('prints pods as kube-apiserver does, wide columns with -o wide', async () => {
    let r = kubectl(['get', 'pods', '-n', 'lab', '-o', 'wide']);
    for (let i = 0; i < 50 && !/Running/.test(r.out); i++) {
      await new Promise((res) => setTimeout(res, 200));
      r = kubectl(['get', 'pods', '-n', 'lab', '-o', 'wide']);
    }
    assert.match(r.out, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/m);
    assert.match(r.out, /^web\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.0\.\d+\s+flatnet-kubectl-control-plane\s+<none>\s+<none>$/m);
  });

  it('lists every namespace with -A and filters with -l and --field-selector', () => {
    const all = kubectl(['get', 'pods', '-A']);
    assert.match(all.out, /^NAMESPACE\s+NAME/m);
    assert.match(all.out, /^kube-system\s+coredns-/m);
    assert.match(kubectl(['get', 'pods', '-A', '-l', 'app in (web,db),tier=front', '--show-labels']).out, /^lab\s+web\s.*app=web,tier=front$/m);
    assert.equal(kubectl(['get', 'pods', '-A', '-l', 'app!=web', '--no-headers']).out.split('\n').filter(Boolean).length, 2);
    assert.match(kubectl(['get', 'pods', '-A', '--field-selector', 'metadata.name=web']).out, /^lab\s+web/m);
    assert.match(kubectl(['get', 'pods', '-n', 'nope']).err, /^No resources found in nope namespace\.$/m);
  });

  it('prints Services, namespaces, nodes and the netpol short name', () => {
    assert.match(kubectl(['get', 'svc', '-n', 'kube-system']).out, /^kube-dns\s+ClusterIP\s+10\.96\.0\.10\s+<none>\s+53\/UDP,53\/TCP,9153\/TCP\s+\S+$/m);
    assert.match(kubectl(['get', 'ns']).out, /^lab\s+Active\s+\S+$/m);
    assert.match(kubectl(['get', 'nodes']).out, /^flatnet-kubectl-control-plane\s+Ready\s+control-plane\s+\S+\s+v1\.32\.0$/m);
    assert.equal(kubectl(['get', 'netpol', '-A']).code, 0);
  });

  it('returns objects for -o yaml', () => {
    const r = kubectl(['get', 'pod', 'web', '-n', 'lab', '-o', 'jsonpath={.kind} {.status.phase} {.metadata.labels.app}']);
    assert.equal(r.out, 'Pod Running web');
  });

  it('creates what kubectl 1.32 sends as protobuf: namespace, configmap, service', () => {
    assert.equal(kubectl(['create', 'namespace', 'made']).out, 'namespace/made created\n');
    assert.equal(kubectl(['create', 'configmap', 'cfg', '-n', 'made', '--from-literal=a=1']).out, 'configmap/cfg created\n');
    assert.equal(kubectl(['get', 'cm', 'cfg', '-n', 'made', '-o', 'jsonpath={.data.a}']).out, '1');
    assert.equal(kubectl(['create', 'service', 'clusterip', 'web', '-n', 'made', '--tcp=80:8080']).out, 'service/web created\n');
    assert.match(kubectl(['get', 'svc', 'web', '-n', 'made', '-o', 'wide']).out, /^web\s+ClusterIP\s+10\.96\.\d+\.\d+\s+<none>\s+80\/TCP\s+\S+\s+app=web$/m);
    assert.equal(kubectl(['create', 'namespace', 'made']).err.trim(), 'Error from server (AlreadyExists): namespaces "made" already exists');
  });

  it('kubectl logs: whole, --tail, --timestamps, -f until the pod goes, --previous', async () => {
    assert.equal(kubectl(['run', 'talker', '-n', 'lab', '--image=busybox:1.36', '--', 'sh', '-c', 'echo one; echo two; sleep 3600']).code, 0);
    let out = '';
    for (let i = 0; i < 50 && out !== 'one\ntwo\n'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      out = kubectl(['logs', 'talker', '-n', 'lab']).out;
    }
    assert.equal(out, 'one\ntwo\n');
    assert.equal(kubectl(['logs', 'talker', '-n', 'lab', '--tail=1']).out, 'two\n');
    assert.match(kubectl(['logs', 'talker', '-n', 'lab', '--timestamps', '--tail=1']).out, /^\d{4}-\d\d-\d\dT[\d:.]+Z two\n$/);
    // kubectl words this one itself (it looks the pod up before asking for logs).
    assert.equal(kubectl(['logs', 'nope', '-n', 'lab']).err.trim(), 'error: error from server (NotFound): pods "nope" not found in namespace "lab"');
    assert.equal(kubectl(['run', 'crash', '-n', 'lab', '--image=busybox:1.36', '--', 'sh', '-c', 'echo attempt; exit 3']).code, 0);
    let previous = '';
    for (let i = 0; i < 75 && previous !== 'attempt\n'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      previous = kubectl(['logs', 'crash', '-n', 'lab', '--previous']).out;
    }
    assert.equal(previous, 'attempt\n');
  });

  it('says NotFound as a real cluster does', () => {
    const r = kubectl(['get', 'pod', 'nope', '-n', 'lab']);
    assert.equal(r.code, 1);
    assert.equal(r.err.trim(), 'Error from server (NotFound): pods "nope" not found');
  });

  it('refuses a wrong token with 401', () => {
    const bad = join(c.stateDir, 'bad-kubeconfig');
    writeFileSync(bad, readFileSync(kubeconfig, 'utf8').replace(/token: .*/, 'token: not-the-token'));
    const r = kubectl(['get', 'pods'], bad);
    assert.equal(r.code, 1);
    assert.match(r.err, /Unauthorized|must be logged in/);
  });
});
