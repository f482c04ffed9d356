import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { emptyTable, parseTable } from './table-file.ts';

describe('parseTable', () => {
  const good = { servers: [{ host: 'a.example', paths: [{ path: '/', pathType: 'Prefix', backend: { name: 'ns/s:80', endpoints: ['10.244.0.2:8080'] }, ingress: 'ns/i' }] }], certificates: [] };
  it('reads back what the daemon writes', () => assert.deepEqual(parseTable(JSON.stringify(good)), good));
  it('reads the empty table', () => assert.deepEqual(parseTable(JSON.stringify(emptyTable())), emptyTable()));
  const bad: [string, unknown, RegExp][] = [
    ['a torn file', '{"servers": [', /JSON/],
    ['no lists', { servers: {} }, /servers and certificates must be lists/],
    ['a path type the API does not have', { ...good, servers: [{ ...good.servers[0], paths: [{ ...good.servers[0]!.paths[0], pathType: 'Regex' }] }] }, /path and pathType/],
    ['an endpoint that is not ip:port', { ...good, servers: [{ ...good.servers[0], paths: [{ ...good.servers[0]!.paths[0], backend: { name: 'x', endpoints: ['http://evil/'] } }] }] }, /ip:port endpoints/],
    ['a certificate without its key', { ...good, certificates: [{ hosts: [], cert: 'PEM' }] }, /hosts, cert and key/],
  ];
  for (const [name, input, message] of bad) it(`refuses ${name}`, () => assert.throws(() => parseTable(typeof input === 'string' ? input : JSON.stringify(input)), message));
});
