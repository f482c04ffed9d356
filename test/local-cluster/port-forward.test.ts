/**
 * `flatnet cluster port-forward`: the host reaches a LoadBalancer Service's EXTERNAL-IP only
 * through it. It prints kubectl's "Forwarding from" line, carries curl from the host's
 * 127.0.0.1 through the load balancer to the pod, holds connections side by side, refuses what
 * it cannot forward (no such Service, not a LoadBalancer, no address yet, no such port, a
 * listen address off the loopback) with what to do instead, and on SIGTERM leaves no socat.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cannotRunKubectl, cli, pods, until, kubectlFor, type Kubectl } from './harness.ts';

const skip = cannotRunKubectl();
if (skip) console.log(`# skipped: ${skip}`);

const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.52';
const BIN = new URL('../../bin/flatnet.js', import.meta.url).pathname;

describe('cluster port-forward to a LoadBalancer Service', { skip, timeout: 120_000 }, () => {
  const c = cli();
  const name = 'pf';
  let kubectl: Kubectl;
  let forward: ChildProcess | undefined;
  let out = '';
  let err = '';
  let port = 0;
  let ip = '';
  const externalIP = (svc: string) => kubectl('get', 'svc', svc, '-n', 'shop', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}').out;
  const curl = (path: string) => spawnSync('curl', ['-sS', '-m', '5', `http://127.0.0.1:${port}${path}`], { encoding: 'utf8' });
  /** The forward's children (the socats it holds), from ps. */
  const children = (pid: number) =>
    spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean)
      .map((l) => ({ pid: Number(l.trim().split(/\s+/)[0]), args: l.trim().split(/\s+/).slice(1).join(' ') }));

  before(async () => {
    const kubeconfig = /^export KUBECONFIG=(.+)$/m.exec(c.ok(['cluster', 'up', '--name', name, '--nodes', '1']))![1]!;
    kubectl = kubectlFor(kubeconfig);
    c.ok(['cluster', 'apply', '--name', name, '-f', '-'], [
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}',
      `apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: {app: web}}\nspec: {containers: [{name: web, image: "${AGNHOST}", args: [netexec, --http-port=8080]}]}`,
      // Asks for an address outside the pool: it stays <pending>.
      'apiVersion: v1\nkind: Service\nmetadata: {name: stuck, namespace: shop}\nspec: {type: LoadBalancer, loadBalancerIP: 172.18.0.77, selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}',
    ].join('\n---\n'));
    await until('pod Running', () => pods(c, name).some((p) => p.namespace === 'shop' && p.name === 'web' && p.status === 'Running'), 60_000);
    assert.equal(kubectl('create', 'service', 'loadbalancer', 'web', '-n', 'shop', '--tcp=80:8080').code, 0);
    assert.equal(kubectl('create', 'service', 'clusterip', 'inner', '-n', 'shop', '--tcp=80:8080').code, 0);
    ip = await until('an address assigned', () => externalIP('web'));

    forward = spawn(process.execPath, [BIN, 'cluster', 'port-forward', '--name', name, 'shop/web', '0:80'], { env: c.env, stdio: ['ignore', 'pipe', 'pipe'] });
    forward.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    forward.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    await until('the Forwarding from line', () => out.includes('\n') || forward!.exitCode !== null);
    const first = out.split('\n')[0]!;
    const m = /^Forwarding from 127\.0\.0\.1:(\d+) -> (\S+):80 \(shop\/web, LoadBalancer\)$/.exec(first);
    assert.ok(m, `first line: ${JSON.stringify(first)}; stderr: ${err}`);
    port = Number(m[1]);
    assert.notEqual(port, 0);
    assert.equal(m[2], ip);
  });
  after(() => {
    if (forward && forward.exitCode === null && forward.signalCode === null) forward.kill('SIGKILL');
    c.run(['cluster', 'down', '--name', name]);
  });

  it('carries curl from the host to the Service through its external address', () => {
    const r = curl('/hostname');
    assert.equal(r.stdout.trim(), 'web', `${r.stderr}\nforward stderr: ${err}`);
  });

  it('holds two connections at once, one socat each', async () => {
    const open = () =>
      new Promise<{ send(): Promise<string> }>((resolve, reject) => {
        const s = connect(port, '127.0.0.1', () =>
          resolve({
            send: () =>
              new Promise((done, fail) => {
                let got = '';
                s.on('data', (b: Buffer) => (got += b.toString()));
                s.on('end', () => done(got));
                s.on('error', fail);
                s.write('GET /hostname HTTP/1.0\r\nHost: web\r\n\r\n');
              }),
          }),
        );
        s.on('error', reject);
      });
    const a = await open();
    const b = await open();
    await until('two socats', () => children(forward!.pid!).filter((p) => p.args.startsWith('socat ')).length === 2, 10_000);
    // Each dials the external address, through the load balancer as the world does, not a pod.
    for (const p of children(forward!.pid!)) assert.match(p.args, new RegExp(` TCP4:${ip.replaceAll('.', '\\.')}:80$`));
    const [rb, ra] = await Promise.all([b.send(), a.send()]);
    for (const r of [ra, rb]) {
      assert.match(r, /^HTTP\/1\.[01] 200 /);
      assert.equal(r.split('\r\n\r\n')[1]?.trim(), 'web');
    }
    await until('the socats gone once both connections closed', () => children(forward!.pid!).length === 0, 10_000);
  });

  it('refuses a Service that is not type LoadBalancer, saying what to use instead', () => {
    const r = c.run(['cluster', 'port-forward', '--name', name, 'shop/inner', '80']);
    assert.equal(r.code, 2);
    assert.match(r.err, /Service shop\/inner is type ClusterIP, not LoadBalancer/);
    assert.match(r.err, /kubectl port-forward/);
    assert.match(r.err, /make it type LoadBalancer/);
  });

  it('refuses a missing Service, a port the Service does not have, a pending address and a non-loopback listen address', () => {
    const missing = c.run(['cluster', 'port-forward', '--name', name, 'shop/nope', '80']);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /services "nope" not found in namespace shop/);
    const noPort = c.run(['cluster', 'port-forward', '--name', name, 'shop/web', '81']);
    assert.equal(noPort.code, 2);
    assert.match(noPort.err, /Service shop\/web has no port 81 \(it has 80-8080 80\/TCP\)/);
    const pending = c.run(['cluster', 'port-forward', '--name', name, 'shop/stuck', '80']);
    assert.equal(pending.code, 2);
    assert.match(pending.err, /no external address yet \(EXTERNAL-IP <pending>\): Failed to allocate IP for "shop\/stuck": 172\.18\.0\.77 is not free in the pool/);
    assert.match(pending.err, /kubectl describe svc stuck -n shop/);
    const wide = c.run(['cluster', 'port-forward', '--name', name, 'shop/web', '0:80', '--address', '0.0.0.0']);
    assert.equal(wide.code, 2);
    assert.match(wide.err, /--address 0\.0\.0\.0: port-forward listens on the host's loopback only \(127\.0\.0\.0\/8\)/);
  });

  it('stops on SIGTERM and leaves no socat or nsenter behind', async () => {
    // A connection open when it stops: its socat must go too.
    const s = connect(port, '127.0.0.1');
    s.on('error', () => {});
    await until('a socat for the open connection', () => children(forward!.pid!).length === 1, 10_000);
    const held = children(forward!.pid!).map((p) => p.pid);
    const exited = new Promise<number | null>((resolve) => forward!.once('exit', (code) => resolve(code)));
    forward!.kill('SIGTERM');
    assert.equal(await exited, 0, err);
    s.destroy();
    for (const pid of held) assert.throws(() => process.kill(pid, 0), `socat ${pid} still running`);
    const left = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(`TCP4:${ip}:80`));
    assert.deepEqual(left, []);
    assert.ok(curl('/hostname').status !== 0, 'the port is closed');
  });
});
