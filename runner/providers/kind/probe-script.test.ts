import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseProbeOutput, probeArgs, type Planned } from './probe-script.ts';

const plan = (protocol: 'TCP' | 'UDP', port: number, k: number): Planned => ({
  index: k, from: 'lab/client', to: `lab/s${k}`, ip: `10.244.0.${k + 10}`,
  flow: { from: { namespace: 'lab', name: 'client' }, to: { namespace: 'lab', name: `s${k}` }, port, protocol },
});

describe('probe script output', () => {
  it('passes ID PROTO HOST PORT per flow', () => {
    assert.deepEqual(probeArgs([plan('TCP', 80, 0), plan('UDP', 53, 1)]), ['0', 'tcp', '10.244.0.10', '80', '1', 'udp', '10.244.0.11', '53']);
  });

  it("reads agnhost connect's verdicts as the netpol e2e tests do", () => {
    const list = [plan('TCP', 80, 0), plan('TCP', 81, 1), plan('TCP', 82, 2), plan('UDP', 90, 3), plan('UDP', 53, 4), plan('UDP', 53, 5), plan('TCP', 83, 6), plan('TCP', 84, 7)];
    const out = [
      'R 1 agnhost 1 TIMEOUT',
      'R 0 agnhost 0 ',
      'R 2 agnhost 1 REFUSED',
      'R 3 agnhost 1 TIMEOUT: read udp 10.244.0.2:4000->10.244.0.13:90: i/o timeout',
      'R 4 dns 0 Server: 10.244.0.14 Address: 10.244.0.14:53  Name: kubernetes.default.svc.cluster.local Address: 10.96.0.1',
      'R 5 dns 1 ;; connection timed out; no servers could be reached',
      'R 6 nc 1 ',
    ].join('\n');
    const r = parseProbeOutput(list, out);
    assert.deepEqual(r.map((x) => x.allowed), [true, false, true, false, true, false, null, null]);
    assert.match(r[1]!.reason, /timed out \(dropped\)/);
    assert.match(r[2]!.reason, /refused .*got through/);
    assert.match(r[6]!.reason, /nc cannot tell dropped from refused/);
    assert.match(r[7]!.reason, /did not report back/);
    assert.deepEqual([r[0]!.from, r[0]!.to, r[0]!.port, r[0]!.protocol], ['lab/client', 'lab/s0', 80, 'TCP']);
  });
});
