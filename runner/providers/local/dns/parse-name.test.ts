import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseName, type NameParts } from './parse-name.ts';

const parts = (p: Partial<NameParts>): NameParts => ({ kind: '', namespace: '', service: '', endpoint: '', port: '', protocol: '', ...p });

describe('parseName', () => {
  const cases: Array<[string, NameParts | undefined]> = [
    ['cluster.local', parts({})],
    ['svc.cluster.local', parts({})],
    ['pod.cluster.local', parts({})],
    ['lab.svc.cluster.local', parts({ kind: 'svc', namespace: 'lab' })],
    ['web.lab.svc.cluster.local', parts({ kind: 'svc', namespace: 'lab', service: 'web' })],
    ['db-0.db.lab.svc.cluster.local', parts({ kind: 'svc', namespace: 'lab', service: 'db', endpoint: 'db-0' })],
    ['_http._tcp.web.lab.svc.cluster.local', parts({ kind: 'svc', namespace: 'lab', service: 'web', port: 'http', protocol: 'tcp' })],
    ['http.tcp.web.lab.svc.cluster.local', parts({ kind: 'svc', namespace: 'lab', service: 'web', port: 'http', protocol: 'tcp' })],
    ['10-244-1-5.lab.pod.cluster.local', parts({ kind: 'pod', namespace: 'lab', service: '10-244-1-5' })],
    ['foo.cluster.local', undefined],
    ['web.lab.svcx.cluster.local', undefined],
    ['a.b.c.web.lab.svc.cluster.local', undefined],
    ['web.lab.svc.cluster.local.lab.svc.cluster.local', undefined],
  ];
  for (const [name, want] of cases) {
    it(name, () => assert.deepEqual(parseName(name, 'cluster.local'), want));
  }
});
