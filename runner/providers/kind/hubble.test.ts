import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ProbeResult } from '../../../checkers/truth-table.ts';
import { parseDrops, withDropEvidence } from './hubble.ts';

// Shaped as `hubble observe -o json` prints flows (api/v1/flow/flow.proto field names).
const tcpDrop = JSON.stringify({
  flow: {
    time: '2026-11-26T10:00:00.1Z', verdict: 'DROPPED', drop_reason: 133, drop_reason_desc: 'POLICY_DENIED', traffic_direction: 'INGRESS',
    IP: { source: '10.244.1.5', destination: '10.244.2.7', ipVersion: 'IPv4' },
    l4: { TCP: { source_port: 41234, destination_port: 80, flags: { SYN: true } } },
    Summary: 'TCP Flags: SYN',
  },
  node_name: 'flatnet-x-worker',
});
const udpDropCamel = JSON.stringify({ flow: { verdict: 'DROPPED', dropReasonDesc: 'POLICY_DENIED', trafficDirection: 'EGRESS', IP: { source: '10.244.1.5', destination: '10.96.0.10' }, l4: { UDP: { destinationPort: 53 } } } });
const forwarded = JSON.stringify({ flow: { verdict: 'FORWARDED', IP: { source: '10.244.1.5', destination: '10.244.2.7' }, l4: { TCP: { destination_port: 80 } } } });

describe('parseDrops', () => {
  const cases: { name: string; output: string; want: ReturnType<typeof parseDrops> }[] = [
    { name: 'a TCP policy drop, with its direction and node', output: tcpDrop, want: [{ source: '10.244.1.5', destination: '10.244.2.7', port: 80, protocol: 'TCP', reason: 'POLICY_DENIED', direction: 'INGRESS', node: 'flatnet-x-worker' }] },
    { name: 'lowerCamelCase field names', output: udpDropCamel, want: [{ source: '10.244.1.5', destination: '10.96.0.10', port: 53, protocol: 'UDP', reason: 'POLICY_DENIED', direction: 'EGRESS' }] },
    { name: 'forwarded flows, blank lines and noise are skipped', output: `${forwarded}\n\nnot json\n{broken\n${tcpDrop}\n`, want: [{ source: '10.244.1.5', destination: '10.244.2.7', port: 80, protocol: 'TCP', reason: 'POLICY_DENIED', direction: 'INGRESS', node: 'flatnet-x-worker' }] },
    { name: 'a drop without L4 (ICMP) is not a probe\'s', output: JSON.stringify({ flow: { verdict: 'DROPPED', IP: { source: 'a', destination: 'b' }, l4: { ICMPv4: { type: 8 } } } }), want: [] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(parseDrops(c.output), c.want));
});

describe('withDropEvidence', () => {
  const denied: ProbeResult = { from: 'lab/client', to: 'lab/server', port: 80, protocol: 'TCP', allowed: false, reason: 'connection timed out' };
  const allowed: ProbeResult = { ...denied, allowed: true, reason: 'connected' };
  const addresses = { sourceIP: '10.244.1.5', destinationIP: '10.244.2.7' };
  const drops = parseDrops(tcpDrop);

  it('adds Cilium\'s verdict to a denied probe it dropped', () => {
    assert.equal(withDropEvidence([denied], [addresses], drops)[0]!.reason, 'connection timed out; Cilium dropped it: POLICY_DENIED (ingress) on flatnet-x-worker, as Hubble saw');
  });
  it('leaves allowed probes, other ports and other sources alone', () => {
    const results = [allowed, { ...denied, port: 81 }, denied];
    const out = withDropEvidence(results, [addresses, addresses, { sourceIP: '10.244.9.9', destinationIP: '10.244.2.7' }], drops);
    assert.deepEqual(out, results);
  });
});
