/**
 * @module
 * A node of the cluster: its own network, mount, UTS and PID namespaces inside the cluster's
 * sandbox (sandbox.ts), like a kind node container on the `kind` network. Its eth0 is a
 * veth plugged into the sandbox's underlay bridge; it has a private /run (pod network
 * namespaces, IPAM leases) and an overlay on /etc (its own /etc/cni/net.d). Its PID 1 is a
 * holder that exits when its stdin closes, taking the node's pods with it.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { IPty } from 'node-pty';
import { UNDERLAY_BRIDGE, UNDERLAY_GATEWAY, UNDERLAY_PREFIX } from './config.ts';
import type { NodePlan } from './topology.ts';
import { run, type RunOptions, type RunResult } from './exec.ts';
import { alive, firstChild, stopHolder, untilReady, type Sandbox } from './sandbox.ts';

/**
 * Runs as the node's PID 1. fd 4 is the sandbox's network namespace (opened before the
 * unshare), where the other end of eth0 goes, onto the bridge.
 */
const NODE_SCRIPT = `set -e
mount -t tmpfs -o mode=755 flatnet /run
mkdir -p /run/netns /run/flatnet/etc-upper /run/flatnet/etc-work /run/flatnet/pods
mount -t overlay overlay -o lowerdir=/etc,upperdir=/run/flatnet/etc-upper,workdir=/run/flatnet/etc-work /etc
mkdir -p /etc/cni/net.d
# tcpdump drops to a user of its own, which a user namespace does not map: there it stays root.
if [ -n "$FLATNET_ROOTLESS" ]; then sed -i 's/^tcpdump:x:[0-9]*:[0-9]*:/tcpdump:x:0:0:/' /etc/passwd; fi
hostname "$FLATNET_NODE"
ip link set lo up
ip link add eth0 type veth peer name "$FLATNET_VETH" netns /proc/self/fd/4
nsenter --net=/proc/self/fd/4 ip link set "$FLATNET_VETH" master ${UNDERLAY_BRIDGE} up
exec 4<&-
ip addr add "$FLATNET_NODE_IP/${UNDERLAY_PREFIX}" dev eth0
ip link set eth0 up
ip route add default via ${UNDERLAY_GATEWAY}
echo 1 > /proc/sys/net/ipv4/ip_forward
echo 1 > /proc/sys/net/ipv6/conf/all/forwarding
echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad
echo ready
exec 3<&0
cat <&3 >/dev/null &
wait $!
`;

/** On a rootless node, the library `cluster shell node` preloads so tcpdump can drop to its user (native/nosetgroups.c). */
export const NODE_SHELL_PRELOAD = '/run/flatnet/nosetgroups.so';

export class Node {
  readonly plan: NodePlan;
  readonly rootless: boolean;
  /** Host PID of the node's holder (PID 1 inside the node). */
  readonly pid: number;
  private readonly holder: ChildProcess;

  private constructor(plan: NodePlan, rootless: boolean, holder: ChildProcess, pid: number) {
    this.plan = plan;
    this.rootless = rootless;
    this.holder = holder;
    this.pid = pid;
  }

  get name(): string {
    return this.plan.name;
  }

  get ip(): string {
    return this.plan.ip;
  }

  static async start(sandbox: Sandbox, plan: NodePlan): Promise<Node> {
    const unshare = 'exec 4</proc/self/ns/net; exec unshare --net --mount --uts --pid --fork --mount-proc --propagation private --kill-child -- sh -c "$FLATNET_NODE_SCRIPT"';
    const env = {
      ...process.env,
      FLATNET_NODE: plan.name,
      FLATNET_NODE_IP: plan.ip,
      FLATNET_VETH: `veth${plan.index}`,
      FLATNET_NODE_SCRIPT: NODE_SCRIPT,
      ...(sandbox.rootless ? { FLATNET_ROOTLESS: '1' } : {}),
    };
    const holder = spawn('nsenter', [...sandbox.enterArgs(), '--', 'sh', '-c', unshare], { stdio: ['pipe', 'pipe', 'pipe'], env });
    const what = `node ${plan.name}`;
    await untilReady(holder, what);
    // nsenter forks into the sandbox's PID namespace; that child becomes unshare, which forks the holder.
    return new Node(plan, sandbox.rootless, holder, firstChild(firstChild(holder.pid!, what), what));
  }

  /** nsenter arguments that enter every namespace of the node. */
  enterArgs(): string[] {
    return ['-t', String(this.pid), ...(this.rootless ? ['-U', '--preserve-credentials'] : []), '-n', '-m', '-u', '-p'];
  }

  /** Runs a command on the node and waits for it. */
  run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    return run('nsenter', [...this.enterArgs(), '--', cmd, ...args], opts);
  }

  /** Starts a long-running process on the node. */
  spawn(cmd: string, args: readonly string[], opts: SpawnOptions = {}): ChildProcess {
    return spawn('nsenter', [...this.enterArgs(), '--', cmd, ...args], opts);
  }

  /** Starts a process on the node on a pseudo-terminal (node-pty, loaded on first use). */
  async spawnTty(cmd: string, args: readonly string[], opts: { env: NodeJS.ProcessEnv; cols: number; rows: number }): Promise<IPty> {
    const pty = await import('node-pty');
    return pty.spawn('nsenter', [...this.enterArgs(), '--', cmd, ...args], { name: 'xterm', cols: opts.cols, rows: opts.rows, env: opts.env as Record<string, string> });
  }

  /** A path inside the node's mount namespace, seen from the host (the holder's root). */
  path(p: string): string {
    return `/proc/${this.pid}/root${p}`;
  }

  /** Makes a directory (and its parents) on the node without entering it. */
  mkdir(p: string): void {
    mkdirSync(this.path(p), { recursive: true });
  }

  /** Writes a file on the node without entering it: the node's files are visible through its holder. */
  writeFile(p: string, text: string): void {
    writeFileSync(this.path(p), text);
  }

  get alive(): boolean {
    return alive(this.holder);
  }

  stop(): Promise<void> {
    return stopHolder(this.holder);
  }
}
