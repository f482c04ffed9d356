/**
 * @module
 * `npm start`: the course, ready to use. Builds the site when dist/ is missing or older than
 * its sources, then runs `flatnet serve` (API and site on one port) and says where to open it.
 * Extra arguments go to `flatnet serve` (`npm start -- --port 9000`). Opens no browser.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DIST, ROOT, ensureBuilt } from './stamp.ts';

if (!ensureBuilt((l) => console.error(l))) {
  console.error('flatnet: the course site did not build (see above); fix it, or run `npx flatnet serve` for the API alone');
  process.exit(1);
}
const child = spawn(process.execPath, [join(ROOT, 'bin', 'flatnet.js'), 'serve', '--site', DIST, ...process.argv.slice(2)], { stdio: ['inherit', 'inherit', 'pipe'] });
child.stderr!.on('data', (d: Buffer) => {
  const text = d.toString();
  process.stderr.write(text);
  const url = /serving on (http:\S+)/.exec(text)?.[1];
  if (url) console.error(`\nflatnet: the course is at ${url}/ — open it in your browser (Ctrl+C stops it and its clusters)\n`);
});
// serve ends its sessions and their clusters on SIGINT/SIGTERM; let it, then leave with its code.
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 1));
