/**
 * @module
 * One test pod's process, run inside the pod's network namespace: it serves TCP and UDP
 * ports (answering "ok", like `tcpsvd 0 PORT echo ok` would) and, on request, probes other
 * pods. Debian's busybox-static has no tcpsvd, udpsvd or `nc -u`, and one Node process per
 * pod that both serves and probes in parallel costs less than a process per probe.
 *
 *     node agent.ts --tcp 80,81 --udp 80,81
 *     stdin:  {"id":1,"timeoutMs":1000,"probes":[{"ip":"10.244.2.1","port":80,"protocol":"TCP"}]}
 *     stdout: {"ready":true} once listening, then {"id":1,"results":[true]}
 *
 * A probe is true when the server answered, false when nothing came back in time (a DROP),
 * null for anything else (refused, unreachable): that is not a policy verdict. It exits
 * when stdin closes.
 */
import { createSocket, type Socket } from 'node:dgram';
import { connect, createServer, isIPv6 } from 'node:net';
import { createInterface } from 'node:readline';

interface Probe {
  ip: string;
  port: number;
  protocol: 'TCP' | 'UDP';
}

const ports = (flag: string) => {
  const i = process.argv.indexOf(flag);
  return i < 0 ? [] : process.argv[i + 1]!.split(',').filter(Boolean).map(Number);
};

// UDP conntrack entries outlive a test scenario (30 s and more); a fresh source port per
// probe keeps a reply allowed by an earlier scenario's rules from matching this one's flow.
let nextUdpPort = 20000;

async function serve(): Promise<void> {
  const listening: Promise<void>[] = [];
  for (const port of ports('--tcp')) {
    // A prober hangs up as soon as it is connected; its reset is no reason to stop serving.
    const server = createServer((s) => s.on('error', () => {}).end('ok\n'));
    listening.push(new Promise((resolve) => server.listen({ port, host: '::', ipv6Only: false }, resolve)));
  }
  for (const port of ports('--udp')) {
    const socket = createSocket({ type: 'udp6', ipv6Only: false });
    socket.on('message', (_msg, from) => socket.send('ok\n', from.port, from.address));
    listening.push(new Promise((resolve) => socket.bind(port, '::', resolve)));
  }
  await Promise.all(listening);
}

function probeTCP(p: Probe, timeoutMs: number): Promise<boolean | null> {
  return new Promise((resolve) => {
    const s = connect({ host: p.ip, port: p.port });
    const done = (v: boolean | null) => {
      clearTimeout(timer);
      s.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    s.once('connect', () => done(true));
    s.once('error', () => done(null));
  });
}

function probeUDP(p: Probe, timeoutMs: number): Promise<boolean | null> {
  return new Promise((resolve) => {
    const s: Socket = createSocket(isIPv6(p.ip) ? 'udp6' : 'udp4');
    let sender: NodeJS.Timeout | undefined;
    const done = (v: boolean | null) => {
      clearTimeout(timer);
      clearInterval(sender);
      s.close();
      resolve(v);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    s.once('message', () => done(true));
    s.once('error', () => done(null));
    // Resent a few times: the first datagram may wait on neighbour resolution.
    s.bind(nextUdpPort++, () => {
      const send = () => s.send('ping\n', p.port, p.ip);
      send();
      sender = setInterval(send, timeoutMs / 4);
    });
  });
}

await serve();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const req = JSON.parse(line) as { id: number; timeoutMs: number; probes: Probe[] };
  void Promise.all(req.probes.map((p) => (p.protocol === 'TCP' ? probeTCP(p, req.timeoutMs) : probeUDP(p, req.timeoutMs)))).then((results) =>
    process.stdout.write(`${JSON.stringify({ id: req.id, results })}\n`),
  );
});
lines.on('close', () => process.exit(0));
