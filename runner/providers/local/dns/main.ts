/**
 * @module
 * The process in the `local` cluster's coredns pod:
 *
 *     node runner/providers/local/dns/main.ts --records FILE [--host 0.0.0.0] [--port 53]
 *
 * It serves UDP and TCP from FILE, which the cluster daemon rewrites (tmp + rename)
 * whenever Services, EndpointSlices or Pods change. Its stdout is the pod's log: one
 * line when serving starts, one per snapshot loaded or rejected.
 *
 * Idle RSS, measured with Node 22.23 on x86_64 (main.test.ts prints it on every run):
 * about 86 MB. A bare `node` idles at 44 MB; Node's type stripper (a WebAssembly module
 * whose memory grows with the files it strips and never shrinks) adds about 26 MB, and
 * the same code stripped to .js idles at 60 MB; dns-packet is about 6 MB, the JS heap
 * about 9 MB. `--v8-pool-size=1` saves about 8 MB more. zod would cost 14 MB, which is
 * why records.ts checks the file by hand.
 */
import { parseArgs } from 'node:util';
import { watchRecordsFile } from './records-file.ts';
import { startDnsServer } from './server.ts';

const usage = 'usage: node runner/providers/local/dns/main.ts --records FILE [--host 0.0.0.0] [--port 53]';
const log = (line: string) => process.stdout.write(`flatnet-dns: ${line}\n`);

function options() {
  try {
    const { values } = parseArgs({ options: { records: { type: 'string' }, host: { type: 'string', default: '0.0.0.0' }, port: { type: 'string', default: '53' } } });
    const port = Number(values.port);
    if (!values.records) throw new Error('--records FILE is required');
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0-65535, not "${values.port}"`);
    return { file: values.records, host: values.host, port };
  } catch (err) {
    process.stderr.write(`flatnet-dns: ${(err as Error).message}\n${usage}\n`);
    process.exit(2);
  }
}

const { file, host, port } = options();
const records = await watchRecordsFile(file, {
  onLoad: (r) => log(`loaded ${file}: ${r.services.length} services, ${r.pods.length} pods in ${r.domain}`),
  onError: (err) => log(`keeping the last good records: ${err.message}`),
});
const server = await startDnsServer({ host, port, records: records.current });
log(`serving on ${host}:${server.port} (udp, tcp)`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    records.close();
    void server.close().then(() => process.exit(0));
  });
}
