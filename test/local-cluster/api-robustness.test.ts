/**
 * The API server under bad input, as a new user (or a fuzzer) sends it: malformed JSON,
 * wrong kinds, truncated protobuf, invalid objects, wrong methods — hundreds of them. It must
 * answer each with a Status, never crash, and never store half an object.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { parse } from 'yaml';
import { cannotRunCluster, cli } from './harness.ts';

const skip = cannotRunCluster();
if (skip) console.log(`# skipped: ${skip}`);

type Reply = { status: number; body: string };

describe('API server robustness', { skip }, () => {
  const c = cli();
  const name = 'robust';
  let server = '';
  let ca = '';
  let token = '';
  const call = (method: string, path: string, body?: Buffer | string, type = 'application/json'): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const url = new URL(path, server);
      const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, ca, headers: { authorization: `Bearer ${token}`, 'content-type': type, accept: 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.end(body);
    });

  before(() => {
    const out = c.ok(['cluster', 'up', '--name', name]);
    const kubeconfig = parse(readFileSync(/^export KUBECONFIG=(.+)$/m.exec(out)![1]!, 'utf8')) as {
      clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
      users: { user: { token: string } }[];
    };
    server = kubeconfig.clusters[0]!.cluster.server;
    ca = Buffer.from(kubeconfig.clusters[0]!.cluster['certificate-authority-data'], 'base64').toString();
    token = kubeconfig.users[0]!.user.token;
  });
  after(() => c.run(['cluster', 'down', '--name', name]));

  it('answers 400 malformed requests with a Status and keeps serving', async () => {
    const bodies: [string, string, Buffer | string, string?][] = [];
    const seeds = ['{', '[]', 'null', '"x"', '{"kind":"Pod"}', '{"metadata":{"name":""}}', '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"UPPER"},"spec":{"containers":[]}}'];
    for (let i = 0; i < 300; i++) {
      const seed = seeds[i % seeds.length]!;
      const mutated = i < seeds.length ? seed : seed.slice(0, (i * 7) % (seed.length + 1)) + String.fromCharCode(32 + (i % 90)) + seed.slice((i * 7) % (seed.length + 1));
      const target = ['/api/v1/namespaces/default/pods', '/api/v1/namespaces', '/apis/networking.k8s.io/v1/namespaces/default/networkpolicies', '/api/v1/namespaces/default/services'][i % 4]!;
      bodies.push(['POST', target, mutated]);
    }
    // Truncated and garbage protobuf, and patches of every flavour on things that do not exist.
    for (let i = 0; i < 40; i++) bodies.push(['POST', '/api/v1/namespaces', Buffer.from([0x6b, 0x38, 0x73, 0x00, ...Array.from({ length: i }, (_, k) => (k * 37 + i) & 0xff)]), 'application/vnd.kubernetes.protobuf']);
    for (const type of ['application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json', 'text/plain']) {
      bodies.push(['PATCH', '/api/v1/namespaces/default/pods/nope', '{"metadata":{}}', type]);
      bodies.push(['PATCH', '/api/v1/namespaces/kube-system/services/kube-dns', '[{"op":"frobnicate","path":"/x"}]', type]);
    }
    bodies.push(['PUT', '/api/v1/namespaces/default/pods', '{}'], ['DELETE', '/api/v1/namespaces/default/pods', ''], ['GET', '/api/v1/namespaces/default/pods?labelSelector=a%20in%20(', '']);
    const before = await call('GET', '/api/v1/pods');
    for (const [method, path, body, type] of bodies) {
      const r = await call(method, path, body, type);
      assert.ok(r.status >= 400 && r.status < 500, `${method} ${path} ${String(body).slice(0, 40)} → ${r.status} ${r.body.slice(0, 200)}`);
      const status = JSON.parse(r.body) as { kind: string; status: string; reason: string };
      assert.deepEqual([status.kind, status.status], ['Status', 'Failure']);
    }
    // Nothing was stored, and the server still answers.
    const after = await call('GET', '/api/v1/pods');
    assert.equal(after.status, 200);
    assert.deepEqual((JSON.parse(after.body) as { items: unknown[] }).items.length, (JSON.parse(before.body) as { items: unknown[] }).items.length);
    assert.equal((await call('GET', '/version')).status, 200);
    assert.ok(JSON.parse(readFileSync(join(c.stateDir, 'clusters', name, 'daemon.json'), 'utf8')).pid);
  });
});
