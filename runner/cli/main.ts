/**
 * @module
 * The `flatnet` command line: dispatch, help, and the one place errors become exit codes.
 */
import { FlatnetError } from '../../checkers/errors.ts';
import type { Command, IO } from './command.ts';
import { gradeCommand } from './commands/grade.ts';
import { labCommand } from './commands/lab.ts';
import { reachCommand } from './commands/reach.ts';
import { clusterCommand } from './commands/cluster.ts';
import { doctorCommand } from './commands/doctor.ts';
import { serveCommand } from './commands/serve.ts';
import { devCommand } from './commands/dev.ts';

const commands: Command[] = [reachCommand, labCommand, gradeCommand, clusterCommand, serveCommand, devCommand, doctorCommand];

// A reader that goes away (`flatnet grade --live ... | head`) must not kill us mid-way: an
// unhandled EPIPE would skip the clean-up that tears down a throw-away cluster.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}

const stdio: IO = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
};

export function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'flatnet — a Kubernetes-networking course you can run',
    '',
    'Usage: flatnet <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `flatnet <command> --help` for a command\'s options.',
  ].join('\n');
}

export async function main(argv: string[], io: IO = stdio): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(help());
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`flatnet: unknown command "${name}" — run \`flatnet help\` to see the commands`);
    return 2;
  }
  const own = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (own.includes('--help') || own.includes('-h')) {
    io.out(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof FlatnetError) io.err(e.format());
    else if (e instanceof Error && isUsageError(e)) io.err(`flatnet ${name}: ${e.message} — run \`flatnet ${name} --help\``);
    else throw e;
    return 2;
  }
}

/** parseArgs and option checks throw plain errors for bad flags: those are the user's, not bugs. */
function isUsageError(e: Error): boolean {
  const code = (e as { code?: string }).code;
  return (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) || e.constructor.name === 'OutputError';
}
