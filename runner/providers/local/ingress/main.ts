/**
 * @module
 * The process in the `local` cluster's ingress controller pods:
 *
 *     node runner/providers/local/ingress/main.ts --table FILE [--host 0.0.0.0] [--http-port 80] [--https-port 443]
 *
 * It serves what FILE says (table-file.ts), which the cluster daemon rewrites (tmp + rename)
 * whenever Ingresses, Services, endpoints or TLS Secrets change; a new table takes over from
 * the next request. Its stdout is the pod's log: one line per request in ingress-nginx's
 * access-log format (access-log.ts), and what it loaded.
 */
import { parseArgs } from 'node:util';
import { watchSnapshotFile } from '../snapshot-file.ts';
import { startIngressProxy } from './server.ts';
import { emptyTable, parseTable, tableDigest } from './table-file.ts';

const usage = 'usage: node runner/providers/local/ingress/main.ts --table FILE [--host 0.0.0.0] [--http-port 80] [--https-port 443]';
const log = (line: string) => process.stdout.write(`flatnet-ingress: ${line}\n`);
const access = (line: string) => process.stdout.write(`${line}\n`);

function options() {
  try {
    const { values } = parseArgs({ options: { table: { type: 'string' }, host: { type: 'string', default: '0.0.0.0' }, 'http-port': { type: 'string', default: '80' }, 'https-port': { type: 'string', default: '443' } } });
    if (!values.table) throw new Error('--table FILE is required');
    const port = (flag: string, v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${flag} must be 0-65535, not "${v}"`);
      return n;
    };
    return { file: values.table, host: values.host, httpPort: port('http-port', values['http-port']), httpsPort: port('https-port', values['https-port']) };
  } catch (err) {
    process.stderr.write(`flatnet-ingress: ${(err as Error).message}\n${usage}\n`);
    process.exit(2);
  }
}

const { file, host, httpPort, httpsPort } = options();
// Listening first, with nothing to serve (404s): the table's first load follows at once.
const proxy = await startIngressProxy(emptyTable(), { host, httpPort, httpsPort, log, access });
let digest = '';
const parse = (text: string) => {
  const t = parseTable(text);
  digest = tableDigest(text);
  return t;
};
const table = await watchSnapshotFile(file, parse, emptyTable(), {
  onLoad: (t) => {
    proxy.update(t);
    log(`loaded table ${digest} from ${file}: ${t.servers.length} hosts, ${t.certificates.length} certificates${t.defaultBackend ? ', a default backend' : ''}`);
  },
  onError: (err) => log(`keeping the last good table: ${err.message}`),
});
log(`serving on ${host}:${(proxy.http.address() as { port: number }).port} (http) and :${(proxy.https.address() as { port: number }).port} (https)`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    table.close();
    void proxy.close().then(() => process.exit(0));
  });
}
