/**
 * @module
 * `flatnet serve`: the runner — lab sessions, terminals and live grading over HTTP and
 * WebSocket (runner/server/http.ts), on the local provider.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FlatnetError } from '../../../checkers/errors.ts';
import { labDirById, loadLab } from '../../lab/load.ts';
import { stateRoot } from '../../providers/local/config.ts';
import { ownersUnavailable } from '../../providers/local/lifecycle.ts';
import { KindProvider } from '../../providers/kind/provider.ts';
import { LocalProvider } from '../../providers/local/provider.ts';
import type { Provider } from '../../providers/provider.ts';
import { startServer } from '../../server/http.ts';
import { jsonLines } from '../../server/log.ts';
import { SessionManager } from '../../server/sessions.ts';
import type { Command } from '../command.ts';

/** Where `npm run build` puts the course site (astro.config.mjs outDir). */
const DIST = fileURLToPath(new URL('../../../dist', import.meta.url));

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run the lab runner: sessions, terminals and live grading over HTTP',
  usage: `flatnet serve [--port P] [--host H] [--max-sessions N] [--idle-minutes M] [--warm N] [--providers local[,kind]] [--allow-origin URL]... [--site DIR]

Serves the runner's API (sessions, their terminals over WebSocket, live grading) and
/healthz, /metrics. Each session gets its own cluster: on the local provider unless it asks
for kind ({"provider":"kind","cni":"calico"|"cilium"}) and this server runs kind sessions.

  --port            port to listen on (default 8420; 0 picks a free one)
  --host            address to listen on (default 127.0.0.1)
  --max-sessions    sessions at once (default 20)
  --max-per-client  sessions one client address may run at once (default 3)
  --idle-minutes    end a session nobody used for this long (default 30)
  --warm            local clusters kept ready, so Start only sets up the lab (default 1)
  --providers       providers sessions may use, the first the default (default local;
                    local,kind also serves kind sessions: Docker, \`flatnet doctor --provider kind\`)
  --allow-origin    a web origin besides this server's own that may call the API
  --site            the built course site to serve at / (default: dist/ of this checkout, if built)`,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '8420' },
        host: { type: 'string', default: '127.0.0.1' },
        'max-sessions': { type: 'string', default: '20' },
        'max-per-client': { type: 'string', default: '3' },
        'idle-minutes': { type: 'string', default: '30' },
        warm: { type: 'string', default: '1' },
        providers: { type: 'string', default: 'local' },
        'allow-origin': { type: 'string', multiple: true, default: [] },
        site: { type: 'string' },
      },
      strict: true,
    });
    const number = (name: string, v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new FlatnetError('BadArguments', `--${name} ${v}: expected a whole number`, {}, `e.g. --${name} 8420`);
      return n;
    };
    // The server's clusters live in a state folder of their own: whatever is there when it starts
    // was left by an earlier run that did not stop cleanly (a crash, a kill), and goes.
    // A root runner keeps it where the clusters' own users can reach it (root's home is closed to them).
    const root = process.getuid?.() === 0 && !process.env.FLATNET_STATE_DIR;
    process.env.FLATNET_STATE_DIR = root ? '/var/lib/flatnet/serve' : join(stateRoot(), 'serve');
    mkdirSync(process.env.FLATNET_STATE_DIR, { recursive: true });
    if (root) chmodSync('/var/lib/flatnet', 0o711);
    const noOwners = ownersUnavailable();
    if (noOwners && process.getuid?.() === 0) io.err(`flatnet: warning: ${noOwners}; learners' shells run as users of their own but cannot enter their node (\`flatnet cluster shell node\`)`);
    const local = new LocalProvider({ ownUsers: !noOwners });
    const all: Provider[] = [];
    for (const name of values.providers.split(',').map((p) => p.trim())) {
      if (name === 'local') all.push(local);
      else if (name === 'kind') all.push(new KindProvider({ ownStateOnly: true }));
      else throw new FlatnetError('UnknownProvider', `--providers ${values.providers}: "${name}" is not a provider`, {}, 'use local, or local,kind');
    }
    const [provider, ...others] = all;
    if (!provider) throw new FlatnetError('UnknownProvider', '--providers: none given', {}, 'use local, or local,kind');
    for (const p of all) {
      const leaked = await p.destroyLeaked();
      if (leaked.length > 0) io.err(`flatnet: removed what an earlier run left: ${leaked.join(', ')}`);
    }
    // Learners' homes sit where their own users can reach them (a root runner's state is under
    // /root); where they are is noted, so the next start removes those of a run that was killed.
    const homesNote = join(process.env.FLATNET_STATE_DIR, 'homes-path');
    if (existsSync(homesNote)) rmSync(readFileSync(homesNote, 'utf8').trim(), { recursive: true, force: true });
    const homes = mkdtempSync(join(tmpdir(), 'flatnet-homes-'));
    writeFileSync(homesNote, homes);
    const sessions = new SessionManager({
      provider,
      providers: others,
      journal: join(process.env.FLATNET_STATE_DIR, 'sessions'),
      root: homes,
      loadLab: (id) => loadLab(labDirById(id)),
      idleMs: number('idle-minutes', values['idle-minutes']) * 60_000,
      maxMs: 4 * 60 * 60_000,
      maxSessions: number('max-sessions', values['max-sessions']),
      maxPerClient: number('max-per-client', values['max-per-client']),
      // One JSON object a line on stderr, beside the status lines (which start with "flatnet:").
      log: jsonLines((line) => process.stderr.write(line)),
      warm: number('warm', values.warm),
    });
    const site = values.site ?? (existsSync(join(DIST, 'index.html')) ? DIST : undefined);
    if (values.site && !existsSync(values.site)) throw new FlatnetError('NoSite', `--site ${values.site}: no such folder`, {}, 'build the site with `npm run build`, or leave --site out');
    const { url, server } = await startServer({ sessions, allowedOrigins: values['allow-origin'], site }, number('port', values.port), values.host);
    io.err(`flatnet: serving on ${url}`);
    // Ctrl+C reaches every process of the terminal's group, and `npm start` passes it on too: a
    // second signal while stopping must not kill the cleanup halfway (clusters would be left).
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      io.err(`flatnet: stopping: ending ${sessions.all.length} session(s) and their clusters…`);
      server.close();
      await sessions.close(); // every session's cluster goes with the server
      process.exit(0);
    };
    process.on('SIGINT', () => void stop());
    process.on('SIGTERM', () => void stop());
    return new Promise<number>(() => {});
  },
};
