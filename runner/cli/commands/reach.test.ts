import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = new URL('../../../bin/flatnet.js', import.meta.url).pathname;
const lab = new URL('./testdata/lab.yaml', import.meta.url).pathname;

/** The real CLI, as a user runs it. */
function flatnet(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'flatnet-test-'));
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

describe('flatnet reach', () => {
  it('prints the matrix: the seed\'s step 5 leaves frontend -> backend denied by egress', () => {
    const r = flatnet(['reach', '-f', lab]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^TCP\/80 +lab-networking\/frontend +lab-networking\/backend$/m);
    assert.match(r.out, /^lab-networking\/backend +X$/m);
    assert.match(r.out, /^lab-networking\/frontend +X$/m);
    assert.match(r.out, /2 flows: 0 allowed \(\.\), 2 denied \(X\)/);
  });

  it('-o json has exactly the documented shape', () => {
    const r = flatnet(['reach', '-f', lab, '--from', 'lab-networking/frontend', '--to', 'lab-networking/backend', '-o', 'json']);
    assert.equal(r.code, 0, r.err);
    const { results } = JSON.parse(r.out) as { results: Record<string, unknown>[] };
    assert.equal(results.length, 1);
    const [first] = results;
    assert.deepEqual(Object.keys(first!), ['from', 'to', 'port', 'protocol', 'allowed', 'reason', 'ingress', 'egress']);
    assert.deepEqual(
      { from: first!.from, to: first!.to, port: first!.port, protocol: first!.protocol, allowed: first!.allowed },
      { from: 'lab-networking/frontend', to: 'lab-networking/backend', port: 80, protocol: 'TCP', allowed: false },
    );
    assert.equal(
      first!.reason,
      'denied: lab-networking/frontend is isolated for egress by lab-networking/default-deny-all and no egress rule allows lab-networking/backend on TCP 80',
    );
  });

  it('reads stdin with -f - and a directory with -f DIR', () => {
    const viaStdin = flatnet(['reach', '-f', '-'], readFileSync(lab, 'utf8'));
    const viaDir = flatnet(['reach', '-f', new URL('./testdata/', import.meta.url).pathname]);
    assert.equal(viaStdin.code, 0, viaStdin.err);
    assert.equal(viaStdin.out, viaDir.out);
  });

  it('resolves --port by name and accepts an outside IP with --port', () => {
    assert.match(flatnet(['reach', '-f', lab, '--port', 'http']).out, /^TCP\/80 +lab-networking\/frontend$/m);
    const r = flatnet(['reach', '-f', lab, '--from', 'lab-networking/backend', '--to', '192.0.2.1', '--port', '443', '-o', 'json']);
    assert.equal((JSON.parse(r.out) as { results: { allowed: boolean }[] }).results[0]!.allowed, false);
  });
});

describe('flatnet reach: mistakes a new user makes', () => {
  const cases: { name: string; file?: [string, string]; args?: string[]; code: number; err: RegExp }[] = [
    {
      name: 'a YAML syntax error names file, line and column',
      file: ['bad.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n   labels: {}\n'],
      code: 2,
      err: /^flatnet: .*bad\.yaml:4:9: YAML syntax error: Nested mappings are not allowed in compact mappings — fix the YAML at that line/m,
    },
    {
      name: 'an ipBlock /33 names the field with the API server\'s words',
      file: ['p.yaml', 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  egress:\n  - to:\n    - ipBlock: {cidr: 10.0.0.0/33}\n'],
      code: 2,
      err: /^flatnet: .*p\.yaml:8: NetworkPolicy x\/p: spec\.egress\[0\]\.to\[0\]\.ipBlock\.cidr: Invalid value: "10\.0\.0\.0\/33": must be a valid CIDR value/m,
    },
    {
      name: 'a named port no container declares is a warning, not an error',
      file: [
        'named.yaml',
        'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: x}\nspec: {containers: [{name: c, ports: [{containerPort: 80}]}]}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  ingress:\n  - ports:\n    - port: "http"\n',
      ],
      code: 0,
      err: /^flatnet: warning: .*named\.yaml:13: NetworkPolicy x\/p: spec\.ingress\[0\]\.ports\[0\]\.port: named port "http" \(TCP\) is not declared by any container/m,
    },
    { name: 'a missing file', args: ['reach', '-f', '/nonexistent.yaml'], code: 2, err: /^flatnet: \/nonexistent\.yaml: no such file or directory/m },
    { name: 'no -f at all', args: ['reach'], code: 2, err: /^flatnet: no input given — pass one or more -f FILE_OR_DIR/m },
    { name: 'an unknown flag', args: ['reach', '-f', lab, '--form', 'x/a'], code: 2, err: /^flatnet reach: Unknown option '--form'.*run `flatnet reach --help`/m },
    { name: 'a bad --from', args: ['reach', '-f', lab, '--from', 'frontend'], code: 2, err: /^flatnet: --from frontend: expected NS\/POD/m },
    { name: 'an unknown pod', args: ['reach', '-f', lab, '--to', 'lab-networking/db'], code: 2, err: /^flatnet: no pod lab-networking\/db in the input/m },
    { name: 'a bad -o', args: ['reach', '-f', lab, '-o', 'yaml'], code: 2, err: /^flatnet reach: -o yaml: expected table or json/m },
    { name: 'an unknown command', args: ['raech'], code: 2, err: /^flatnet: unknown command "raech"/m },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const args = c.args ?? ['reach', '-f', tempFile(...c.file!)];
      const r = flatnet(args);
      assert.equal(r.code, c.code, r.err);
      assert.match(r.err, c.err);
    });
  }
});
