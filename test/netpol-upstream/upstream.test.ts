/**
 * Runs the ported upstream NetworkPolicy e2e cases (cases.ts) against our engine:
 * for every case and probe, every ordered pod pair of the case's topology is
 * evaluated and compared with upstream's expected truth table. As upstream does
 * (ignoreLoopback = true, kubernetes#95879), a pod's traffic to itself is
 * evaluated and printed but never counts as wrong.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCluster, evaluate } from '../../checkers/engine/index.ts';
import { cases, UPSTREAM_COMMIT } from './cases.ts';
import type { Case, Probe } from './harness.ts';
import { buildModel } from './model.ts';
import type { PodString } from './reachability.ts';

const ignoreLoopback = true;

describe(`upstream Netpol e2e (kubernetes/kubernetes test/e2e/network/netpol @ ${UPSTREAM_COMMIT.slice(0, 12)})`, () => {
  for (const c of cases) {
    describe(`${c.context} ${c.name}`, () => {
      for (const probe of c.probes) {
        it(`probe ${probe.protocol}/${probe.port}`, () => validate(c, probe));
      }
    });
  }
});

function validate(c: Case, probe: Probe): void {
  const { cluster } = buildCluster([...buildModel(c), ...c.policies]);
  const { reachability } = probe;
  const reasons = new Map<string, string>();
  for (const from of c.pods) {
    for (const to of c.pods) {
      const verdict = evaluate(cluster, { from: podEndpoint(from), to: podEndpoint(to), port: probe.port, protocol: probe.protocol });
      reachability.Observe(from, to, verdict.allowed);
      reasons.set(`${from} -> ${to}`, verdict.reason);
    }
  }

  const { correct, incorrect, ignored, comparison } = reachability.Summary(ignoreLoopback);
  if (incorrect === 0) return;

  const wrong: string[] = [];
  for (const from of c.pods) {
    for (const to of c.pods) {
      if ((ignoreLoopback && from === to) || comparison.Get(from, to)) continue;
      const pair = `${from} -> ${to}`;
      const expected = reachability.Expected.Get(from, to) ? 'allowed' : 'denied';
      wrong.push(`  ${pair}: upstream expects ${expected}; engine: ${reasons.get(pair)}`);
    }
  }
  assert.fail(
    [
      `${probe.protocol}/${probe.port}: reachability: correct:${correct}, incorrect:${incorrect} (${ignored} loopback results ignored)`,
      '',
      'expected:',
      reachability.Expected.PrettyPrint('  '),
      '',
      'observed (engine):',
      reachability.Observed.PrettyPrint('  '),
      '',
      'comparison:',
      comparison.PrettyPrint('  '),
      '',
      'wrong cells:',
      ...wrong,
    ].join('\n'),
  );
}

function podEndpoint(pod: PodString): { kind: 'pod'; namespace: string; name: string } {
  const [namespace = '', name = ''] = pod.split('/');
  return { kind: 'pod', namespace, name };
}
