/**
 * `flatnet reach --live` as a user runs it: the same flows and verdicts as `flatnet reach`,
 * measured in a throw-away cluster that is gone afterwards.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { buildModel } from '../netpol-upstream/model.ts';
import { cannotRunCluster, cli } from './harness.ts';

const skip = cannotRunCluster();
if (skip) console.log(`# skipped: ${skip}`);

type Result = { from: string; to: string; port: number; protocol: string; allowed: boolean | null; reason: string };

const scenarios: { name: string; objects: object[] }[] = [
  {
    name: 'ipBlock with except, named ports, UDP, egress isolation',
    objects: [
      ...buildModel({ pods: ['x/a', 'x/b', 'y/a', 'y/b'], protocols: ['TCP', 'UDP'], ports: [80, 81] }),
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'in', namespace: 'x' },
        spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.244.0.0/16', except: ['10.244.2.1/32'] } }], ports: [{ port: 'serve-80-tcp' }, { port: 81, protocol: 'UDP' }] }] },
      },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'out', namespace: 'y' },
        spec: { podSelector: { matchLabels: { pod: 'b' } }, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'x' } } }] }] },
      },
    ],
  },
  {
    name: 'dual-stack pods with IPv6 primaries and an IPv6 ipBlock',
    objects: [
      dsPod('x', 'a', ['10.244.1.1', 'fd00:10:244:1::1'], [{ containerPort: 80 }, { containerPort: 81, protocol: 'UDP' }]),
      dsPod('x', 'b', ['fd00:10:244:1::2', '10.244.1.2'], [{ containerPort: 80 }]),
      dsPod('y', 'c', ['fd00:10:244:2::3', '10.244.2.3'], [{ containerPort: 80 }]),
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'v6-only-from-x', namespace: 'x' },
        spec: { podSelector: { matchLabels: { pod: 'b' } }, ingress: [{ from: [{ ipBlock: { cidr: 'fd00:10:244:1::/64' } }] }] },
      },
    ],
  },
];

function dsPod(namespace: string, name: string, ips: string[], ports: object[]) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace, name, labels: { pod: name } },
    spec: { containers: [{ name: 'c', image: 'registry.k8s.io/e2e-test-images/agnhost:2.52', ports }] },
    status: { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) },
  };
}

describe('flatnet reach --live', { skip }, () => {
  for (const s of scenarios) {
    it(s.name, () => {
      const c = cli();
      const file = join(c.stateDir, 'input.yaml');
      writeFileSync(file, s.objects.map((o) => stringify(o)).join('---\n'));
      const engine = JSON.parse(c.ok(['reach', '-f', file, '-o', 'json'])) as { results: Result[] };
      const live = JSON.parse(c.ok(['reach', '--live', '-f', file, '-o', 'json'])) as { results: Result[] };
      const key = (r: Result) => `${r.from} -> ${r.to} ${r.protocol}/${r.port}`;
      assert.deepEqual(live.results.map(key), engine.results.map(key), 'the same flows');
      const differ = live.results.filter((r, i) => r.allowed !== engine.results[i]!.allowed).map((r, i) => `${key(r)}: live ${r.allowed} (${r.reason}); engine ${engine.results[i]!.reason}`);
      assert.deepEqual(differ, []);
      assert.ok(engine.results.some((r) => r.allowed) && engine.results.some((r) => !r.allowed), 'the scenario has both verdicts');
      const left = join(c.stateDir, 'clusters');
      assert.deepEqual(existsSync(left) ? readdirSync(left) : [], [], 'the throw-away cluster is gone');
    });
  }
});
