/**
 * kube-proxy's iptables mode against its nftables mode (issue 11), on a sandbox node with two
 * busybox httpd backends and a client pod (runner/providers/local/proxy/testdata): at 10, 100
 * and 1,000 Services, how long a full sync takes to program, how long a one-Service change
 * takes (one more Service), and how long a new connection from the pod to
 * the last Service's cluster IP takes to set up (curl's time_connect, median of 100) — the
 * figure iptables' walk through KUBE-SERVICES grows with and nftables' map lookup does not.
 * Both modes run on the same node in the same run, one after the other. flatnet rewrites its
 * whole table on every change in both modes; kube-proxy's nftables mode also has partial
 * syncs, which would make its one-Service update far cheaper than shown here.
 */
import type { Bench } from './bench.ts';
import { applyProxyRules } from '../runner/providers/local/proxy/apply.ts';
import { applyNftRules } from '../runner/providers/local/proxy/apply-nft.ts';
import { applyIpvsRules } from '../runner/providers/local/proxy/apply-ipvs.ts';
import { proxyModeUnavailable } from '../runner/providers/local/proxy/mode.ts';
import type { ProxyInput, ServiceView } from '../runner/providers/local/proxy/model.ts';
import { skipReason, startTestNode, type TestNode } from '../runner/providers/local/proxy/testdata/sandbox.ts';

const SIZES = [10, 100, 1000];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function services(n: number, pods: Record<string, string>): ProxyInput {
  const svc = (i: number): ServiceView => ({
    namespace: 'bench',
    name: `svc-${i}`,
    type: 'ClusterIP',
    clusterIP: `10.96.${Math.floor(i / 250)}.${(i % 250) + 2}`,
    ports: [{ name: 'http', port: 80, protocol: 'TCP', endpoints: [pods['backend-a']!, pods['backend-b']!].map((ip) => ({ ip, port: 8080, ready: true })) }],
  });
  return { services: Array.from({ length: n }, (_, i) => svc(i)), nodeIPs: ['10.0.0.10'], clusterCIDR: '10.244.0.0/16' };
}

const CLEAR_IPTABLES = 'iptables -t nat -F; iptables -t nat -X; iptables -t filter -F; iptables -t filter -X';

/** The modes as the dataplane drives them, and how to clear one's rules before the next runs. */
const MODES = {
  iptables: { apply: (input: ProxyInput, node: TestNode) => applyProxyRules(input, node.run), clear: CLEAR_IPTABLES },
  nftables: { apply: (input: ProxyInput, node: TestNode) => applyNftRules(input, node.run, { serviceCIDR: '10.96.0.0/16' }), clear: 'nft delete table ip kube-proxy' },
  ipvs: { apply: (input: ProxyInput, node: TestNode) => applyIpvsRules(input, node.run), clear: `ipvsadm -C; ${CLEAR_IPTABLES}; ipset list -n | grep ^KUBE- | xargs -rn1 ipset destroy; ip link del kube-ipvs0` },
} as const;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

export const proxyModesBench: Bench = {
  name: 'kube-proxy modes: iptables vs nftables (vs ipvs where the kernel has it)',
  goal: 'sync and one-Service update times, and connection setup to the last Service, at 10 / 100 / 1,000 Services (every mode this host runs, same node, same run)',
  async run(report) {
    const why = skipReason();
    if (why) return void report({ skipped: why });
    const modes = Object.entries(MODES).filter(([mode]) => {
      const cannot = proxyModeUnavailable(mode);
      if (cannot) report({ mode, skipped: cannot });
      return !cannot;
    });
    const node = await startTestNode();
    try {
      for (const n of SIZES) {
        for (const [mode, m] of modes) {
          const input = services(n, node.pods);
          const sync = await timed(() => m.apply(input, node));
          const update = await timed(() => m.apply(services(n + 1, node.pods), node));
          const ip = input.services.at(-1)!.clusterIP;
          // Ten to warm up (caches, the first conntrack entries), then a hundred measured.
          const r = await node.run('ip', ['netns', 'exec', 'client', 'sh', '-c', `for i in $(seq 110); do curl -s -o /dev/null -w '%{time_connect}\\n' http://${ip}/; done`]);
          const connects = r.stdout.trim().split('\n').map((s) => Number(s) * 1e6).slice(10);
          if (connects.length !== 100 || connects.some((c) => !(c > 0))) throw new Error(`${mode}, ${n} Services: the connections failed: ${r.stderr}`);
          report({ services: n, mode, 'full sync ms': Math.round(sync), 'one-Service update ms': Math.round(update), 'connect to last Service µs (p50)': Math.round(median(connects)) });
          await node.run('sh', ['-c', m.clear]);
        }
      }
    } finally {
      await node.stop();
    }
  },
};
