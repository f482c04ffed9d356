/**
 * The pod runtime's programmatic API, on a real node: a pod sandbox, a container, and exec
 * with stdin/stdout/stderr and exit codes — and on a pseudo-terminal with resize.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cannotRunCluster } from '../../../../test/local-cluster/harness.ts';
import { installConfig } from '../cni.ts';
import { Node } from '../node.ts';
import { Sandbox } from '../sandbox.ts';
import { planTopology } from '../topology.ts';
import { PodRuntime, type RunningContainer } from './runtime.ts';

const skip = cannotRunCluster();
if (skip) console.log(`# skipped: ${skip}`);

describe('PodRuntime', { skip }, () => {
  let sandbox: Sandbox;
  let node: Node;
  let runtime: PodRuntime;
  let c: RunningContainer;
  const spec = { uid: '0f5a6c1e-9b1d-4c55-9a55-6b5f3d9a0c11', namespace: 'x', name: 'shell', dns: { nameserver: '10.96.0.10', searches: ['x.svc.cluster.local'], options: ['ndots:5'] } };

  before(async () => {
    sandbox = await Sandbox.start({ rootless: process.getuid?.() !== 0 });
    node = await Node.start(sandbox, planTopology('rt').nodes[0]!);
    const net = { podSubnets: ['10.244.0.0/24'], mtu: 1500 };
    installConfig(node, net);
    runtime = new PodRuntime(node, net);
    const network = await runtime.createSandbox(spec);
    c = await runtime.startContainer({ ...spec, ...network }, { name: 'c', image: 'busybox:1.36', args: ['sleep', '3600'], ports: [] });
  });
  after(() => sandbox?.stop());

  it('runs in the pod: its hostname, resolv.conf, PID namespace and address', async () => {
    const r = await runtime.execCollect(c, ['sh', '-c', 'hostname; cat /etc/resolv.conf; ps -o pid,args | sed -n 2p; ip -4 -o addr show eth0']);
    assert.equal(r.code, 0, r.stderr);
    const [hostname, search, nameserver] = r.stdout.split('\n');
    assert.deepEqual([hostname, search, nameserver], ['shell', 'search x.svc.cluster.local', 'nameserver 10.96.0.10']);
    assert.match(r.stdout, /^\s*1 sleep 3600$/m);
    assert.match(r.stdout, /inet 10\.244\.0\.\d+\/\d+/);
  });

  it('passes stdin, keeps stdout and stderr apart, returns the exit code', async () => {
    const r = await runtime.execCollect(c, ['sh', '-c', 'read line; echo "out:$line"; echo err >&2; exit 7'], 5000, 'hello\n');
    assert.deepEqual([r.code, r.stdout, r.stderr], [7, 'out:hello\n', 'err\n']);
  });

  it('gives an exec a terminal that can be resized', async () => {
    const pty = await runtime.execTty(c, ['sh'], { cols: 80, rows: 24 });
    let out = '';
    pty.onData((d) => (out += d));
    const exit = new Promise<number>((resolve) => pty.onExit((e) => resolve(e.exitCode)));
    const waitFor = async (re: RegExp) => {
      for (let i = 0; i < 100 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 20));
      assert.match(out, re);
    };
    // `stty size` asks the terminal itself (an ioctl on stdin): it answers only on a real pty.
    pty.write('stty size\r');
    await waitFor(/\r\n24 80\r\n/);
    pty.resize(120, 40);
    pty.write('stty size; exit 3\r');
    await waitFor(/40 120/);
    assert.equal(await exit, 3);
  });
});
