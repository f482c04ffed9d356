/**
 * Secret, IngressClass and Ingress on the local cluster's API server, driven by the real
 * kubectl: a TLS Secret from a self-signed certificate, the DefaultIngressClass defaulting,
 * kube-apiserver's columns, its validation messages, and apply (client- and server-side).
 * Skipped with a message where kubectl is not installed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cannotRunKubectl, cli } from './harness.ts';

const skip = cannotRunKubectl();
if (skip) console.log(`# skipped: ${skip}`);

const INGRESS = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  tls:
  - hosts: [foo.example.com]
    secretName: foo-tls
  rules:
  - host: foo.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
      - {path: /api, pathType: Exact, backend: {service: {name: api, port: {name: http}}}}
  - host: "*.bar.example.com"
    http:
      paths:
      - {path: /, pathType: ImplementationSpecific, backend: {service: {name: web, port: {number: 8080}}}}
`;

const CLASS = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: flatnet
  annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
spec: {controller: flatnet.dev/ingress}
`;

describe('Secret, IngressClass and Ingress through kubectl', { skip }, () => {
  const c = cli();
  const name = 'ingapi';
  let kubeconfig = '';
  const dir = mkdtempSync(join(tmpdir(), 'flatnet-ingress-api-'));
  const kubectl = (args: string[], input?: string) => {
    const r = spawnSync('kubectl', args, { input, env: { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(c.stateDir, 'kube-cache') }, encoding: 'utf8', timeout: 30_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const ok = (args: string[], input?: string) => {
    const r = kubectl(args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.err}`);
    return r.out;
  };
  const refused = (args: string[], input?: string) => {
    const r = kubectl(args, input);
    assert.notEqual(r.code, 0, `kubectl ${args.join(' ')} should fail: ${r.out}`);
    return r.err.trim();
  };

  before(() => {
    const out = c.ok(['cluster', 'up', '--name', name]);
    kubeconfig = /^export KUBECONFIG=(.+)$/m.exec(out)![1]!;
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=foo.example.com', '-days', '1', '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    ok(['create', 'namespace', 'shop']);
  });
  after(() => {
    c.run(['cluster', 'down', '--name', name]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a TLS Secret from a certificate and key, and a generic one (stringData merged into data)', () => {
    assert.match(ok(['create', 'secret', 'tls', 'foo-tls', '-n', 'shop', `--cert=${join(dir, 'tls.crt')}`, `--key=${join(dir, 'tls.key')}`]), /^secret\/foo-tls created$/m);
    assert.match(ok(['create', 'secret', 'generic', 'creds', '-n', 'shop', '--from-literal=user=admin', '--from-literal=pass=s3cret']), /^secret\/creds created$/m);
    ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: Secret\nmetadata: {name: plain, namespace: shop}\nstringData: {greeting: hello}\n');
    const out = ok(['get', 'secrets', '-n', 'shop']);
    assert.match(out, /^NAME\s+TYPE\s+DATA\s+AGE$/m);
    assert.match(out, /^foo-tls\s+kubernetes\.io\/tls\s+2\s+\S+$/m);
    assert.match(out, /^creds\s+Opaque\s+2\s+\S+$/m);
    assert.match(out, /^plain\s+Opaque\s+1\s+\S+$/m);
    const plain = JSON.parse(ok(['get', 'secret', 'plain', '-n', 'shop', '-o', 'json'])) as { type: string; data: Record<string, string>; stringData?: unknown };
    assert.equal(plain.type, 'Opaque');
    assert.deepEqual(plain.data, { greeting: Buffer.from('hello').toString('base64') });
    assert.equal(plain.stringData, undefined);
    const tls = JSON.parse(ok(['get', 'secret', 'foo-tls', '-n', 'shop', '-o', 'json'])) as { data: Record<string, string> };
    assert.match(Buffer.from(tls.data['tls.crt']!, 'base64').toString(), /^-----BEGIN CERTIFICATE-----/);
  });

  it('refuses a kubernetes.io/tls Secret without tls.key, and data that is not base64', () => {
    const noKey = refused(['apply', '-f', '-'], `apiVersion: v1\nkind: Secret\nmetadata: {name: half, namespace: shop}\ntype: kubernetes.io/tls\ndata: {tls.crt: ${Buffer.from('not even PEM').toString('base64')}}\n`);
    assert.match(noKey, /The Secret "half" is invalid: data\[tls\.key\]: Required value/);
    // The PEM is not parsed: both keys present is enough.
    ok(['apply', '-f', '-'], `apiVersion: v1\nkind: Secret\nmetadata: {name: junk, namespace: shop}\ntype: kubernetes.io/tls\ndata: {tls.crt: ${Buffer.from('x').toString('base64')}, tls.key: ${Buffer.from('y').toString('base64')}}\n`);
    const bad = refused(['apply', '-f', '-'], 'apiVersion: v1\nkind: Secret\nmetadata: {name: bad64, namespace: shop}\ndata: {k: "not*base64"}\n');
    assert.match(bad, /illegal base64 data at input byte/);
  });

  it('prints IngressClasses, and defaults the class of a new Ingress to the default one', () => {
    ok(['apply', '-f', '-'], CLASS);
    assert.match(ok(['get', 'ingressclass']), /^NAME\s+CONTROLLER\s+PARAMETERS\s+AGE\nflatnet\s+flatnet\.dev\/ingress\s+<none>\s+\S+$/m);
    assert.match(ok(['apply', '-f', '-'], INGRESS), /^ingress\.networking\.k8s\.io\/web created$/m);
    assert.equal(ok(['get', 'ing', 'web', '-n', 'shop', '-o', 'jsonpath={.spec.ingressClassName}']), 'flatnet');
    const out = ok(['get', 'ingress', '-n', 'shop']);
    assert.match(out, /^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE$/m);
    assert.match(out, /^web\s+flatnet\s+foo\.example\.com,\*\.bar\.example\.com\s+80, 443\s+\S+$/m);
    // Unchanged on a second apply, client- and server-side.
    assert.match(ok(['apply', '-f', '-'], INGRESS), /^ingress\.networking\.k8s\.io\/web unchanged$/m);
    assert.match(ok(['apply', '--server-side', '-f', '-'], INGRESS.replace('name: web,', 'name: web2,')), /^ingress\.networking\.k8s\.io\/web2 serverside-applied$/m);
    assert.equal(ok(['get', 'ing', 'web2', '-n', 'shop', '-o', 'jsonpath={.spec.ingressClassName}']), 'flatnet');
    const describe = ok(['describe', 'ingress', 'web', '-n', 'shop']);
    assert.match(describe, /^Ingress Class:\s+flatnet$/m);
    assert.match(describe, /foo-tls terminates foo\.example\.com/);
  });

  it('prints no host as *, more than three as "+ N more...", and port 80 alone without TLS', () => {
    const rules = ['a', 'b', 'c', 'd', 'e'].map((h) => `  - host: ${h}.example.com\n    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}\n`).join('');
    ok(['apply', '-f', '-'], `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: many, namespace: shop}\nspec:\n  rules:\n${rules}`);
    ok(['apply', '-f', '-'], 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: catchall, namespace: shop}\nspec:\n  ingressClassName: other\n  defaultBackend: {service: {name: web, port: {number: 80}}}\n');
    const out = ok(['get', 'ingress', '-n', 'shop']);
    assert.match(out, /^many\s+flatnet\s+a\.example\.com,b\.example\.com,c\.example\.com \+ 2 more\.\.\.\s+80\s+\S+$/m);
    assert.match(out, /^catchall\s+other\s+\*\s+80\s+\S+$/m);
  });

  it('writes status through the status subresource only, shows it as ADDRESS, and keeps it across applies', () => {
    const lb = (ips: string[]) => JSON.stringify({ status: { loadBalancer: { ingress: ips.map((ip) => ({ ip })) } }, spec: { ingressClassName: 'ignored' } });
    assert.match(ok(['patch', 'ingress', 'web', '-n', 'shop', '--subresource=status', '--type=merge', '-p', lb(['172.18.255.201', '172.18.255.200'])]), /^ingress\.networking\.k8s\.io\/web patched$/m);
    assert.equal(ok(['get', 'ing', 'web', '-n', 'shop', '-o', 'jsonpath={.spec.ingressClassName}']), 'flatnet', 'a status write changes no spec');
    assert.match(ok(['get', 'ingress', 'web', '-n', 'shop']), /^web\s+flatnet\s+foo\.example\.com,\*\.bar\.example\.com\s+172\.18\.255\.200,172\.18\.255\.201\s+80, 443\s+\S+$/m);
    ok(['apply', '-f', '-'], INGRESS.replace('secretName: foo-tls', 'secretName: foo-tls2'));
    ok(['apply', '-f', '-'], INGRESS);
    assert.equal(ok(['get', 'ing', 'web', '-n', 'shop', '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}']), '172.18.255.201 172.18.255.200');
    assert.match(ok(['describe', 'ingress', 'web', '-n', 'shop']), /^Address:\s+172\.18\.255\.200,172\.18\.255\.201$/m);
    assert.match(refused(['patch', 'ingress', 'web', '-n', 'shop', '--subresource=status', '--type=merge', '-p', lb(['300.1.1.1'])]), /status\.loadBalancer\.ingress\[0\]\.ip: Invalid value: "300\.1\.1\.1": must be a valid IP address/);
  });

  it('refuses invalid Ingresses with kube-apiserver messages', () => {
    const ing = (path: string) => `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: bad, namespace: shop}\nspec:\n  rules:\n  - http:\n      paths:\n      - ${path}\n`;
    assert.match(refused(['apply', '-f', '-'], ing('{path: /, backend: {service: {name: web, port: {number: 80}}}}')), /The Ingress "bad" is invalid: spec\.rules\[0\]\.http\.paths\[0\]\.pathType: Required value: pathType must be specified/);
    assert.match(refused(['apply', '-f', '-'], ing('{path: foo, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}')), /The Ingress "bad" is invalid: spec\.rules\[0\]\.http\.paths\[0\]\.path: Invalid value: "foo": must be an absolute path/);
    assert.match(refused(['apply', '-f', '-'], ing('{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80, name: http}}}}')), /The Ingress "bad" is invalid: spec\.rules\[0\]\.http\.paths\[0\]\.backend: Invalid value: "": cannot set both port name & port number/);
    assert.match(refused(['apply', '-f', '-'], ing('{path: /, pathType: Regex, backend: {service: {name: web, port: {number: 80}}}}')), /pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"/);
    assert.match(refused(['apply', '-f', '-'], 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: bad, namespace: shop}\nspec:\n  rules:\n  - host: "foo.*.com"\n    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}\n'), /spec\.rules\[0\]\.host: Invalid value: "foo\.\*\.com": a wildcard DNS-1123 subdomain must start with/);
    assert.match(refused(['apply', '-f', '-'], 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: bad, namespace: shop}\nspec: {}\n'), /spec: Invalid value: .*either `defaultBackend` or `rules` must be specified/);
    // Several errors: one cause each, which kubectl prints as a list.
    const several = refused(['apply', '-f', '-'], ing('{path: foo, backend: {service: {name: web, port: {}}}}'));
    assert.match(several, /^The Ingress "bad" is invalid: \n\* spec\.rules\[0\]\.http\.paths\[0\]\.pathType: Required value: pathType must be specified\n\* spec\.rules\[0\]\.http\.paths\[0\]\.backend: Required value: port name or number is required$/m);
    assert.equal(kubectl(['get', 'ing', 'bad', '-n', 'shop']).code, 1);
  });

  it('explains the three kinds, and treats unknown fields as kube-apiserver does', () => {
    const spec = ok(['explain', 'ingress.spec']);
    assert.match(spec, /^GROUP:\s+networking\.k8s\.io$/m);
    assert.match(spec, /^FIELD: spec <IngressSpec>$/m);
    assert.match(spec, /^ {2}rules\t<\[\]IngressRule>$/m);
    assert.match(ok(['explain', 'ingress.spec.rules.http.paths.pathType']), /^FIELD: pathType <string>$/m);
    assert.match(ok(['explain', 'secret']), /^ {2}stringData\t<map\[string\]string>$/m);
    assert.match(ok(['explain', 'ingressclass.spec']), /^ {2}controller\t<string>$/m);
    const strict = refused(['apply', '-f', '-'], 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: odd, namespace: shop}\nspec: {defaultBackend: {service: {name: web, port: {number: 80}}}, x: 1}\n');
    assert.match(strict, /Ingress in version "v1" cannot be handled as a Ingress: strict decoding error: unknown field "spec\.x"/);
    const warned = kubectl(['apply', '--validate=warn', '-f', '-'], 'apiVersion: v1\nkind: Secret\nmetadata: {name: odd, namespace: shop}\nstringData: {a: b}\nfoo: 1\n');
    assert.equal(warned.code, 0, warned.err);
    assert.match(warned.err, /Warning: unknown field "foo"/);
  });

  it('kubectl create ingress and create secret docker-registry (protobuf bodies)', () => {
    assert.match(ok(['create', 'ingress', 'simple', '-n', 'shop', '--rule=foo.com/bar*=svc1:8080,tls=my-cert', '--rule=/exact=svc2:http', '--class=flatnet']), /^ingress\.networking\.k8s\.io\/simple created$/m);
    const o = JSON.parse(ok(['get', 'ing', 'simple', '-n', 'shop', '-o', 'json'])) as { spec: unknown };
    assert.deepEqual(o.spec, {
      ingressClassName: 'flatnet',
      rules: [
        { host: 'foo.com', http: { paths: [{ path: '/bar', pathType: 'Prefix', backend: { service: { name: 'svc1', port: { number: 8080 } } } }] } },
        { http: { paths: [{ path: '/exact', pathType: 'Exact', backend: { service: { name: 'svc2', port: { name: 'http' } } } }] } },
      ],
      tls: [{ hosts: ['foo.com'], secretName: 'my-cert' }],
    });
    assert.match(ok(['create', 'secret', 'docker-registry', 'reg', '-n', 'shop', '--docker-server=r.io', '--docker-username=u', '--docker-password=p']), /^secret\/reg created$/m);
    assert.match(ok(['get', 'secret', 'reg', '-n', 'shop']), /^reg\s+kubernetes\.io\/dockerconfigjson\s+1\s+\S+$/m);
    ok(['delete', 'ingress', 'simple', '-n', 'shop']);
  });

  it('refuses a new Ingress without a class when two IngressClasses are the default', () => {
    ok(['apply', '-f', '-'], CLASS.replace('name: flatnet', 'name: second'));
    const err = refused(['apply', '-f', '-'], INGRESS.replace('name: web,', 'name: web3,'));
    assert.match(err, /ingresses\.networking\.k8s\.io "web3" is forbidden: Internal error occurred: 2 default IngressClasses were found, only 1 allowed/);
    // Updates are not defaulted, so an existing Ingress still applies.
    assert.match(ok(['apply', '-f', '-'], INGRESS), /^ingress\.networking\.k8s\.io\/web unchanged$/m);
    ok(['delete', 'ingressclass', 'second']);
  });
});
