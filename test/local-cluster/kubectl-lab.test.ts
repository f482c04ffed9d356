/**
 * Seed 002's LAB-4.1, verbatim, with the real kubectl against the local cluster: every command
 * of the lab as the seed writes it (step 6 is GKE's node shell: `flatnet cluster shell node`).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cannotRunKubectl, cli } from './harness.ts';

const skip = cannotRunKubectl();
if (skip) console.log(`# skipped: ${skip}`);

describe('LAB-4.1 with kubectl', { skip }, () => {
  const c = cli();
  const name = 'lab41k';
  let env: NodeJS.ProcessEnv = {};
  const sh = (script: string) => {
    const r = spawnSync('bash', ['-c', script], { env, encoding: 'utf8', timeout: 90_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  before(() => {
    const kubeconfig = /^export KUBECONFIG=(.+)$/m.exec(c.ok(['cluster', 'up', '--name', name]))![1]!;
    env = { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(c.stateDir, 'kube-cache') };
  });
  after(() => c.run(['cluster', 'down', '--name', name]));

  it('step 1: deploy test pods and wait for them', () => {
    const run = sh(`kubectl create namespace lab-networking

kubectl run frontend --namespace lab-networking \\
  --image=nginx:alpine --labels="app=frontend,tier=web"
kubectl run backend --namespace lab-networking \\
  --image=radial/busyboxplus:curl --labels="app=backend,tier=api" \\
  -- sleep 3600
kubectl wait --for=condition=Ready pod/frontend pod/backend \\
  --namespace lab-networking --timeout=60s`);
    assert.equal(run.code, 0, run.err);
    assert.equal(run.out, 'namespace/lab-networking created\npod/frontend created\npod/backend created\npod/frontend condition met\npod/backend condition met\n');
  });

  it('step 2: kubectl get pods -o wide, then curl the frontend pod IP from backend', () => {
    const r = sh('kubectl get pods -n lab-networking -o wide');
    assert.match(r.out, /^backend\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.0\.\d+\s+flatnet-lab41k-control-plane/m);
    const ip = /^frontend\s+1\/1\s+Running\s+0\s+\S+\s+(10\.244\.0\.\d+)/m.exec(r.out)![1];
    const curl = sh(`kubectl exec backend -n lab-networking -- curl -s -o /dev/null \\
  -w "HTTP %{http_code}" http://${ip}`);
    assert.equal(curl.out, 'HTTP 200', curl.err);
  });

  it('step 3: kubectl expose pod backend', () => {
    const r = sh('kubectl expose pod backend -n lab-networking --port=80 --target-port=8080');
    assert.equal(r.out, 'service/backend exposed\n', r.err);
    assert.match(sh('kubectl get svc backend -n lab-networking').out, /^backend\s+ClusterIP\s+10\.96\.\d+\.\d+\s+<none>\s+80\/TCP\s+\S+$/m);
    const dns = sh('kubectl exec frontend -n lab-networking -- nslookup backend');
    assert.match(dns.out, /Name:\s+backend\.lab-networking\.svc\.cluster\.local\nAddress:\s+10\.96\.\d+\.\d+/, dns.err);
    // describe reads the EndpointSlice (its ports' names) and the Endpoints: the seed's --target-port=8080 shows here.
    const described = sh('kubectl describe svc backend -n lab-networking');
    assert.equal(described.code, 0, described.err);
    assert.match(described.out, /^TargetPort:\s+8080\/TCP$/m);
    assert.match(described.out, /^Endpoints:\s+10\.244\.\d+\.\d+:8080$/m);
  });

  it('steps 4 and 5: the policies apply, and apply again is configured/unchanged', () => {
    const deny = `cat <<EOF | kubectl apply -f -
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-all
  namespace: lab-networking
spec:
  podSelector: {}
  policyTypes:
    - Ingress
    - Egress
EOF`;
    assert.equal(sh(deny).out, 'networkpolicy.networking.k8s.io/default-deny-all created\n');
    assert.equal(sh(deny).out, 'networkpolicy.networking.k8s.io/default-deny-all unchanged\n');
    const blocked = sh(`kubectl exec backend -n lab-networking -- \\
  curl -s --connect-timeout 5 http://frontend \\
  || echo "Connection blocked as expected!"`);
    assert.equal(blocked.out, 'Connection blocked as expected!\n');
    const allow = sh(`cat <<EOF | kubectl apply -f -
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-frontend-to-backend
  namespace: lab-networking
spec:
  podSelector:
    matchLabels:
      app: backend
  policyTypes:
    - Ingress
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app: frontend
      ports:
        - protocol: TCP
          port: 80
EOF`);
    assert.equal(allow.out, 'networkpolicy.networking.k8s.io/allow-frontend-to-backend created\n', allow.err);
    assert.match(sh('kubectl get netpol -n lab-networking').out, /^allow-frontend-to-backend\s+app=backend\s+\S+$/m);
    // labs/lab-4-1 step 5 as written: the frontend's own egress is still denied, and wget says it timed out.
    const still = sh('BACKEND_IP=$(kubectl get pod backend -n lab-networking -o jsonpath="{.status.podIP}"); kubectl exec frontend -n lab-networking -- wget -qO- -T 5 http://$BACKEND_IP');
    assert.match(still.err, /^wget: download timed out$/m);
    assert.notEqual(still.code, 0);
  });

  it('kubectl label, get -o jsonpath, and errors as a real cluster prints them', () => {
    assert.equal(sh('kubectl label pod frontend -n lab-networking checked=yes').out, 'pod/frontend labeled\n');
    assert.equal(sh("kubectl get pod frontend -n lab-networking -o jsonpath='{.metadata.labels.checked}'").out, 'yes');
    assert.equal(sh('kubectl get pod nope -n lab-networking').err.trim(), 'Error from server (NotFound): pods "nope" not found');
    assert.match(sh('kubectl delete netpol nope -n lab-networking').err, /Error from server \(NotFound\): networkpolicies\.networking\.k8s\.io "nope" not found/);
  });

  it('kubectl exec passes exit codes, stdin and a terminal', () => {
    const r = sh("kubectl exec backend -n lab-networking -- sh -c 'exit 7'");
    assert.equal(r.code, 7);
    assert.equal(r.err.trim(), 'command terminated with exit code 7');
    assert.equal(sh('echo hello | kubectl exec -i backend -n lab-networking -- cat').out, 'hello\n');
    // -it under a real pseudo-terminal (script), with the size kubectl sends on start.
    const tty = sh(`script -q -c "stty cols 100 rows 30; kubectl exec -it backend -n lab-networking -- sh -c 'test -t 0 && echo TTY; stty size'" /dev/null`);
    assert.match(tty.out, /TTY\r?\n30 100/);
  });

  it('cleanup: kubectl delete namespace waits until everything is gone', () => {
    const r = sh('kubectl delete namespace lab-networking --wait=true');
    assert.equal(r.out, 'namespace "lab-networking" deleted\n', r.err);
    assert.match(sh('kubectl get ns lab-networking').err, /namespaces "lab-networking" not found/);
    assert.match(sh('kubectl get pods -n lab-networking').err, /No resources found in lab-networking namespace/);
  });
});
