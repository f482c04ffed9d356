/**
 * @module
 * `flatnet lab validate [PATH...]` and `flatnet lab schema`: what instructors run on labs.
 */
import { parseArgs } from 'node:util';
import { FlatnetError } from '../../../checkers/errors.ts';
import { validateLab } from '../../../checkers/grade/index.ts';
import { labJsonSchema } from '../../../checkers/lab/index.ts';
import { display, findLabDirs, LABS_ROOT, loadVariants } from '../../lab/load.ts';
import type { Command, IO } from '../command.ts';
import { styleFor } from '../style.ts';

export const labCommand: Command = {
  name: 'lab',
  summary: 'Validate labs (schema, lint, answers) or print the lab JSON Schema',
  usage: `flatnet lab validate [labs/ | labs/<id> ...]
flatnet lab schema > labs/lab.schema.json

validate  checks each lab: the schema (errors name file, line and field), the lint
          (supported images, declared namespaces, one applied check per task, no network
          needed at grade time), then grades, in every parameter variant, each task's
          starter (must fail), reference (must pass) and wrong answers (must fail with
          their hint). Exit 0 when every lab is valid, 1 otherwise.
schema    prints the JSON Schema of lab.yaml, for editors (yaml-language-server, Monaco).`,
  run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === 'schema') {
      parseArgs({ args: rest, options: {}, strict: true, allowPositionals: false });
      io.out(JSON.stringify(labJsonSchema(), null, 2));
      return 0;
    }
    if (sub === 'validate') return validate(rest, io);
    throw new FlatnetError('UnknownSubcommand', `lab ${sub ?? ''}: expected validate or schema`.trim(), {}, 'run `flatnet lab --help`');
  },
};

function validate(argv: string[], io: IO): number {
  const { positionals } = parseArgs({ args: argv, options: {}, strict: true, allowPositionals: true });
  const dirs = (positionals.length > 0 ? positionals : [display(LABS_ROOT)]).flatMap(findLabDirs);
  const s = styleFor(process.stdout);
  let bad = 0;
  for (const dir of dirs) {
    let problems: FlatnetError[];
    let summary = '';
    try {
      const v = validateLab(loadVariants(dir));
      problems = v.problems;
      const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
      summary =
        `${n(v.tasks, 'task', 'tasks')}${v.variants > 1 ? ` × ${v.variants} parameter variants` : ''}: starters fail, references ${v.accepted > 0 ? `and ${n(v.accepted, 'accepted answer', 'accepted answers')} ` : ''}pass, ` +
        `${n(v.wrong, 'wrong answer fails', 'wrong answers fail')} with ${v.wrong === 1 ? 'its hint' : 'their hints'}`;
    } catch (e) {
      if (!(e instanceof FlatnetError)) throw e;
      problems = e.details.length > 0 ? e.details : [e];
    }
    if (problems.length === 0) {
      io.out(`${s.pass('✓')} ${display(dir)}: ${summary}`);
      continue;
    }
    bad++;
    io.out(`${s.fail('✗')} ${display(dir)}: ${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}`);
    for (const p of problems) io.out(`  ${p.format().replace(/^flatnet: /, '')} [${p.code}]`);
  }
  io.out(bad === 0 ? `${dirs.length} ${dirs.length === 1 ? 'lab' : 'labs'} valid` : `${bad} of ${dirs.length} labs ${bad === 1 ? 'has' : 'have'} problems`);
  return bad === 0 ? 0 : 1;
}
