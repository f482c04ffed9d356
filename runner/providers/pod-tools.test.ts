import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseGet, parseLookup } from './pod-tools.ts';

const r = (code: number, stdout: string, stderr = '') => ({ code, stdout, stderr });

describe('parseLookup: nslookup output as busybox prints it in a pod', () => {
  const cases: { name: string; out: ReturnType<typeof r>; want: unknown }[] = [
    {
      name: 'an answer, then NXDOMAIN for the other search domains (busybox exits 1)',
      out: r(1, 'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tapi.data.svc.cluster.local\nAddress: 10.96.56.133\n\n** server can\'t find api.svc.cluster.local: NXDOMAIN\n\n'),
      want: { addresses: ['10.96.56.133'] },
    },
    { name: 'no such name', out: r(1, 'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can\'t find nope.data.svc.cluster.local: NXDOMAIN\n'), want: { error: 'NXDOMAIN' } },
    { name: 'DNS blocked', out: r(1, ';; connection timed out; no servers could be reached\n'), want: { error: 'timed out' } },
    { name: 'the server line alone is not an answer', out: r(0, 'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n'), want: { error: 'exit 0' } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(parseLookup(c.out), c.want));
});

describe('parseGet: curl -w %{http_code}', () => {
  const cases: [ReturnType<typeof r>, unknown][] = [
    [r(0, '200'), { status: 200 }],
    [r(0, '404'), { status: 404 }],
    [r(28, '000'), { error: 'timed out (dropped)' }],
    [r(7, '000'), { error: 'connection refused' }],
    [r(6, '000'), { error: 'name not resolved' }],
  ];
  for (const [out, want] of cases) it(`exit ${out.code}, "${out.stdout}"`, () => assert.deepEqual(parseGet(out), want));
});
