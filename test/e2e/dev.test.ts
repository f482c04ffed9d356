/**
 * `flatnet dev`, the instructor's preview, in Chromium: a lab page reloads by itself when its
 * lab.yaml is saved, shows the validation error (file, line, field) while the YAML is wrong,
 * and the lab again once it is fixed. Works on a scratch copy of a lab (FLATNET_LABS_DIR).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { until } from '../local-cluster/harness.ts';
import { cannotRunBrowser, launch, snap, type Launched } from './browser.ts';

const skip = cannotRunBrowser();
if (skip) console.log(`# skipped: ${skip}`);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LAB = 'lab-4-1-networking-fundamentals';

describe('flatnet dev', { skip, timeout: 180_000 }, () => {
  const labs = mkdtempSync(join(tmpdir(), 'flatnet-dev-labs-'));
  const file = join(labs, LAB, 'lab.yaml');
  let dev: ChildProcess | undefined;
  let browser: Launched | undefined;
  let url = '';

  before(async () => {
    cpSync(join(ROOT, 'labs', LAB), join(labs, LAB), { recursive: true });
    const port = String(4400 + (process.pid % 500));
    dev = spawn(process.execPath, [join(ROOT, 'bin/flatnet.js'), 'dev', '--no-runner', '--port', port], { cwd: ROOT, env: { ...process.env, FLATNET_LABS_DIR: labs }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    dev.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    dev.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    url = `http://127.0.0.1:${port}`;
    await until('the dev server', () => /watching for file changes/.test(out), 60_000);
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    // astro dev is flatnet dev's child: end the whole group this test started.
    if (dev?.pid) process.kill(-dev.pid, 'SIGTERM');
    rmSync(labs, { recursive: true, force: true });
  });

  it('reloads a lab page on save and shows lab.yaml errors in it', async () => {
    const page = await browser!.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const original = readFileSync(file, 'utf8');
    // A save before the page's HMR socket is open is never told to it (CI once lost the reload this way).
    let connected = false;
    let last = 0;
    page.on('console', (m) => {
      if (!m.text().startsWith('[vite] connect')) return;
      connected = m.text().includes('connected');
      last = Date.now();
    });
    page.on('load', () => void (last = Date.now()));
    // An instructor saves while looking at a settled page: wait for the page's HMR client to be
    // connected and nothing new for two seconds (a save still reloads it twice; docs/0003-site.md).
    const settled = () => until('the page to settle', () => connected && Date.now() - last > 2000, 30_000);
    await page.goto(`${url}/labs/${LAB}/`);
    await settled();
    assert.equal(await page.locator('h1').first().innerText(), 'LAB-4.1: Networking fundamentals');

    writeFileSync(file, original.replace('minutes: 60', 'minutes: sixty'));
    // A save reloads the page more than once (the file watcher, then the content store): a
    // locator is looked up again in each new page, where waitForFunction's poll can be lost.
    await page.locator('h1', { hasText: /^This lab does not validate$/ }).waitFor({ timeout: 30_000 });
    assert.match(await page.locator('.lab-error pre').innerText(), /lab\.yaml:7: minutes: Invalid value: "sixty": must be a number/);
    await snap(page, '20-dev-lab-error');
    await settled();

    const revised = original.replace('title: "LAB-4.1: Networking fundamentals"', 'title: "LAB-4.1: Networking fundamentals, revised"');
    writeFileSync(file, revised);
    const fixed = page.locator('h1', { hasText: /revised$/ });
    // Now and then (about 1 run in 20 here) the page's last reload is lost and the old page
    // stays; saving again brings it (docs/0003-site.md). An instructor would do the same.
    if (!(await fixed.waitFor({ timeout: 10_000 }).then(() => true, () => false))) {
      console.log('# the first save of the fixed lab.yaml left the old page; saved again');
      writeFileSync(file, `${revised}\n`);
    }
    await fixed.waitFor({ timeout: 20_000 });
    await snap(page, '21-dev-lab-fixed');
    await page.close();
  });
});
