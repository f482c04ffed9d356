/**
 * `kubectl port-forward` with the real kubectl against the local cluster: SPDY/3.1 inside a
 * WebSocket (and plain SPDY when kubectl is told not to tunnel), several connections at once,
 * transfers well past SPDY's 64 KiB window in both directions, plain TCP, `svc/NAME`, and a
 * port nothing listens on, which must end the way it ends against a containerd node.
 * All traffic stays on 127.0.0.1 and inside the cluster's namespaces.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cannotRunKubectl, cli, until } from './harness.ts';

const skip = cannotRunKubectl();
if (skip) console.log(`# skipped: ${skip}`);

const MANIFESTS = `apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec: {containers: [{name: web, image: "nginx:alpine", ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 8080, targetPort: 80}]}
---
apiVersion: v1
kind: Pod
metadata: {name: echo}
spec: {containers: [{name: echo, image: busybox, command: [socat, "TCP-LISTEN:7000,fork,reuseaddr", PIPE], ports: [{containerPort: 7000}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: agn}
spec: {containers: [{name: agn, image: "registry.k8s.io/e2e-test-images/agnhost:2.52", ports: [{containerPort: 8080}]}]}
`;

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('kubectl port-forward against the local cluster', { skip }, () => {
  const c = cli();
  const name = 'portfwd';
  let env: NodeJS.ProcessEnv = {};
  const forwards: ChildProcess[] = [];
  const kubectl = (args: string[]) => {
    const r = spawnSync('kubectl', args, { env, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  /** Starts `kubectl port-forward TARGET 0:PORT` and waits for the local port it chose. */
  async function forward(target: string, ports: string, extraEnv: NodeJS.ProcessEnv = {}) {
    const proc = spawn('kubectl', ['port-forward', target, ports], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    forwards.push(proc);
    let out = '';
    let err = '';
    proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    proc.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    const m = await until(`kubectl port-forward ${target} to listen`, () => /^Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)$/m.exec(out) ?? undefined, 20_000);
    return { port: Number(m[1]), remote: Number(m[2]), proc, exited, out: () => out, err: () => err };
  }

  /** One TCP connection through the forward: writes `input` (then half-closes), returns all it reads. */
  function exchange(port: number, input: Buffer, halfClose = true): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const s = connect(port, '127.0.0.1', () => (halfClose ? s.end(input) : s.write(input)));
      s.on('data', (b: Buffer) => chunks.push(b));
      s.on('end', () => resolve(Buffer.concat(chunks)));
      s.on('error', reject);
      s.setTimeout(20_000, () => s.destroy(new Error('no answer within 20 s')));
    });
  }

  before(async () => {
    const out = c.ok(['cluster', 'up', '--name', name]);
    env = { ...process.env, KUBECONFIG: /^export KUBECONFIG=(.+)$/m.exec(out)![1]!, KUBECACHEDIR: join(c.stateDir, 'kube-cache') };
    c.ok(['cluster', 'apply', '--name', name, '-f', '-'], MANIFESTS);
    const r = kubectl(['wait', '--for=condition=Ready', 'pod/web', 'pod/echo', 'pod/agn', '--timeout=60s']);
    assert.equal(r.code, 0, r.err);
  });
  after(async () => {
    for (const p of forwards) if (p.exitCode === null && p.signalCode === null) p.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 200));
    for (const p of forwards) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    c.run(['cluster', 'down', '--name', name]);
  });

  it('forwards pod/web 0:80: the nginx welcome page, for several connections at once', async () => {
    const f = await forward('pod/web', '0:80');
    assert.equal(f.remote, 80);
    assert.match(f.out(), /^Forwarding from \[::1\]:\d+ -> 80$/m);
    const pages = await Promise.all(Array.from({ length: 8 }, () => fetch(`http://127.0.0.1:${f.port}/`).then(async (r) => [r.status, await r.text()] as const)));
    for (const [status, body] of pages) {
      assert.equal(status, 200);
      assert.match(body, /<title>Welcome to nginx!<\/title>/);
    }
    assert.equal(f.out().match(new RegExp(`^Handling connection for ${f.port}$`, 'gm'))?.length, 8);
    // And again after those connections are gone: the session stays usable.
    assert.equal((await fetch(`http://127.0.0.1:${f.port}/`)).status, 200);
  });

  it('carries 3 MB downloads, three at once, byte for byte (far past the 64 KiB SPDY window)', async () => {
    const r = kubectl(['exec', 'web', '--', 'sh', '-c', 'head -c 3000000 /dev/urandom > /usr/share/nginx/html/big.bin && sha256sum /usr/share/nginx/html/big.bin']);
    assert.equal(r.code, 0, r.err);
    const want = r.out.split(/\s+/)[0];
    const f = await forward('pod/web', '0:80');
    const got = await Promise.all([1, 2, 3].map(async () => sha(Buffer.from(await (await fetch(`http://127.0.0.1:${f.port}/big.bin`)).arrayBuffer()))));
    assert.deepEqual(got, [want, want, want]);
  });

  it('carries 2 MB up and back through a TCP echo server (socat PIPE in the pod)', async () => {
    const f = await forward('pod/echo', '0:7000');
    const data = randomBytes(2_000_000);
    const back = await exchange(f.port, data);
    assert.equal(back.length, data.length);
    assert.equal(sha(back), sha(data));
  });

  it('forwards plain TCP to an agnhost containerPort: it answers with its hostname', async () => {
    const f = await forward('pod/agn', '0:8080');
    assert.equal((await exchange(f.port, Buffer.from('hello\n'))).toString().trim(), 'agn');
  });

  it('svc/web 0:8080 resolves to the pod and its target port, as kubectl does against any cluster', async () => {
    const f = await forward('svc/web', '0:8080');
    assert.equal(f.remote, 80);
    assert.match(await (await fetch(`http://127.0.0.1:${f.port}/`)).text(), /Welcome to nginx!/);
  });

  it('works over plain SPDY too (KUBECTL_PORT_FORWARD_WEBSOCKETS=false, as kubectl <= 1.30 speaks)', async () => {
    const f = await forward('pod/web', '0:80', { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' });
    assert.match(await (await fetch(`http://127.0.0.1:${f.port}/`)).text(), /Welcome to nginx!/);
  });

  it("a port nothing listens on: containerd's error on the error stream, and kubectl gives up as against a real node", async () => {
    const f = await forward('pod/web', '0:81');
    const got = await exchange(f.port, Buffer.from('GET / HTTP/1.0\r\n\r\n'), false).catch(() => Buffer.alloc(0));
    assert.equal(got.length, 0);
    const code = await Promise.race([f.exited, new Promise((r) => setTimeout(() => r('still running'), 10_000))]);
    assert.equal(code, 1, `kubectl: ${code}\n${f.err()}`);
    const err = f.err();
    assert.match(err, new RegExp(`an error occurred forwarding ${f.port} -> 81: error forwarding port 81 to pod [0-9a-f]{64}, uid : failed to execute portforward in network namespace \\\\"/run/netns/default_web_[0-9a-f]{8}\\\\": failed to connect to localhost:81 inside namespace \\\\"[0-9a-f]{64}\\\\", IPv4: dial tcp4 127\\.0\\.0\\.1:81: connect: connection refused IPv6 dial tcp6 \\[::1\\]:81: connect: `));
    assert.match(err, /^error: lost connection to pod$/m);
  });

  it('leaves no connection process behind once the forwards end', async () => {
    for (const p of forwards) if (p.exitCode === null && p.signalCode === null) p.kill('SIGINT');
    await until('kubectl port-forward to exit', () => forwards.every((p) => p.exitCode !== null || p.signalCode !== null), 10_000);
    // The cluster daemon's own children only: other clusters may be running on this host.
    const daemon = (JSON.parse(readFileSync(join(c.stateDir, 'clusters', name, 'daemon.json'), 'utf8')) as { pid: number }).pid;
    const socats = () => spawnSync('pgrep', ['-P', String(daemon), 'socat'], { encoding: 'utf8' }).stdout.trim();
    await until('the socat processes to end', () => socats() === '', 10_000).catch(() => undefined);
    assert.equal(socats(), '');
  });
});
