import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LABS_ROOT, loadLab } from '../../lab/load.ts';
import { main } from '../main.ts';

const bin = new URL('../../../bin/flatnet.js', import.meta.url).pathname;
const POSTGRES = 'netpol-postgres-dns-egress';
const LAB41 = 'lab-4-1-networking-fundamentals';

/** The real CLI, as a user runs it. */
function flatnet(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The same CLI in-process: fast enough to grade every known answer of every lab. */
async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('flatnet grade', () => {
  for (const id of [POSTGRES, LAB41]) {
    const dir = join(LABS_ROOT, id);
    const lab = loadLab(dir).lab;
    for (const task of lab.tasks) {
      it(`${id} ${task.id}: the reference passes (exit 0)`, async () => {
        const r = await run(['grade', id, '--task', task.id, '-f', join(dir, task.reference.file!), '-o', 'json']);
        assert.equal(r.code, 0, r.out + r.err);
        assert.equal(JSON.parse(r.out).passed, true);
      });
      for (const w of task.wrong.filter((x) => x.file !== undefined)) {
        it(`${id} ${task.id}: wrong answer ${w.id} fails with hint ${w.hint} (exit 1)`, async () => {
          const r = await run(['grade', id, '--task', task.id, '-f', join(dir, w.file!), '-o', 'json']);
          assert.equal(r.code, 1, r.err);
          assert.equal(JSON.parse(r.out).hint, w.hint);
        });
      }
    }
  }

  it('-o json has the documented shape', () => {
    const r = flatnet(['grade', POSTGRES, '-f', join(LABS_ROOT, POSTGRES, 'wrong/seed-udp-only.yaml'), '-o', 'json']);
    assert.equal(r.code, 1, r.err);
    const j = JSON.parse(r.out);
    assert.deepEqual(Object.keys(j), ['lab', 'task', 'mode', 'passed', 'hint', 'hintText', 'params', 'checks', 'warnings']);
    assert.deepEqual([j.lab, j.task, j.mode, j.passed, j.hint], [POSTGRES, 'postgres-policy', 'static', false, 'dns-tcp']);
    assert.deepEqual(Object.keys(j.checks[0]), ['id', 'kind', 'title', 'passed', 'skipped', 'hint', 'expected', 'observed', 'explanation', 'flows']);
    const tcp = j.checks.find((c: { id: string }) => c.id === 'dns-tcp');
    assert.equal(tcp.passed, false);
    assert.match(tcp.explanation, /^data\/postgres -> kube-system\/coredns-\S+ TCP 53 denied: data\/postgres is isolated for egress by data\/postgres-policy and no egress rule allows kube-system\/coredns-\S+ on TCP 53 \(and 1 more flow\)$/);
  });

  it('human output: concise, failed checks explained, then the hint', () => {
    const r = flatnet(['grade', LAB41, '--task', 'allow-frontend-to-backend', '-f', join(LABS_ROOT, LAB41, 'wrong/chapter-ingress-only.yaml')]);
    assert.equal(r.code, 1);
    assert.match(r.out, /^✗ lab-4-1-networking-fundamentals › allow-frontend-to-backend: not yet \(5 of 6 checks pass\)$/m);
    assert.match(r.out, /why +lab-networking\/frontend -> lab-networking\/backend TCP 80 denied: lab-networking\/frontend is isolated for egress by lab-networking\/default-deny-all and no egress rule allows lab-networking\/backend on TCP 80$/m);
    assert.match(r.out, /^Hint \(egress-too\):$/m);
    assert.ok(!r.out.includes('\u001b['), 'NO_COLOR output has no escape codes');
  });

  it('warns when Kubernetes would ignore rules', () => {
    const r = flatnet(['grade', POSTGRES, '-f', join(LABS_ROOT, POSTGRES, 'wrong/egress-not-in-policytypes.yaml')]);
    assert.equal(r.code, 1);
    assert.match(r.out, /warning: .*spec\.policyTypes: spec\.egress has rules but policyTypes does not list Egress/);
  });

  it('reads stdin, renders the lab for a seed, and writes JUnit', () => {
    const junit = join(mkdtempSync(join(tmpdir(), 'flatnet-test-')), 'report.xml');
    const answer = readFileSync(join(LABS_ROOT, POSTGRES, 'wrong/dns-missing.yaml'), 'utf8');
    const r = flatnet(['grade', POSTGRES, '--seed', 'learner-7', '-f', '-', '--junit', junit, '-o', 'json'], answer);
    assert.equal(r.code, 1, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.hint, 'dns-missing');
    const xml = readFileSync(junit, 'utf8');
    assert.match(xml, /<testsuite name="netpol-postgres-dns-egress\/postgres-policy" tests="10" failures="\d+" skipped="0" errors="0">/);
    assert.match(xml, /<failure message="expected [^"]+" type="dns-missing">/);
  });

  it('exit 2 for a broken lab, naming file, line and field', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'flatnet-lab-')), POSTGRES);
    cpSync(join(LABS_ROOT, POSTGRES), dir, { recursive: true });
    const file = join(dir, 'lab.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('      - id: dns-udp\n', '      - id: dns-rule\n'));
    const r = await run(['grade', dir, '-f', join(dir, 'solution/postgres-policy.yaml')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /lab\.yaml:\d+: tasks\[0\]\.checks\[7\]\.id: Duplicate value: "dns-rule": check ids must be unique \(first used at checks\[5\]\)/);
  });

  const invalid: { name: string; args: string[]; err: RegExp }[] = [
    { name: 'unknown lab', args: ['grade', 'no-such-lab', '-f', 'x.yaml'], err: /^flatnet: no lab "no-such-lab" \(looked for labs\/no-such-lab\/lab\.yaml\) — use one of: .*netpol-postgres-dns-egress/ },
    { name: 'unknown task', args: ['grade', LAB41, '--task', 'nope', '-f', 'x.yaml'], err: /^flatnet: lab lab-4-1-networking-fundamentals has no task "nope" — use --task with one of: default-deny, allow-frontend-to-backend$/ },
    { name: 'several tasks and no --task', args: ['grade', LAB41, '-f', 'x.yaml'], err: /several tasks and --task was not given/ },
    { name: 'missing answer file', args: ['grade', POSTGRES, '-f', '/nonexistent/answer.yaml'], err: /^flatnet: \/nonexistent\/answer\.yaml: no such file — check the path given to -f$/ },
    { name: 'no -f', args: ['grade', POSTGRES], err: /no answer given/ },
    { name: '--live and --static together', args: ['grade', POSTGRES, '-f', 'x.yaml', '--live', '--static'], err: /^flatnet: --static and --live exclude each other — pass one of them$/ },
    { name: 'bad -o', args: ['grade', POSTGRES, '-f', 'x.yaml', '-o', 'yaml'], err: /-o yaml: expected human or json/ },
    { name: 'unknown flag', args: ['grade', POSTGRES, '--nope'], err: /Unknown option '--nope'/ },
  ];
  for (const c of invalid) {
    it(`exit 2: ${c.name}`, async () => {
      const r = await run(c.args);
      assert.equal(r.code, 2);
      assert.match(r.err, c.err);
    });
  }
});
