import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseRecords } from './records.ts';

const good = JSON.parse(readFileSync(new URL('./testdata/records.json', import.meta.url), 'utf8')) as { services: Array<Record<string, unknown>> };
const edit = (change: (r: typeof good) => void) => {
  const r = structuredClone(good);
  change(r);
  return JSON.stringify(r);
};

describe('parseRecords', () => {
  it('reads the fixture', () => {
    assert.equal(parseRecords(JSON.stringify(good)).services.length, good.services.length);
  });

  const bad: Array<{ name: string; text: string; error: RegExp }> = [
    { name: 'half a file', text: JSON.stringify(good).slice(0, 50), error: /JSON/ },
    { name: 'not an object', text: '[]', error: /records: \$ has the wrong type/ },
    { name: 'no domain', text: edit((r) => Object.assign(r, { domain: '' })), error: /records: domain/ },
    { name: 'a bad Service type', text: edit((r) => (r.services[1]!.type = 'Ingress')), error: /records: services\[1\]\.type/ },
    { name: 'clusterIPs not strings', text: edit((r) => (r.services[0]!.clusterIPs = [1])), error: /records: services\[0\]\.clusterIPs/ },
    { name: 'an endpoint without ready', text: edit((r) => delete (r.services[1]!.endpoints as Array<Record<string, unknown>>)[0]!.ready), error: /records: services\[1\]\.endpoints\[0\]\.ready/ },
    { name: 'a port that is not a number', text: edit((r) => ((r.services[1]!.ports as Array<Record<string, unknown>>)[0]!.port = '80')), error: /records: services\[1\]\.ports\[0\]\.port/ },
    { name: 'pods missing', text: edit((r) => delete (r as Record<string, unknown>).pods), error: /records: pods/ },
  ];
  for (const c of bad) {
    it(`rejects ${c.name}, naming the field`, () => assert.throws(() => parseRecords(c.text), c.error));
  }
});
