/**
 * @module
 * `flatnet dev`: the instructor's preview. Runs the site's dev server (chapters and labs reload
 * as they are saved; a lab.yaml that does not validate shows its errors in the lab's page)
 * beside a `flatnet serve` whose API the dev server forwards /api to, so labs can be started
 * and checked from the preview exactly as learners will.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const devCommand: Command = {
  name: 'dev',
  summary: 'Preview the course while writing it: live reload of chapters and labs, with a runner',
  usage: `flatnet dev [--port P] [--api-port P] [--no-runner]

Serves the course site from its sources at http://127.0.0.1:P/ (default 4321) with hot reload:
edit site/content/chapters/*.mdx or labs/<id>/lab.yaml and the open page updates. A lab whose
YAML does not validate shows the errors (file, line, field) in its page. /api goes to a
\`flatnet serve\` started on --api-port (default 8421), so Start, Apply and Check work.

  --port        the dev server's port (default 4321)
  --api-port    the runner's port (default 8421)
  --no-runner   no runner: chapters and lab pages only`,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: { port: { type: 'string', default: '4321' }, 'api-port': { type: 'string', default: '8421' }, 'no-runner': { type: 'boolean', default: false } },
      strict: true,
    });
    const host = '127.0.0.1';
    const children: ChildProcess[] = [];
    const api = `http://${host}:${values['api-port']}`;
    if (!values['no-runner']) {
      const origins = [`http://${host}:${values.port}`, `http://localhost:${values.port}`].flatMap((o) => ['--allow-origin', o]);
      children.push(spawn(process.execPath, [`${ROOT}bin/flatnet.js`, 'serve', '--port', values['api-port'], '--host', host, ...origins], { cwd: ROOT, stdio: 'inherit' }));
    }
    const astro = spawn(process.execPath, [`${ROOT}node_modules/astro/bin/astro.mjs`, 'dev', '--host', host, '--port', values.port], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', ...(values['no-runner'] ? {} : { FLATNET_DEV_API: api }) },
    });
    children.push(astro);
    io.err(`flatnet: previewing the course at http://${host}:${values.port}/${values['no-runner'] ? '' : ` (runner on ${api})`}`);
    const stop = (sig: NodeJS.Signals) => children.forEach((c) => c.kill(sig));
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    // When either part stops, stop the other: a preview without its runner would mislead.
    return new Promise<number>((resolve) => {
      for (const c of children) {
        c.once('exit', (code) => {
          stop('SIGTERM');
          resolve(code ?? 1);
        });
      }
    });
  },
};
