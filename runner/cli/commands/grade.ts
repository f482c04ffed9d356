/**
 * @module
 * `flatnet grade`: grades one answer to one task of a lab. Exit 0 passed, 1 not passed,
 * 2 invalid input (unknown lab or task, unreadable file, broken lab).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { FlatnetError } from '../../../checkers/errors.ts';
import { findTask, gradeLive, gradeStatic, renderHuman, renderJson, renderJunit, type GradeResult } from '../../../checkers/grade/index.ts';
import type { LabBundle, SourceText } from '../../../checkers/lab/sources.ts';
import { substitute } from '../../../checkers/lab/params.ts';
import { labDirById, loadLab } from '../../lab/load.ts';
import { labImages, setUpTimeoutMs, startLabCluster } from '../../lab/cluster.ts';
import { chooseProvider, type Choice } from '../../providers/choose.ts';
import type { Command } from '../command.ts';
import { styleFor } from '../style.ts';

export const gradeCommand: Command = {
  name: 'grade',
  summary: 'Grade an answer to a lab task, with hints and explanations',
  usage: `flatnet grade LAB_ID [--task TASK_ID] -f ANSWER.yaml [-o human|json] [--junit FILE] [--static|--live [--provider local|kind] [--cni calico|cilium]] [--seed SEED]

Applies the answer on top of the lab's setup and runs the task's checks. Static mode (the
default) decides every check with the NetworkPolicy engine, without a cluster; --live starts
a throw-away local cluster with the lab's setup, applies the answer there and decides every
check with real packets (the engine's reasoning is shown next to each measurement).

  LAB_ID          a lab under labs/ (e.g. netpol-postgres-dns-egress) or a path to a lab folder
      --task      task id (optional when the lab has one task)
  -f, --filename  the answer: one YAML file with one or more documents, or - for stdin
  -o, --output    human (default) or json
      --junit     also write a JUnit XML report to FILE
      --seed      the learner's seed, when the lab has parameters (default: first choices)
      --provider  with --live: local (default, no Docker) or kind (a real kind cluster; needs Docker)
      --cni       with --provider kind: calico (default, or the lab's requires.cni), cilium or kindnet

Exit status: 0 passed, 1 not passed, 2 invalid input.`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        task: { type: 'string' },
        filename: { type: 'string', short: 'f' },
        output: { type: 'string', short: 'o', default: 'human' },
        junit: { type: 'string' },
        static: { type: 'boolean' },
        live: { type: 'boolean' },
        seed: { type: 'string' },
        provider: { type: 'string' },
        cni: { type: 'string' },
      },
      strict: true,
      allowPositionals: true,
    });
    const output = values.output;
    if (output !== 'human' && output !== 'json') throw new FlatnetError('BadOutput', `-o ${output}: expected human or json`, {}, 'use -o human or -o json');
    const [labId, ...extra] = positionals;
    if (labId === undefined || extra.length > 0) throw new FlatnetError('BadArguments', labId === undefined ? 'no lab given' : `unexpected argument ${extra[0]}`, {}, 'run it as flatnet grade LAB_ID --task TASK_ID -f ANSWER.yaml');
    if (values.filename === undefined) throw new FlatnetError('NoInput', 'no answer given', {}, 'pass the answer with -f ANSWER.yaml (or -f - for stdin)');
    if (values.live && values.static) throw new FlatnetError('BadArguments', '--static and --live exclude each other', {}, 'pass one of them');
    if (!values.live && (values.provider !== undefined || values.cni !== undefined)) throw new FlatnetError('BadArguments', '--provider and --cni choose the cluster of --live grading', {}, 'add --live, or leave them out');

    const bundle = loadLab(labDirById(labId), values.seed === undefined ? {} : { seed: values.seed });
    findTask(bundle, values.task); // an unknown task is reported before the answer is read
    const file = values.filename === '-' ? '<stdin>' : values.filename;
    // Rendering the answer too lets the lab's own templated answers be graded as they are;
    // a learner's answer has no ${param} in it, and unknown ones are left alone.
    const text = substitute(readAnswer(values.filename), bundle.values).text;
    const answer = { text, file, lineOffset: 0 };
    const choice = values.live ? chooseProvider(values.provider, values.cni, bundle.lab.requires.cni) : undefined;
    const result = choice ? await gradeInThrowawayCluster(bundle, values.task, answer, (line) => io.err(line), choice) : gradeStatic(bundle, values.task, answer);
    if (values.junit !== undefined) writeFileSync(values.junit, renderJunit([result]));
    io.out(output === 'json' ? renderJson(result) : renderHuman(result, styleFor(process.stdout)));
    return result.passed ? 0 : 1;
  },
};

/** --live: a fresh cluster (local, or kind with its CNI) in the task's start state, the answer applied and measured there, then gone. */
async function gradeInThrowawayCluster(bundle: LabBundle, taskId: string | undefined, answer: SourceText, status: (line: string) => void, { provider, cni }: Choice): Promise<GradeResult> {
  const { index } = findTask(bundle, taskId);
  const name = `grade-${randomBytes(3).toString('hex')}`;
  const images = labImages(bundle);
  const cleanup = () => void provider.destroy(name);
  process.once('SIGINT', cleanup);
  try {
    await startLabCluster(provider, { name, ...(cni ? { cni } : {}), ...(provider.name === 'kind' ? { images } : {}) }, bundle, index, (e) => status(` • ${e.stage}`), setUpTimeoutMs(provider));
    status(' • Grading with real packets');
    return await gradeLive(bundle, taskId, answer, provider.prober(name), { ipBlockMatchesPods: provider.capabilities({ name, ...(cni ? { cni } : {}) }).ipBlockMatchesPods });
  } finally {
    process.off('SIGINT', cleanup);
    await provider.destroy(name);
  }
}

function readAnswer(path: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch {
    throw new FlatnetError('NoSuchFile', `${path}: no such file`, {}, 'check the path given to -f');
  }
}
