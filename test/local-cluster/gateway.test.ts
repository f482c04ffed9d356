/**
 * The Gateway API on the local cluster (`cluster up --ingress`), with the real kubectl: chapter
 * 7's Gateway (HTTPS with a self-signed wildcard certificate, and HTTP) in namespace infra and
 * its HTTPRoute in namespace shop, applied with `kubectl apply -f` once the backends run; curl
 * from outside the cluster (`curl --resolve`, SNI) reaches the right Services, the 90/10 split
 * favours the heavy backend, `kubectl get` shows the controller's address and conditions, and a
 * changed route is served.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cannotRunKubectl, cli, pods, until, kubectlFor, type Kubectl } from './harness.ts';

const skip = cannotRunKubectl() ?? (spawnSync('openssl', ['version']).status === 0 ? undefined : 'openssl is not installed');
if (skip) console.log(`# skipped: ${skip}`);

const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.52';

const GATEWAY = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: public, namespace: infra }
spec:
  gatewayClassName: flatnet
  listeners:
    - name: https
      protocol: HTTPS
      port: 443
      hostname: "*.example.com"
      tls:
        mode: Terminate
        certificateRefs: [{ name: wildcard-example-tls }]
      allowedRoutes:
        namespaces: { from: All }
    - name: http
      protocol: HTTP
      port: 80
      hostname: "*.example.com"
      allowedRoutes:
        namespaces: { from: All }
`;

const ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: shop, namespace: shop }
spec:
  parentRefs: [{ name: public, namespace: infra }]
  hostnames: [shop.example.com]
  rules:
    - matches: [{ path: { type: PathPrefix, value: /api } }]
      backendRefs:
        - { name: api, port: 80, weight: 90 }
        - { name: api-canary, port: 80, weight: 10 }
    - backendRefs: [{ name: web, port: 80 }]
`;

describe('Gateway API (local cluster, --ingress)', { skip, timeout: 180_000 }, () => {
  const c = cli();
  const name = 'gwapi';
  const dir = mkdtempSync(join(tmpdir(), 'flatnet-gateway-'));
  let kubectl: Kubectl;
  let lbIP = '';
  const client = (...cmd: string[]) => c.run(['cluster', 'shell', 'client', '--name', name, '--', ...cmd]);
  const resolve = (url: string) => {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}:${lbIP}`;
  };
  /** curl from outside, the name resolved to the load-balancer address as DNS would. */
  const curl = (url: string, ...extra: string[]) => client('curl', '-sS', '-m', '3', '--resolve', resolve(url), ...extra, url);
  const apply = (yaml: string) => {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, yaml);
    const r = kubectl('apply', '-f', file);
    assert.equal(r.code, 0, r.err);
    return r.out;
  };

  before(async () => {
    const kubeconfig = /^export KUBECONFIG=(.+)$/m.exec(c.ok(['cluster', 'up', '--name', name, '--ingress']))![1]!;
    kubectl = kubectlFor(kubeconfig);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=*.example.com', '-addext', 'subjectAltName=DNS:*.example.com', '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt')], { stdio: 'ignore' });
    for (const ns of ['infra', 'shop']) assert.equal(kubectl('create', 'namespace', ns).code, 0);
    assert.equal(kubectl('create', 'secret', 'tls', 'wildcard-example-tls', '-n', 'infra', `--cert=${join(dir, 'tls.crt')}`, `--key=${join(dir, 'tls.key')}`).code, 0);
    const app = (n: string) => [
      `apiVersion: v1\nkind: Pod\nmetadata: {name: ${n}, namespace: shop, labels: {app: ${n}}}\nspec: {containers: [{name: ${n}, image: "${AGNHOST}", args: [netexec, --http-port=8080], ports: [{containerPort: 8080, name: http}]}]}`,
      `apiVersion: v1\nkind: Service\nmetadata: {name: ${n}, namespace: shop}\nspec: {selector: {app: ${n}}, ports: [{name: http, port: 80, targetPort: http}]}`,
    ];
    c.ok(['cluster', 'apply', '--name', name, '-f', '-'], [...app('api'), ...app('api-canary'), ...app('web')].join('\n---\n'));
    await until('pods Running', () => pods(c, name).filter((p) => p.namespace === 'shop' && p.status === 'Running').length === 3, 60_000);
    lbIP = await until('the controller has an address', () => kubectl('get', 'svc', 'ingress-flatnet-controller', '-n', 'ingress-flatnet', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}').out);
    // As a learner would: the Gateway and the route come after the backends run.
    assert.match(apply(GATEWAY), /gateway\.gateway\.networking\.k8s\.io\/public created/);
    assert.match(apply(ROUTE), /httproute\.gateway\.networking\.k8s\.io\/shop created/);
    await until('the route is served', () => curl('http://shop.example.com/hostname').out.trim() === 'web', 10_000);
  });
  after(() => c.run(['cluster', 'down', '--name', name]));

  it('shows GatewayClass flatnet accepted, and the Gateway programmed at the controller\'s address', async () => {
    assert.match(kubectl('get', 'gatewayclass', 'flatnet', '--no-headers').out, /^flatnet\s+flatnet\.dev\/gateway-controller\s+True\s/);
    const out = await until('PROGRAMMED True', () => {
      const o = kubectl('get', 'gateway', '-n', 'infra').out;
      return /True/.test(o) && o;
    });
    assert.match(out, /^NAME\s+CLASS\s+ADDRESS\s+PROGRAMMED\s+AGE\n/);
    assert.match(out, new RegExp(`^public\\s+flatnet\\s+${lbIP.replaceAll('.', '\\.')}\\s+True\\s+\\d+s\\n`, 'm'));
    assert.equal(kubectl('get', 'gateway', 'public', '-n', 'infra', '-o', 'jsonpath={.status.listeners[*].attachedRoutes}').out, '1 1');
  });

  it('shows the route\'s hostnames and its Accepted and ResolvedRefs conditions', () => {
    assert.match(kubectl('get', 'httproute', '-n', 'shop').out, /^NAME\s+HOSTNAMES\s+AGE\nshop\s+\["shop\.example\.com"\]\s+\d+s\n$/);
    assert.equal(kubectl('get', 'httproute', 'shop', '-n', 'shop', '-o', 'jsonpath={.status.parents[0].conditions[*].type} {.status.parents[0].conditions[*].status}').out, 'Accepted ResolvedRefs True True');
  });

  it('routes /api and / to different Services, over HTTP and over HTTPS with the wildcard certificate for the SNI name', () => {
    assert.equal(curl('http://shop.example.com/hostname').out.trim(), 'web');
    assert.match(curl('http://shop.example.com/api/hostname').out.trim(), /^api(-canary)?$/);
    const tls = curl('https://shop.example.com/hostname', '-k', '-v');
    assert.equal(tls.out.trim(), 'web');
    assert.match(tls.err, /subject: CN=\*\.example\.com/);
    assert.match(curl('http://other.example.org/', '-o', '/dev/null', '-w', '%{http_code}').out, /^404$/);
  });

  it('splits /api 90/10 between api and api-canary', () => {
    const url = 'http://shop.example.com/api/hostname';
    const r = client('sh', '-c', `for i in $(seq 100); do curl -sS -m 3 --resolve ${resolve(url)} ${url}; echo; done`);
    const counts: Record<string, number> = {};
    for (const line of r.out.split('\n').filter(Boolean)) counts[line.trim()] = (counts[line.trim()] ?? 0) + 1;
    assert.deepEqual(Object.keys(counts).sort(), ['api', 'api-canary'], JSON.stringify(counts));
    assert.ok(counts.api! > 3 * counts['api-canary']!, JSON.stringify(counts));
  });

  it('refuses an invalid route with the CRD\'s message', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, ROUTE.replace('{ name: web, port: 80 }', '{ name: web }'));
    const r = kubectl('apply', '-f', file);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /The HTTPRoute "shop" is invalid: spec\.rules\[1\]\.backendRefs\[0\]: Invalid value: "object": Must have port for Service reference/);
  });

  it('serves a changed route', async () => {
    apply(ROUTE.replace('weight: 90', 'weight: 0').replace('weight: 10', 'weight: 1'));
    await until('all of /api goes to the canary', () => [1, 2, 3, 4, 5].every(() => curl('http://shop.example.com/api/hostname').out.trim() === 'api-canary'), 10_000);
  });
});
