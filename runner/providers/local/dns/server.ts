/**
 * @module
 * The DNS server: UDP and TCP on the same port, each message answered from the records
 * snapshot current at that moment. UDP replies that do not fit come back truncated
 * with TC set, and clients repeat the query over TCP (RFC 7766), which takes several
 * length-prefixed queries per connection.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket as Connection } from 'node:net';
import type { DnsRecords } from './records.ts';
import { respond, type Transport } from './respond.ts';

export interface DnsServer {
  /** The bound port: the one asked for, or the one picked for port 0. */
  port: number;
  close(): Promise<void>;
}

/** How long a TCP connection may sit idle between queries (miekg/dns's default). */
const IDLE_MS = 8000;

export async function startDnsServer(opts: { host: string; port: number; records: () => DnsRecords }): Promise<DnsServer> {
  const reply = (msg: Buffer, transport: Transport) => {
    try {
      return respond(msg, opts.records(), transport);
    } catch {
      return undefined; // respond does not throw; a records() that does must not stop the server
    }
  };
  // Port 0 picks a free UDP port, which may be taken for TCP: then pick again.
  for (let attempt = 1; ; attempt++) {
    const udp = await bindUdp(opts.host, opts.port);
    const port = udp.address().port;
    try {
      const tcp = await listenTcp(opts.host, port);
      return serve(udp, tcp, port, reply);
    } catch (err) {
      udp.close();
      if (opts.port !== 0 || attempt === 5 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
}

function bindUdp(host: string, port: number): Promise<Socket> {
  const udp = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, host, () => {
      udp.off('error', reject);
      resolve(udp);
    });
  });
}

function listenTcp(host: string, port: number): Promise<Server> {
  const tcp = createServer();
  return new Promise((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, host, () => {
      tcp.off('error', reject);
      resolve(tcp);
    });
  });
}

function serve(udp: Socket, tcp: Server, port: number, reply: (msg: Buffer, t: Transport) => Buffer | undefined): DnsServer {
  // A send to a vanished client or an ICMP error must not end the server.
  udp.on('error', () => {});
  udp.on('message', (msg, from) => {
    const out = reply(msg, 'udp');
    if (out) udp.send(out, from.port, from.address, () => {});
  });

  const connections = new Set<Connection>();
  tcp.on('error', () => {});
  tcp.on('connection', (conn) => {
    connections.add(conn);
    conn.on('close', () => connections.delete(conn));
    conn.on('error', () => conn.destroy());
    conn.setTimeout(IDLE_MS, () => conn.destroy());
    let pending = Buffer.alloc(0);
    conn.on('data', (chunk) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      // Each message is preceded by its length in two bytes; a chunk may hold several, or part of one.
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const msg = pending.subarray(2, 2 + pending.readUInt16BE(0));
        pending = pending.subarray(2 + msg.length);
        const out = reply(msg, 'tcp');
        if (!out) continue;
        const length = Buffer.alloc(2);
        length.writeUInt16BE(out.length);
        conn.write(Buffer.concat([length, out]));
      }
    });
  });

  return {
    port,
    close: async () => {
      for (const conn of connections) conn.destroy();
      await Promise.all([new Promise<void>((resolve) => udp.close(() => resolve())), new Promise<void>((resolve) => tcp.close(() => resolve()))]);
    },
  };
}
