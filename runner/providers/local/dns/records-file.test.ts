import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchRecordsFile, type RecordsFile } from './records-file.ts';
import type { DnsRecords } from './records.ts';

const fixture = readFileSync(new URL('./testdata/records.json', import.meta.url), 'utf8');
const withDomain = (domain: string) => JSON.stringify({ ...(JSON.parse(fixture) as DnsRecords), domain });

/** As the daemon writes: a temporary file renamed over the real one. */
function writeAtomically(file: string, text: string) {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

async function waitFor(what: string, ok: () => boolean, ms = 3000) {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('watchRecordsFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flatnet-dns-'));
  const file = join(dir, 'records.json');
  const errors: string[] = [];
  let watched: RecordsFile;
  after(() => {
    watched?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts with an empty cluster when the file is not there yet', async () => {
    watched = await watchRecordsFile(file, { onError: (e) => errors.push(e.message), pollMs: 200 });
    assert.deepEqual(watched.current(), { domain: 'cluster.local', services: [], pods: [] });
    assert.match(errors[0] ?? '', /ENOENT/);
  });

  it('loads the file when it appears', async () => {
    writeAtomically(file, withDomain('one.test'));
    await waitFor('the first snapshot', () => watched.current().domain === 'one.test');
  });

  it('follows a tmp + rename replacement', async () => {
    writeAtomically(file, withDomain('two.test'));
    await waitFor('the replacement', () => watched.current().domain === 'two.test');
  });

  const badWrites: Array<{ name: string; write: () => void }> = [
    { name: 'a half-written file', write: () => writeFileSync(file, withDomain('bad.test').slice(0, 60)) },
    { name: 'a file that is not records', write: () => writeFileSync(file, '{"domain": 1}') },
    { name: 'a deleted file', write: () => rmSync(file) },
  ];
  for (const c of badWrites) {
    it(`keeps the last good snapshot over ${c.name}, then takes the next good one`, async () => {
      const seen = errors.length;
      c.write();
      await waitFor('the error report', () => errors.length > seen);
      assert.equal(watched.current().domain, 'two.test');
      writeAtomically(file, withDomain('three.test'));
      await waitFor('the good write after it', () => watched.current().domain === 'three.test');
      writeAtomically(file, withDomain('two.test'));
      await waitFor('the reset', () => watched.current().domain === 'two.test');
    });
  }
});
