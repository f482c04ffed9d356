/**
 * LAB-4.1 (seed 002) on the local cluster through `flatnet cluster apply/exec`: pods run,
 * pod IPs answer, DNS resolves the Service, default-deny blocks, and the allow rules restore
 * exactly the flows the engine says — measured with real packets.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildCluster } from '../../checkers/engine/index.ts';
import { reach } from '../../checkers/reach.ts';
import { compareTables, renderMatrix, TruthTable, type ProbeResult } from '../../checkers/truth-table.ts';
import { call } from '../../runner/providers/local/client.ts';
import { cannotRunCluster, cli, pods, until } from './harness.ts';

const ref = (key: string) => ({ namespace: key.split('/')[0]!, name: key.split('/')[1]! });

const skip = cannotRunCluster();
if (skip) console.log(`# skipped: ${skip}`);

const NS = 'lab-networking';

describe('LAB-4.1 on the local cluster', { skip }, () => {
  const c = cli();
  const name = 'lab41';
  const apply = (yaml: string) => c.ok(['cluster', 'apply', '--name', name, '-f', '-'], yaml);
  const exec = (pod: string, ...cmd: string[]) => c.run(['cluster', 'exec', '--name', name, `${NS}/${pod}`, '--', ...cmd]);

  before(() => c.ok(['cluster', 'up', '--name', name]));
  after(() => c.run(['cluster', 'down', '--name', name]));

  it('step 1: the pods run', async () => {
    const out = apply(`apiVersion: v1
kind: Namespace
metadata: {name: ${NS}}
---
apiVersion: v1
kind: Pod
metadata: {name: frontend, namespace: ${NS}, labels: {app: frontend, tier: web}}
spec: {containers: [{name: frontend, image: "nginx:alpine"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: backend, namespace: ${NS}, labels: {app: backend, tier: api}}
spec: {containers: [{name: backend, image: "radial/busyboxplus:curl", args: [sleep, "3600"]}]}
`);
    assert.match(out, /^pod\/frontend created$/m);
    const running = await until('both pods Running', () => {
      const p = pods(c, name).filter((x) => x.namespace === NS);
      return p.length === 2 && p.every((x) => x.status === 'Running') && p;
    });
    assert.ok(running.every((p) => /^10\.244\.0\.\d+$/.test(p.ip)), JSON.stringify(running));
  });

  it('step 2: backend reaches frontend by pod IP (HTTP 200)', () => {
    const ip = pods(c, name).find((p) => p.name === 'frontend')!.ip;
    const r = exec('backend', 'curl', '-s', '-o', '/dev/null', '-w', 'HTTP %{http_code}', `http://${ip}`);
    assert.equal(r.out, 'HTTP 200', r.err);
  });

  it('step 3: nslookup backend resolves to the Service', () => {
    apply(`apiVersion: v1
kind: Service
metadata: {name: backend, namespace: ${NS}, labels: {app: backend}}
spec: {selector: {app: backend, tier: api}, ports: [{port: 80, targetPort: 8080}]}
`);
    const r = exec('frontend', 'nslookup', 'backend');
    assert.match(r.out, /Name:\s+backend\.lab-networking\.svc\.cluster\.local\nAddress:\s+10\.96\.\d+\.\d+/, r.out + r.err);
  });

  it('step 4: default-deny-all blocks, as the seed says', () => {
    apply(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-all, namespace: ${NS}}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
`);
    const seed = exec('backend', 'sh', '-c', 'curl -s --connect-timeout 5 http://frontend || echo "Connection blocked as expected!"');
    assert.match(seed.out, /Connection blocked as expected!/);
    // And by address, so it is the policy and not only the failed name lookup.
    const ip = pods(c, name).find((p) => p.name === 'frontend')!.ip;
    assert.equal(exec('backend', 'curl', '-s', '--connect-timeout', '2', `http://${ip}`).code, 28, 'curl timed out (dropped)');
  });

  it('step 5: the allow rules restore exactly what the engine says', () => {
    apply(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-frontend-to-backend, namespace: ${NS}}
spec:
  podSelector:
    matchLabels: {app: backend}
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector:
        matchLabels: {app: frontend}
    ports:
    - {protocol: TCP, port: 80}
`);
    const ip = Object.fromEntries(pods(c, name).map((p) => [p.name, p.ip]));
    // The seed's trap: frontend's egress is still denied, so frontend -> backend:80 stays blocked.
    assert.equal(exec('frontend', 'curl', '-s', '--connect-timeout', '2', `http://${ip.backend}`).code, 28, 'frontend -> backend:80 is still dropped');
    apply(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-frontend-egress, namespace: ${NS}}
spec:
  podSelector:
    matchLabels: {app: frontend}
  policyTypes: [Egress]
  egress:
  - to:
    - podSelector:
        matchLabels: {app: backend}
    ports:
    - {protocol: TCP, port: 80}
`);
    // backend serves nothing on 80 (it runs sleep): allowed shows as "refused" (7), denied as a timeout (28).
    assert.equal(exec('frontend', 'curl', '-s', '--connect-timeout', '2', `http://${ip.backend}`).code, 7, 'frontend -> backend:80 gets through');
    assert.equal(exec('backend', 'curl', '-s', '--connect-timeout', '2', `http://${ip.frontend}`).code, 28, 'backend -> frontend stays denied');
  });

  it('step 6: the node shows its CNI config, veths and Service rules', () => {
    const out = c.ok(['cluster', 'shell', '--name', name, 'node'], 'cat /etc/cni/net.d/*.conflist\nip -o link show type veth | wc -l\niptables-save -t nat | grep -c "^-A KUBE-SERVICES"\nexit\n');
    assert.match(out, /"type": "ptp"/);
    assert.match(out, /"type": "host-local"/);
    const numbers = out.match(/^\d+$/gm)!.map(Number);
    assert.ok(numbers[0]! >= 4, `a veth per pod (${numbers[0]})`);
    assert.ok(numbers[1]! >= 3, `KUBE-SERVICES rules (${numbers[1]})`);
  });

  it('live packets agree with the engine on every flow between the lab pods', async () => {
    process.env.FLATNET_STATE_DIR = c.stateDir;
    const policies = (await call<{ objects: unknown[] }>(name, 'GET', `/objects?resource=networkpolicies&namespace=${NS}`)).objects;
    const livePods = (await call<{ objects: { status?: { podIP?: string } }[] }>(name, 'GET', `/objects?resource=pods&namespace=${NS}`)).objects;
    const { cluster } = buildCluster([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }, ...livePods, ...policies]);
    const engine = reach(cluster, { port: 80, protocol: 'TCP' });
    const flows = [...engine.cells()].map((f) => ({ from: ref(f.from), to: ref(f.to), port: f.port, protocol: f.protocol }));
    const { results } = await call<{ results: ProbeResult[] }>(name, 'POST', '/probe', { flows });
    const diff = compareTables(engine, TruthTable.fromResults(results));
    assert.deepEqual(diff.wrong, [], renderMatrix(TruthTable.fromResults(results)));
    assert.equal(diff.correct, 2);
  });
});
