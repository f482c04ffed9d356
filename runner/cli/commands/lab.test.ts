import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LABS_ROOT } from '../../lab/load.ts';
import { main } from '../main.ts';

const POSTGRES = 'netpol-postgres-dns-egress';
const repo = join(LABS_ROOT, '..');

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A temporary copy of a lab (same folder name, since the id must match it), edited by `edit`. */
function brokenCopy(id: string, edit: (dir: string) => void): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'flatnet-lab-')), id);
  cpSync(join(LABS_ROOT, id), dir, { recursive: true });
  edit(dir);
  return dir;
}

function replaceIn(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  assert.ok(text.includes(from), `${file} has no ${from}`);
  writeFileSync(file, text.replace(from, to));
}

describe('flatnet lab validate', () => {
  it('passes on labs/ as checked in', async () => {
    const r = await run(['lab', 'validate', LABS_ROOT]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /✓ .*netpol-postgres-dns-egress: 1 task × 3 parameter variants: starters fail, references and 3 accepted answers pass, 10 wrong answers fail with their hints/);
    assert.match(r.out, /✓ .*lab-4-1-networking-fundamentals: 2 tasks: /);
  });

  const broken: { name: string; edit: (dir: string) => void; want: RegExp }[] = [
    {
      name: 'a broken reference',
      edit: (d) => replaceIn(join(d, 'solution/postgres-policy.yaml'), 'port: 5432', 'port: 5433'),
      want: /lab\.yaml:\d+: tasks\[0\]\.reference: task postgres-policy \[params ns=data api=api\]: the reference fails check api-reaches-postgres \(denied \(1 of 1 flow\): data\/api -> data\/postgres TCP 5432 denied: .*\) — fix the reference solution or the check \[ReferenceFails\]/,
    },
    {
      name: 'a wrong answer that passes',
      edit: (d) => cpSync(join(d, 'solution/postgres-policy.yaml'), join(d, 'wrong/dns-missing.yaml')),
      want: /lab\.yaml:\d+: tasks\[0\]\.wrong\[1\]: task postgres-policy \[params ns=data api=api\]: wrong answer "dns-missing" passes every check — add a check that this mistake fails, before the general checks \[WrongAnswerPasses\]/,
    },
    {
      name: 'a wrong answer failing with another hint',
      edit: (d) => replaceIn(join(d, 'lab.yaml'), 'hint: dns-tcp\n        file: wrong/seed-udp-only.yaml', 'hint: dns-udp\n        file: wrong/seed-udp-only.yaml'),
      want: /tasks\[0\]\.wrong\[0\]\.hint: task postgres-policy \[params ns=data api=api\]: wrong answer "seed-udp-only" fails with hint dns-tcp \(check dns-tcp: .*\), not dns-udp .*\[WrongAnswerHint\]/,
    },
    {
      name: 'a starter that already passes',
      edit: (d) => cpSync(join(d, 'solution/postgres-policy.yaml'), join(d, 'start/postgres-policy.yaml')),
      want: /tasks\[0\]\.starter: task postgres-policy \[params ns=data api=api\]: the starter passes every check .*\[StarterPasses\]/,
    },
    {
      name: 'an image outside the supported set',
      edit: (d) => replaceIn(join(d, 'lab.yaml'), 'image: postgres:16-alpine', 'image: docker.io/bitnami/postgresql:16'),
      want: /lab\.yaml:30: setup\.pods\[0\]\.image: image docker\.io\/bitnami\/postgresql:16 is not in the supported set — use one of nginx:\*, .* \[UnsupportedImage\]/,
    },
    {
      name: 'a referenced file that is missing',
      edit: (d) => replaceIn(join(d, 'lab.yaml'), 'file: wrong/wrong-port.yaml', 'file: wrong/wrong-prot.yaml'),
      want: /lab\.yaml:\d+: file: wrong\/wrong-prot\.yaml: no such file next to lab\.yaml .*\[MissingLabFile\]/,
    },
    {
      name: 'a schema error: file, line and field',
      edit: (d) => replaceIn(join(d, 'lab.yaml'), 'minutes: 25', 'minutes: "25"'),
      want: /lab\.yaml:7: minutes: Invalid value: "25": must be a number — correct the lab file .*\[InvalidLab\]/,
    },
    {
      name: 'an id that is not the folder name',
      edit: (d) => replaceIn(join(d, 'lab.yaml'), 'id: netpol-postgres-dns-egress', 'id: postgres'),
      want: /lab\.yaml:4: id: id "postgres" differs from the folder name "netpol-postgres-dns-egress" .*\[LabIdMismatch\]/,
    },
  ];
  for (const c of broken) {
    it(`fails (exit 1) on ${c.name}`, async () => {
      const r = await run(['lab', 'validate', brokenCopy(POSTGRES, c.edit)]);
      assert.equal(r.code, 1, r.out);
      assert.match(r.out, c.want);
      assert.match(r.out, /1 of 1 labs has problems$/);
    });
  }

  it('exit 2 for a path with no lab', async () => {
    const r = await run(['lab', 'validate', mkdtempSync(join(tmpdir(), 'flatnet-empty-'))]);
    assert.equal(r.code, 2);
    assert.match(r.err, /no lab\.yaml here or in its subfolders/);
  });
});

describe('flatnet lab schema', () => {
  it('labs/lab.schema.json is up to date (regenerate: npx flatnet lab schema > labs/lab.schema.json)', async () => {
    const r = await run(['lab', 'schema']);
    assert.equal(r.code, 0);
    assert.equal(`${r.out}\n`, readFileSync(join(LABS_ROOT, 'lab.schema.json'), 'utf8'));
    const schema = JSON.parse(r.out);
    assert.equal(schema.properties.tasks.items.properties.checks.description.startsWith('How the answer is graded'), true);
  });
});

describe('docs/authoring-labs.md', () => {
  const example = join(repo, 'docs/examples/hello-netpol');
  it('its example lab validates', async () => {
    const r = await run(['lab', 'validate', example]);
    assert.equal(r.code, 0, r.out);
  });
  it('embeds the example verbatim', () => {
    const guide = readFileSync(join(repo, 'docs/authoring-labs.md'), 'utf8');
    assert.ok(guide.includes(readFileSync(join(example, 'lab.yaml'), 'utf8')), 'docs/authoring-labs.md must contain docs/examples/hello-netpol/lab.yaml verbatim');
  });
});
