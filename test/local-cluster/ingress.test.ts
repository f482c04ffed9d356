/**
 * Ingress on the local cluster (`cluster up --ingress`), with the real kubectl: seed 000's
 * Ingress with TLS (a self-signed certificate in a kubernetes.io/tls Secret) routes by host and
 * path to two Services; `curl --resolve` from outside the cluster, with SNI, gets the right
 * backend and certificate; `kubectl get ingress` shows the controller's address; a
 * NetworkPolicy that admits only the ingress controller's namespace still lets Ingress traffic
 * through and blocks a pod calling the backend directly; a changed Ingress is served within a second.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cannotRunKubectl, cli, pods, until, kubectlFor, type Kubectl } from './harness.ts';

const skip = cannotRunKubectl() ?? (spawnSync('openssl', ['version']).status === 0 ? undefined : 'openssl is not installed');
if (skip) console.log(`# skipped: ${skip}`);

const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.52';

describe('Ingress with TLS (local cluster, --ingress)', { skip, timeout: 120_000 }, () => {
  const c = cli();
  const name = 'ing';
  let kubectl: Kubectl;
  let lbIP = '';
  const client = (...cmd: string[]) => c.run(['cluster', 'shell', 'client', '--name', name, '--', ...cmd]);
  /** curl from outside, the name resolved to the load-balancer address as DNS would. */
  const curl = (url: string, ...extra: string[]) => {
    const u = new URL(url);
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    return client('curl', '-sS', '-m', '3', '--resolve', `${u.hostname}:${port}:${lbIP}`, ...extra, url);
  };

  before(async () => {
    const kubeconfig = /^export KUBECONFIG=(.+)$/m.exec(c.ok(['cluster', 'up', '--name', name, '--ingress']))![1]!;
    kubectl = kubectlFor(kubeconfig);
    const dir = mkdtempSync(join(tmpdir(), 'flatnet-ingress-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=api.example.com', '-addext', 'subjectAltName=DNS:api.example.com', '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt')], { stdio: 'ignore' });
    assert.equal(kubectl('create', 'namespace', 'shop').code, 0);
    assert.equal(kubectl('create', 'secret', 'tls', 'api-tls', '-n', 'shop', `--cert=${join(dir, 'tls.crt')}`, `--key=${join(dir, 'tls.key')}`).code, 0);
    const app = (n: string) => [
      `apiVersion: v1\nkind: Pod\nmetadata: {name: ${n}, namespace: shop, labels: {app: ${n}}}\nspec: {containers: [{name: ${n}, image: "${AGNHOST}", args: [netexec, --http-port=8080], ports: [{containerPort: 8080, name: http}]}]}`,
      `apiVersion: v1\nkind: Service\nmetadata: {name: ${n}-service, namespace: shop}\nspec: {selector: {app: ${n}}, ports: [{name: http, port: 80, targetPort: http}]}`,
    ];
    c.ok(['cluster', 'apply', '--name', name, '-f', '-'], [
      ...app('api'),
      ...app('web'),
      'apiVersion: v1\nkind: Pod\nmetadata: {name: intruder, namespace: shop}\nspec: {containers: [{name: c, image: "busybox:1.36", args: [sleep, "3600"]}]}',
      // Seed 000's Ingress, with spec.ingressClassName left to the default class.
      `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: api-ingress, namespace: shop}
spec:
  tls: [{hosts: [api.example.com], secretName: api-tls}]
  rules:
  - host: api.example.com
    http:
      paths:
      - {path: /v1, pathType: Prefix, backend: {service: {name: api-service, port: {number: 80}}}}
      - {path: /, pathType: Prefix, backend: {service: {name: web-service, port: {name: http}}}}`,
    ].join('\n---\n'));
    await until('pods Running', () => pods(c, name).filter((p) => p.namespace === 'shop' && p.status === 'Running').length === 3);
    lbIP = await until('the controller has an address', () => kubectl('get', 'svc', 'ingress-flatnet-controller', '-n', 'ingress-flatnet', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}').out);
    await until('the controller serves', () => curl('http://api.example.com/hostname').out.trim() === 'web');
  });
  after(() => c.run(['cluster', 'down', '--name', name]));

  it('gets the default class, and shows the controller\'s address', async () => {
    const row = await until('ADDRESS', () => {
      const out = kubectl('get', 'ingress', 'api-ingress', '-n', 'shop', '--no-headers').out;
      return out.includes(lbIP) && out;
    });
    assert.match(row, new RegExp(`^api-ingress\\s+flatnet\\s+api\\.example\\.com\\s+${lbIP.replaceAll('.', '\\.')}\\s+80, 443\\s`));
  });

  it('routes by path over HTTP and over HTTPS, with the Secret\'s certificate for the SNI name', () => {
    assert.equal(curl('http://api.example.com/v1/hostname').out.trim(), 'api');
    assert.equal(curl('https://api.example.com/v1/hostname', '-k').out.trim(), 'api');
    assert.equal(curl('https://api.example.com/hostname', '-k').out.trim(), 'web');
    const verbose = curl('https://api.example.com/hostname', '-k', '-v');
    assert.match(verbose.err, /subject: CN=api\.example\.com/);
  });

  it('answers 404 for a host no rule covers', () => {
    assert.match(curl('http://other.example.com/', '-o', '/dev/null', '-w', '%{http_code}').out, /^404$/);
  });

  it('lets Ingress traffic through a policy that admits only the controller\'s namespace, and blocks a direct call', async () => {
    c.ok(['cluster', 'apply', '--name', name, '-f', '-'], `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: only-from-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Ingress]
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-flatnet}}}]}]`);
    const apiIP = pods(c, name).find((p) => p.name === 'api')!.ip;
    await until('the intruder is blocked', () => c.run(['cluster', 'exec', '--name', name, 'shop/intruder', '--', 'wget', '-T', '2', '-qO-', `http://${apiIP}:8080/hostname`]).code !== 0);
    assert.equal(curl('https://api.example.com/v1/hostname', '-k').out.trim(), 'api');
  });

  it('serves a changed Ingress within a second', async () => {
    assert.equal(kubectl('patch', 'ingress', 'api-ingress', '-n', 'shop', '--type=json', '-p', '[{"op":"replace","path":"/spec/rules/0/http/paths/0/path","value":"/v2"}]').code, 0);
    const t = Date.now();
    await until('/v2 goes to api', () => curl('http://api.example.com/v2/hostname').out.trim() === 'api', 5000);
    assert.ok(Date.now() - t < 1500, `took ${Date.now() - t} ms`);
  });
});
