import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FlatnetError } from '../errors.ts';
import { parseLab } from './parse.ts';
import { CHECK_KINDS } from './check.ts';
import { MINI_LAB } from './testdata/mini.ts';

/** Every problem of a lab text, one formatted line each. */
function problems(text: string): string[] {
  try {
    parseLab(text, 'labs/mini/lab.yaml');
    return [];
  } catch (e) {
    assert.ok(e instanceof FlatnetError);
    return (e.details.length > 0 ? e.details : [e]).map((d) => `${d.code} ${d.format()}`);
  }
}

const FIX = ' — correct the lab file (the lab schema: `flatnet lab schema`, or docs/authoring-labs.md)';
// Every kind the schema knows, in its order: the message lists them all.
const KINDS = CHECK_KINDS.map((k) => `"${k}"`).join(', ');

const cases: { name: string; edit: (t: string) => string; want: string[] }[] = [
  {
    name: 'missing field: file, line of the enclosing object, field path',
    edit: (t) => t.replace('    title: Protect db\n', ''),
    want: [`InvalidLab flatnet: labs/mini/lab.yaml:17: tasks[0].title: Required value${FIX}`],
  },
  {
    name: 'wrong type',
    edit: (t) => t.replace('minutes: 5', 'minutes: ten'),
    want: [`InvalidLab flatnet: labs/mini/lab.yaml:6: minutes: Invalid value: "ten": must be a number${FIX}`],
  },
  {
    name: 'unknown check kind',
    edit: (t) => t.replace('kind: reach\n', 'kind: ping\n'),
    want: [`InvalidLab flatnet: labs/mini/lab.yaml:29: tasks[0].checks[1].kind: Unsupported value: "ping": supported values: ${KINDS}${FIX}`],
  },
  {
    name: 'duplicate check ids',
    edit: (t) => t.replace('id: web-to-db', 'id: applies'),
    want: [`InvalidLab flatnet: labs/mini/lab.yaml:28: tasks[0].checks[1].id: Duplicate value: "applies": check ids must be unique (first used at checks[0])${FIX}`],
  },
  {
    name: 'a hint id no hint has',
    edit: (t) => t.replace('hint: allow-web', 'hint: allow-wbe'),
    want: [`InvalidLab flatnet: labs/mini/lab.yaml:35: tasks[0].checks[1].hint: Not found: "allow-wbe": expected one of "namespace", "allow-web", "only-web"${FIX}`],
  },
  {
    name: 'unknown field',
    edit: (t) => t.replace('    prompt:', '    promt: x\n    prompt:'),
    want: [`InvalidLab flatnet: labs/mini/lab.yaml:19: tasks[0].promt: strict decoding error: unknown field "tasks[0].promt"${FIX}`],
  },
  {
    name: 'a check missing its kind',
    edit: (t) => t.replace('        kind: reach\n', ''),
    want: [`InvalidLab flatnet: labs/mini/lab.yaml:28: tasks[0].checks[1].kind: Required value: supported values: ${KINDS}${FIX}`],
  },
  {
    name: 'YAML syntax error',
    edit: (t) => t.replace('minutes: 5', 'minutes: [5'),
    want: [
      'YamlSyntax flatnet: labs/mini/lab.yaml:7:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ] — fix the YAML at that line (indentation and `key: value` pairs are the usual cause)',
    ],
  },
  {
    name: 'undeclared parameter',
    edit: (t) => t.replace('title: Mini', 'title: Mini ${nope}'),
    want: ['UnknownParam flatnet: labs/mini/lab.yaml:4: ${nope} names no parameter of this lab — declare it under params'],
  },
];

describe('parseLab errors name file, line and field', () => {
  it('the fixture itself is valid', () => assert.deepEqual(problems(MINI_LAB), []));
  for (const c of cases) it(c.name, () => assert.deepEqual(problems(c.edit(MINI_LAB)), c.want));
});

describe('parseLab rendering', () => {
  it('renders ${params} with the seed\'s choices, keeping lines', () => {
    const text = MINI_LAB.replace('title: Mini', 'title: Mini in ${ns}').replace('minutes: 5', 'minutes: 5\nparams: [{ name: ns, kind: namespace, choices: [shop, store] }]');
    const first = parseLab(text, 'lab.yaml');
    assert.equal(first.lab.title, 'Mini in shop');
    assert.equal(parseLab(text, 'lab.yaml', { variant: 1 }).lab.title, 'Mini in store');
    assert.equal(first.lineOf(['tasks', 0, 'id']), 18);
  });
});
