/**
 * @module
 * A throwaway node for the kernel test: `unshare --net --mount --pid --fork --mount-proc`
 * with a private tmpfs on /run, pods as network namespaces wired by the real CNI ptp and
 * host-local plugins (invoked per the CNI spec), and one agent.ts process per pod. PID 1
 * exits when its stdin closes, and then the kernel ends every process, namespace, veth and
 * rule inside: nothing is left on the host, even if the test process is killed.
 *
 * Deliberately separate from runner/providers/local/sandbox.ts: this only needs what a
 * policy test needs, and a policy test should not break when the real node changes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Run } from '../apply.ts';

const CNI_PATH = '/usr/lib/cni';
const HOLDER = `set -e
mount -t tmpfs -o mode=755 flatnet-policy-test /run
mkdir -p /run/netns /run/ipam
ip link set lo up
echo 1 > /proc/sys/net/ipv4/ip_forward
echo 1 > /proc/sys/net/ipv6/conf/all/forwarding
# Node-side veths: no duplicate address detection, so addresses are usable at once.
echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad
echo ready
cat > /dev/null
`;

/** CNI ADD of one pod: its netns, then ptp (which calls host-local) with the config on stdin. */
const ADD_POD = `set -e
ip netns add "$1"
ip netns exec "$1" sh -c 'ip link set lo up; echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad; echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad'
CNI_COMMAND=ADD CNI_CONTAINERID="$1" CNI_NETNS="/run/netns/$1" CNI_IFNAME=eth0 CNI_PATH=${CNI_PATH} ${CNI_PATH}/ptp >/dev/null
`;

export const POD_CIDRS = { v4: '10.244.0.0/16', v6: 'fd00:10:244::/64' };

/** ptp + host-local, asking for the pod's addresses through the `ips` capability (runtimeConfig). */
function cniConfig(ips: string[]): string {
  return JSON.stringify({
    cniVersion: '1.0.0',
    name: 'flatnet-policy-test',
    type: 'ptp',
    ipMasq: false,
    capabilities: { ips: true },
    runtimeConfig: { ips: ips.map((ip) => (ip.includes(':') ? `${ip}/64` : `${ip}/16`)) },
    ipam: {
      type: 'host-local',
      dataDir: '/run/ipam',
      ranges: [[{ subnet: POD_CIDRS.v4, gateway: '10.244.0.1' }], [{ subnet: POD_CIDRS.v6, gateway: 'fd00:10:244::1' }]],
      routes: [{ dst: '0.0.0.0/0' }, { dst: '::/0' }],
    },
  });
}

/** Why the kernel test cannot run here, or undefined when it can. */
export function missingPrerequisite(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (unshare, network namespaces, iptables)';
  const tools = ['/usr/bin/unshare', '/usr/bin/nsenter', '/usr/sbin/ip', '/usr/sbin/iptables-restore', '/usr/sbin/iptables-save', '/usr/sbin/ip6tables-restore', '/usr/sbin/ip6tables-save', `${CNI_PATH}/ptp`, `${CNI_PATH}/host-local`];
  const missing = tools.filter((t) => !existsSync(t));
  return missing.length > 0 ? `missing ${missing.join(', ')}` : undefined;
}

export interface ProbeRequest {
  ip: string;
  port: number;
  protocol: 'TCP' | 'UDP';
}

/** A pod's agent.ts: serves its ports, probes on request. */
export class Agent {
  private readonly child: ChildProcess;
  /** Requests in flight: how many probes, and who waits for the answers. */
  private readonly pending = new Map<number, { count: number; done: (results: (boolean | null)[]) => void }>();
  private nextId = 1;

  constructor(child: ChildProcess) {
    this.child = child;
    child.stdin!.on('error', () => {}); // a dead agent: its probes come back null, see below
  }

  static start(child: ChildProcess): Promise<Agent> {
    const agent = new Agent(child);
    const stderr: string[] = [];
    child.stderr!.on('data', (b: Buffer) => stderr.push(b.toString()));
    return new Promise((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const msg = JSON.parse(line) as { ready?: boolean; id?: number; results?: (boolean | null)[] };
        if (msg.ready) resolve(agent);
        else {
          agent.pending.get(msg.id!)?.done(msg.results!);
          agent.pending.delete(msg.id!);
        }
      });
      child.once('exit', (code) => {
        reject(new Error(`pod agent exited (${code}): ${stderr.join('').trim()}`));
        // Probes in flight get no answer: not measured, rather than a hang.
        for (const { count, done } of agent.pending.values()) done(Array<null>(count).fill(null));
      });
    });
  }

  probe(probes: ProbeRequest[], timeoutMs: number): Promise<(boolean | null)[]> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve(probes.map(() => null));
    if (probes.length === 0) return Promise.resolve([]);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { count: probes.length, done: resolve });
      this.child.stdin!.write(`${JSON.stringify({ id, timeoutMs, probes })}\n`);
    });
  }
}

export class PolicySandbox {
  private readonly holder: ChildProcess;
  /** Host PID of the holder, PID 1 inside. */
  private readonly pid: number;

  private constructor(holder: ChildProcess, pid: number) {
    this.holder = holder;
    this.pid = pid;
  }

  static async start(): Promise<PolicySandbox> {
    const args = ['--net', '--mount', '--pid', '--fork', '--mount-proc', '--propagation', 'private', '--kill-child', '--', 'sh', '-c', HOLDER];
    const holder = spawn('unshare', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const stderr: string[] = [];
    holder.stderr!.on('data', (b: Buffer) => stderr.push(b.toString()));
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.on('data', (b: Buffer) => b.toString().includes('ready') && resolve());
      holder.once('exit', (code) => reject(new Error(`sandbox exited (${code}) before it was ready: ${stderr.join('').trim()}`)));
    });
    const children = readFileSync(`/proc/${holder.pid}/task/${holder.pid}/children`, 'utf8').trim().split(/\s+/);
    return new PolicySandbox(holder, Number(children[0]));
  }

  private enter(cmd: string, args: string[]): string[] {
    return ['-t', String(this.pid), '-n', '-m', '-p', '--', cmd, ...args];
  }

  /** Runs a command on the node (the shape applyPolicyRules takes). */
  readonly run: Run = (cmd, args, stdin) =>
    new Promise((resolve, reject) => {
      const child = spawn('nsenter', this.enter(cmd, args), { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
      child.stdin.on('error', () => {});
      child.stdin.end(stdin ?? '');
    });

  /** Creates the pod's netns and wires it with ptp; `name` must be a valid netns name. */
  async addPod(name: string, ips: string[]): Promise<void> {
    const r = await this.run('sh', ['-c', ADD_POD, 'add-pod', name], cniConfig(ips));
    if (r.code !== 0) throw new Error(`CNI ADD for ${name} failed (${r.code}): ${r.stderr.trim()}`);
  }

  /** Starts the pod's agent serving these ports. */
  startAgent(name: string, tcp: number[], udp: number[]): Promise<Agent> {
    const agent = new URL('./agent.ts', import.meta.url).pathname;
    const args = ['netns', 'exec', name, process.execPath, agent, '--tcp', tcp.join(','), '--udp', udp.join(',')];
    return Agent.start(spawn('nsenter', this.enter('ip', args), { stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  /** Closing the holder's stdin ends PID 1, and with it everything inside. */
  async stop(): Promise<void> {
    if (this.holder.exitCode !== null || this.holder.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.holder.once('exit', () => resolve()));
    this.holder.stdin!.end();
    const timer = setTimeout(() => this.holder.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
