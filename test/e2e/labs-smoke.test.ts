/**
 * Every lab under labs/ starts in Chromium on the local provider and runs its first step: the
 * lab page's Start brings a prompt, the first step's "Run in terminal" runs its commands in the
 * learner's shell, and the shell comes back to the prompt with no command missing.
 * Screenshots: test-results/e2e/smoke-<lab>.png.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { cannotRunKubectl } from '../local-cluster/harness.ts';
import { LABS_ROOT } from '../../runner/lab/load.ts';
import { DIST, ensureBuilt } from '../../site/build/stamp.ts';
import { startServe, type Served } from '../serve-process.ts';
import { cannotRunBrowser, launch, snap, type Launched } from './browser.ts';

const skip = cannotRunBrowser() ?? cannotRunKubectl();
if (skip) console.log(`# skipped: ${skip}`);

const LABS = readdirSync(LABS_ROOT, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

describe('every lab starts and runs its first step, in Chromium', { skip, timeout: 900_000 }, () => {
  let server: Served | undefined;
  let browser: Launched | undefined;

  before(async () => {
    assert.ok(ensureBuilt((l) => console.log(`# ${l}`)), 'the site builds');
    server = await startServe(['--warm', '1', '--site', DIST]);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.stop(true);
  });

  for (const lab of LABS) {
    it(lab, async () => {
      const page = await browser!.browser.newPage({ viewport: { width: 1440, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const screen = () => page.evaluate(() => document.querySelector('.xterm-rows')?.textContent ?? '');
      try {
        await page.goto(`${server!.url}/labs/${lab}/`);
        await page.click('[data-start]');
        await page.waitForSelector('flatnet-lab[data-session="ready"]', { timeout: 120_000 });
        await page.waitForFunction(() => /learner@\S+:~\$/.test(document.querySelector('.xterm-rows')?.textContent ?? ''), undefined, { timeout: 30_000 });
        await page.locator('.step [data-run]').first().click();
        // A marker typed after the step: it prints only once the step's commands have returned.
        await page.locator('.xterm').click();
        await page.keyboard.type('echo smoke-$((6*7))\n');
        await page.waitForFunction(() => /^smoke-42\s*$/m.test((document.querySelector('.xterm-rows') as HTMLElement | null)?.innerText ?? ''), undefined, { timeout: 120_000 });
        await snap(page, `smoke-${lab}`);
        assert.doesNotMatch(await screen(), /command not found|No such file or directory/);
        assert.deepEqual(errors, []);
        await page.click('[data-end]');
        await page.waitForFunction(() => document.querySelector('flatnet-lab')?.getAttribute('data-session') !== 'ready', undefined, { timeout: 30_000 });
      } finally {
        await page.close();
      }
    });
  }
});
