/**
 * A real `flatnet serve` process for tests, in a state folder of its own: started, its URL
 * read from its status line, and stopped with SIGTERM (it ends its sessions and clusters).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { flatnetProcesses } from '../runner/providers/local/lifecycle.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { until } from './local-cluster/harness.ts';

const BIN = fileURLToPath(new URL('../bin/flatnet.js', import.meta.url));

export interface Served {
  url: string;
  child: ChildProcess;
  /** Its stderr so far: status lines and the JSON log. */
  stderr(): string;
  /** SIGTERM, then waits for it to finish; `removeState` also deletes its state folder. */
  stop(removeState?: boolean): Promise<void>;
}

/** Starts `flatnet serve --port 0 ARGS`; `state` defaults to a new folder under the temp dir. */
export async function startServe(args: string[], state = mkdtempSync(join(tmpdir(), 'flatnet-serve-'))): Promise<Served> {
  // Passable by the clusters' own users, as /var/lib/flatnet is (a temp folder is made 0700).
  chmodSync(state, 0o711);
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { env: { ...process.env, FLATNET_STATE_DIR: state }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const url = await until('the server URL', () => /serving on (http:\S+)/.exec(err)?.[1], 30_000);
  return {
    url,
    child,
    stderr: () => err,
    async stop(removeState = false) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      // Every cluster goes with the server: a daemon still running under this state folder is
      // a leak (once, a session's home that would not go kept its cluster alive). Stopped here, and reported.
      const left = flatnetProcesses(join(state, 'serve')).concat(flatnetProcesses(state));
      for (const pid of left) process.kill(pid, 'SIGKILL');
      if (removeState) rmSync(state, { recursive: true, force: true });
      if (left.length > 0) throw new Error(`flatnet serve left ${left.length} cluster process(es) running after it stopped: ${left.join(', ')}`);
    },
  };
}
