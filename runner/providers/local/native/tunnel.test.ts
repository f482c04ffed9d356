/**
 * tunnel.c on real packets: two nodes (network namespaces joined by a veth, 172.18.0.2/16 and
 * 172.18.0.3/16), each with a pod address on lo (10.244.0.10, 10.244.1.10) and a route to
 * the other's pod CIDR through the overlay — tunnel.c over a TUN device for ipip and geneve,
 * the kernel's own vxlan device (set up as flannel does) for vxlan. For every mode: ping and
 * TCP get through between the pod addresses, a full-MTU packet gets through unfragmented,
 * and `tcpdump` on the underlay captures packets that testdata/pcap.ts decodes as that
 * encapsulation with the pod addresses inside. Then the agents stop cleanly on SIGTERM.
 *
 * Everything lives in one throwaway sandbox (`unshare --net --mount --pid`, a private /run
 * for `ip netns`) whose PID 1 exits when the test closes its stdin: the kernel then ends
 * every process, namespace and device inside, even if this test is killed. Run as root the
 * suite runs twice: as root, and unprivileged (as nobody, in `unshare --user`) — tcpdump
 * cannot run in a user namespace (it insists on changing to its own user), so that pass
 * checks connectivity only.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodePcap, type DecodedPacket } from '../testdata/pcap.ts';
import { ensureNative } from './build.ts';

const NODES = ['172.18.0.2', '172.18.0.3'] as const;
const PODS = ['10.244.0.10', '10.244.1.10'] as const;
const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];

type Mode = 'ipip' | 'geneve' | 'vxlan';
/** Each mode's overlay MTU on a 1500-byte underlay (see tunnel.c), and what tcpdump keeps. */
const MODES: { mode: Mode; mtu: number; filter: string }[] = [
  { mode: 'ipip', mtu: 1480, filter: 'ip proto 4' },
  { mode: 'geneve', mtu: 1450, filter: 'udp port 6081' },
  { mode: 'vxlan', mtu: 1450, filter: 'udp port 4789' },
];

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

/** Why nothing here can run, or undefined. */
function missing(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux network namespaces';
  const tools = ['unshare', 'nsenter', 'ip', 'bridge', 'curl', 'bash'].filter((t) => !has(t));
  if (!existsSync('/bin/busybox')) tools.push('/bin/busybox (busybox-static)');
  if (!existsSync('/dev/net/tun')) tools.push('/dev/net/tun');
  if (!has(process.env.CC ?? 'cc')) tools.push('a C compiler (to build tunnel.c)');
  return tools.length ? `missing ${tools.join(', ')}` : undefined;
}

interface Variant {
  name: string;
  /** In a user namespace (`unshare --user --map-root-user`). */
  userns: boolean;
  /** Commands run as nobody (root testing the unprivileged path). */
  prefix: string[];
  /** tcpdump checks: not in a user namespace (see the header). */
  capture: boolean;
  skip?: string;
}

function variants(): Variant[] {
  const root = process.getuid?.() === 0;
  const userns = (prefix: string[]) => spawnSync(prefix[0] ?? 'unshare', [...prefix.slice(1), ...(prefix.length ? ['unshare'] : []), '-Urn', 'true']).status === 0;
  const list: Variant[] = [];
  list.push({ name: 'as root', userns: false, prefix: [], capture: true, skip: root ? (has('tcpdump') ? undefined : 'missing tcpdump') : 'not root' });
  if (root) {
    const skip = !has('setpriv') ? 'missing setpriv' : !userns(NOBODY) ? 'unprivileged user namespaces are disabled' : undefined;
    list.push({ name: 'unprivileged (nobody, in unshare --user)', userns: true, prefix: NOBODY, capture: false, skip });
  } else {
    list.push({ name: 'unprivileged (unshare --user)', userns: true, prefix: [], capture: false, skip: userns([]) ? undefined : 'unprivileged user namespaces are disabled' });
  }
  return list;
}

const HOLDER = `set -e
mount -t tmpfs -o mode=755 flatnet-tunnel-test /run
mkdir -p /run/netns
ip link set lo up
echo ready
cat > /dev/null
`;

/**
 * Two nodes for one mode: $1 mode, $2 MTU. Netns flatnet-test-<mode>-<n>; node n has
 * eth0 172.18.0.(n+2)/16, pod address 10.244.n.10/32 on lo, and its overlay device with a
 * route to the other node's pod CIDR (source: its own pod address).
 */
const NODES_SETUP = `set -e
mode=$1 mtu=$2
ns() { echo flatnet-test-$mode-$1; }
ip netns add $(ns 0)
ip netns add $(ns 1)
ip link add eth0 netns $(ns 0) type veth peer name eth0 netns $(ns 1)
for i in 0 1; do
  o=$((1 - i)) n=$(ns $i)
  ip -n $n link set lo up
  ip -n $n addr add 172.18.0.$((i + 2))/16 dev eth0
  ip -n $n link set eth0 up
  ip -n $n addr add 10.244.$i.10/32 dev lo
  if [ $mode = vxlan ]; then
    # flannel's vxlan backend: a VTEP per node (MAC from its pod CIDR), the peer's VTEP as a
    # permanent neighbour and a forwarding entry to its node IP; route via the peer's .0, onlink.
    ip -n $n link add flannel.1 type vxlan id 1 local 172.18.0.$((i + 2)) dev eth0 dstport 4789 nolearning
    ip -n $n link set flannel.1 address 0a:58:0a:f4:0$i:00 mtu $mtu
    ip -n $n addr add 10.244.$i.0/32 dev flannel.1
    ip -n $n link set flannel.1 up
    ip -n $n neigh add 10.244.$o.0 lladdr 0a:58:0a:f4:0$o:00 dev flannel.1 nud permanent
    bridge -n $n fdb append 0a:58:0a:f4:0$o:00 dev flannel.1 dst 172.18.0.$((o + 2))
    ip -n $n route add 10.244.$o.0/24 via 10.244.$o.0 dev flannel.1 onlink src 10.244.$i.10
  else
    ip -n $n tuntap add dev tun-$mode mode tun
    ip -n $n link set tun-$mode mtu $mtu up
    ip -n $n route add 10.244.$o.0/24 dev tun-$mode src 10.244.$i.10
  fi
done
`;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** A long-running command in the sandbox: its PID there, its output so far, its exit. */
class Background {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number>;
  private readonly pid: Promise<number>;

  constructor(child: ChildProcess) {
    let gotPid: (pid: number) => void;
    this.pid = new Promise((resolve) => (gotPid = resolve));
    child.stdout!.on('data', (b: Buffer) => {
      this.stdout += b.toString();
      const first = /^(\d+)\n/.exec(this.stdout);
      if (first) gotPid(Number(first[1]));
    });
    child.stderr!.on('data', (b: Buffer) => (this.stderr += b.toString()));
    this.exited = new Promise((resolve) => child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  }

  /** Waits until `ready()` holds, failing with what the process said when it exits or time runs out. */
  async until(what: string, ready: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let code: number | undefined;
    void this.exited.then((c) => (code = c));
    while (!(await ready())) {
      if (code !== undefined) throw new Error(`${what}: exited ${code} first: ${this.stderr.trim()}`);
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms: ${this.stderr.trim()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Its PID inside the sandbox (for `kill`). */
  sandboxPid(): Promise<number> {
    return this.pid;
  }
}

/** The throwaway sandbox holding both nodes of every mode. */
class Sandbox {
  private readonly bg: Background[] = [];
  private readonly holder: ChildProcess;
  /** Host PID of the holder, PID 1 inside. */
  private readonly pid: number;
  private readonly v: Variant;

  private constructor(holder: ChildProcess, pid: number, v: Variant) {
    this.holder = holder;
    this.pid = pid;
    this.v = v;
  }

  static async start(v: Variant): Promise<Sandbox> {
    const args = [...(v.userns ? ['--user', '--map-root-user'] : []), '--net', '--mount', '--pid', '--fork', '--mount-proc', '--propagation', 'private', '--kill-child', '--', 'sh', '-c', HOLDER];
    const [cmd, ...rest] = [...v.prefix, 'unshare', ...args];
    const holder = spawn(cmd!, rest, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    holder.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.on('data', (b: Buffer) => b.toString().includes('ready') && resolve());
      holder.once('exit', (code) => reject(new Error(`sandbox exited (${code}) before it was ready: ${stderr.trim()}`)));
    });
    // The holder is unshare's child (--fork); it is PID 1 inside.
    const children = readFileSync(`/proc/${holder.pid}/task/${holder.pid}/children`, 'utf8').trim().split(/\s+/);
    return new Sandbox(holder, Number(children[0]), v);
  }

  private command(script: string, args: string[]): [string, string[]] {
    const enter = ['nsenter', '-t', String(this.pid), ...(this.v.userns ? ['-U', '--preserve-credentials'] : []), '-n', '-m', '-p', '--'];
    const [cmd, ...rest] = [...this.v.prefix, ...enter, 'sh', '-c', script, 'sh', ...args];
    return [cmd!, rest];
  }

  /** Runs a shell script in the sandbox ($1... = args). */
  run(script: string, ...args: string[]): Promise<Result> {
    const [cmd, rest] = this.command(script, args);
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
  }

  /** As run, and the script must succeed. */
  async ok(script: string, ...args: string[]): Promise<string> {
    const r = await this.run(script, ...args);
    assert.equal(r.code, 0, `${script} ${args.join(' ')}: exit ${r.code}\n${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** Starts a command in a node's netns, in the background. */
  start(netns: string, argv: string[]): Background {
    const [cmd, rest] = this.command('echo $$; exec ip netns exec "$@"', [netns, ...argv]);
    const b = new Background(spawn(cmd, rest, { stdio: ['ignore', 'pipe', 'pipe'] }));
    this.bg.push(b);
    return b;
  }

  /** SIGTERM, and its exit code (or null when it had to be killed after 5 s). */
  async terminate(b: Background): Promise<number | null> {
    await this.run('kill -TERM "$1"', String(await b.sandboxPid()));
    const timer = new Promise<null>((resolve) => setTimeout(() => resolve(null), 5000).unref());
    return Promise.race([b.exited, timer]);
  }

  /** Closing the holder's stdin ends PID 1, and with it everything inside. */
  async stop(): Promise<void> {
    if (this.holder.exitCode === null && this.holder.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.holder.once('exit', () => resolve()));
      this.holder.stdin!.end();
      const timer = setTimeout(() => this.holder.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await Promise.all(this.bg.map((b) => b.exited));
  }
}

const netns = (mode: Mode, n: number) => `flatnet-test-${mode}-${n}`;
const describeIP = (p: DecodedPacket) => `${p.outer?.src}->${p.outer?.dst} ${p.kind ?? '-'} ${p.inner ? `${p.inner.src}->${p.inner.dst}/${p.inner.protocol} len ${p.inner.length}` : ''}`;

const skipAll = missing();
if (skipAll) console.log(`# tunnel test skipped: ${skipAll}`);

for (const v of skipAll ? [] : variants()) {
  if (v.skip) console.log(`# tunnel test ${v.name} skipped: ${v.skip}`);
  describe(`tunnel: overlays between two netns nodes, ${v.name}`, { skip: v.skip ?? false, timeout: 120_000 }, () => {
    let box: Sandbox | undefined;
    let dir = '';
    const bin = { tunnel: '', agnhost: '' };

    before(async () => {
      // A copy nobody can read and run (the build cache may be root's own).
      dir = mkdtempSync(join(tmpdir(), 'flatnet-test-tunnel-'));
      chmodSync(dir, 0o755);
      for (const name of ['tunnel', 'agnhost'] as const) {
        bin[name] = join(dir, name);
        copyFileSync(ensureNative(name), bin[name]);
        chmodSync(bin[name], 0o755);
      }
      box = await Sandbox.start(v);
    });

    after(async () => {
      await box?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('refuses bad arguments (exit 2) and a missing device (exit 1), with one line that says why', async () => {
      const bad = await box!.run('"$1" ipip tun0 not-an-ip', bin.tunnel);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /^tunnel: not an IPv4 local address: not-an-ip\nusage: /);
      const peer = await box!.run('"$1" geneve tun0 127.0.0.1 10.244.1.0/24', bin.tunnel);
      assert.equal(peer.code, 2);
      assert.match(peer.stderr, /^tunnel: a peer is CIDR=NODE_IP: 10\.244\.1\.0\/24\n/);
      const nodev = await box!.run('"$1" ipip nosuchdev 127.0.0.1 10.244.1.0/24=127.0.0.2', bin.tunnel);
      assert.deepEqual([nodev.code, nodev.stderr], [1, 'tunnel: no TUN device nosuchdev: No such device\n']);
    });

    for (const { mode, mtu, filter } of MODES) {
      it(`${mode}: pods reach each other (ping, full-MTU ping, TCP)${v.capture ? ', tcpdump sees real ' + mode + ' on the underlay' : ''}; agents stop on SIGTERM`, async (t) => {
        const sandbox = box!;
        await sandbox.ok(NODES_SETUP, mode, String(mtu));
        const agents: Background[] = [];
        if (mode !== 'vxlan') {
          for (const i of [0, 1] as const) {
            const o = 1 - i;
            const agent = sandbox.start(netns(mode, i), [bin.tunnel, mode, `tun-${mode}`, NODES[i], `10.244.${o}.0/24=${NODES[o]}`]);
            // Carrier comes up when the agent attaches, after its socket is bound.
            await agent.until(`${mode} agent on node ${i}`, async () => !(await sandbox.ok('ip -n "$1" -o link show dev "$2"', netns(mode, i), `tun-${mode}`)).includes('NO-CARRIER'));
            agents.push(agent);
          }
        }

        let capture: Background | undefined;
        const pcapFile = join(dir, `${mode}.pcap`);
        if (v.capture) {
          // Four packets: a small ping's request and reply, then a full-MTU ping's.
          capture = sandbox.start(netns(mode, 0), ['tcpdump', '-Z', 'root', '-U', '-n', '-i', 'eth0', '-c', '4', '-w', pcapFile, filter]);
          await capture.until('tcpdump', () => capture!.stderr.includes('listening on'));
        }

        const ping = (size: number) => sandbox.run('ip netns exec "$1" busybox ping -c 1 -W 3 -s "$2" "$3"', netns(mode, 0), String(size), PODS[1]);
        const small = await ping(56);
        assert.equal(small.code, 0, `ping ${PODS[0]} -> ${PODS[1]} over ${mode}: ${small.stdout}${small.stderr}`);
        assert.match(small.stdout, new RegExp(`bytes from ${PODS[1].replaceAll('.', '\\.')}`));
        // The largest packet the overlay takes: mtu minus 20 (IPv4) and 8 (ICMP) bytes of payload.
        const big = await ping(mtu - 28);
        assert.equal(big.code, 0, `full-MTU ping (${mtu} bytes) over ${mode}: ${big.stdout}${big.stderr}`);

        if (capture) {
          const code = await Promise.race([capture.exited, new Promise<null>((r) => setTimeout(() => r(null), 5000).unref())]);
          if (code === null) await sandbox.terminate(capture);
          const packets = decodePcap(readFileSync(pcapFile));
          t.diagnostic(`captured on node 0's eth0: ${packets.map(describeIP).join('; ')}`);
          assert.equal(packets.length, 4, `tcpdump exited ${code}: ${capture.stderr}`);
          const port = { ipip: undefined, geneve: 6081, vxlan: 4789 }[mode];
          for (const [p, from, to, size] of [
            [packets[0], 0, 1, 84],
            [packets[1], 1, 0, 84],
            [packets[2], 0, 1, mtu],
            [packets[3], 1, 0, mtu],
          ] as const) {
            assert.ok(p?.outer && p.inner, `not decoded: ${JSON.stringify(p)}`);
            assert.deepEqual(
              { kind: p.kind, vni: p.vni, outer: [p.outer.src, p.outer.dst, p.outer.protocol, p.outer.dstPort, p.outer.fragment], inner: [p.inner.src, p.inner.dst, p.inner.protocol, p.inner.length] },
              { kind: mode, vni: port ? 1 : undefined, outer: [NODES[from], NODES[to], port ? 17 : 4, port, false], inner: [PODS[from], PODS[to], 1, size] },
            );
            // The MTU note in tunnel.c: a full inner packet makes exactly a 1500-byte outer one.
            if (size === mtu) assert.equal(p.outer.length, 1500);
          }
          if (mode === 'geneve') assert.equal(packets[0]!.outer!.srcPort, 6081);
        }

        // TCP both ways through the overlay: an HTTP GET from pod 0 to agnhost on pod 1.
        const server = sandbox.start(netns(mode, 1), [bin.agnhost, 'serve', '8080/TCP']);
        await server.until('agnhost', () => server.stdout.includes('serving: 8080/TCP'));
        const curl = await sandbox.run('ip netns exec "$1" curl -sS -m 5 -o /dev/null -w "%{http_code} %{local_ip}" "http://$2:8080/"', netns(mode, 0), PODS[1]);
        assert.equal(curl.stdout, `200 ${PODS[0]}`, `curl over ${mode}: ${curl.stderr}`);
        await sandbox.terminate(server);

        if (mode === 'geneve') {
          // Garbage from a known peer, to the Geneve port: counted as malformed, and the agent goes on.
          // A version-1 header, then a datagram shorter than any header.
          await sandbox.ok(`ip netns exec "$1" bash -c 'printf "\\x40\\x00\\x65\\x58\\0\\0\\1\\0" > /dev/udp/$0/6081; printf x > /dev/udp/$0/6081' "$2"`, netns(mode, 1), NODES[0]);
          assert.equal((await ping(56)).code, 0, 'ping after garbage');
        }

        for (const [i, agent] of agents.entries()) {
          assert.equal(await sandbox.terminate(agent), 0, `agent ${i} on SIGTERM: ${agent.stderr}`);
          const counts = /(\d+) encapsulated, (\d+) decapsulated, dropped (\d+) with no peer, (\d+) from unknown senders, (\d+) malformed/.exec(agent.stderr);
          assert.ok(counts, `agent ${i} printed no counts: ${agent.stderr}`);
          const [encap, decap, , unknown, malformed] = counts.slice(1).map(Number);
          // At least: two pings and the TCP exchange each way.
          assert.ok(encap! >= 3 && decap! >= 3, `agent ${i}: ${counts[0]}`);
          assert.equal(unknown, 0);
          if (mode === 'geneve' && i === 0) assert.equal(malformed, 2, counts[0]);
        }
      });
    }
  });
}
