/**
 * The Ingress lab in Chromium, graded live through the page: an answer without TLS fails with
 * the hint about spec.tls, the reference passes, and the results say each route was decided
 * by a request from outside the cluster and the pod that answered it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cannotRunKubectl } from '../local-cluster/harness.ts';
import { LABS_ROOT } from '../../runner/lab/load.ts';
import { DIST, ensureBuilt } from '../../site/build/stamp.ts';
import { startServe, type Served } from '../serve-process.ts';
import { cannotRunBrowser, launch, snap, type Launched } from './browser.ts';
import { startLab, writeAnswer } from './lab-page.ts';

const skip = cannotRunBrowser() ?? cannotRunKubectl();
if (skip) console.log(`# skipped: ${skip}`);

const LAB = 'ingress-host-path-tls';
const file = (path: string) => readFileSync(join(LABS_ROOT, LAB, path), 'utf8');

describe('the Ingress lab in Chromium, graded live', { skip, timeout: 600_000 }, () => {
  let server: Served | undefined;
  let browser: Launched | undefined;

  before(async () => {
    assert.ok(ensureBuilt((l) => console.log(`# ${l}`)), 'the site builds');
    server = await startServe(['--warm', '0', '--site', DIST]);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.stop(true);
  });

  it('no TLS fails with the tls hint; the reference passes, each route sent from outside', async () => {
    const page = await browser!.browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const verdict = () => page.locator('flatnet-lab').getAttribute('data-verdict');
    const results = () => page.locator('[data-results]').innerText();
    try {
      await page.goto(`${server!.url}/labs/${LAB}/`);
      await page.waitForSelector('flatnet-lab[data-editor="ready"]', { timeout: 60_000 });
      await startLab(page, '30-ingress');

      await writeAnswer(page, file('wrong/no-tls.yaml'));
      await page.click('[data-check]');
      await page.waitForSelector('flatnet-lab[data-verdict]', { timeout: 120_000 });
      assert.equal(await verdict(), 'failed', await results());
      assert.equal(await page.locator('.check-hint[data-hint="tls"]').count(), 1, await results());
      assert.match(await page.locator('.check.failed').first().innerText(), /certificate/);
      await snap(page, '31-ingress-no-tls');

      await writeAnswer(page, file('solution/shop.yaml'));
      await page.click('[data-check]');
      await page.waitForFunction(() => document.querySelector('flatnet-lab')?.getAttribute('data-verdict') === 'passed', undefined, { timeout: 120_000 }).catch(async (e: unknown) => {
        await snap(page, '32-ingress-not-passed');
        throw new Error(`${String(e)}: ${await results()}`);
      });
      // The explanation sits in each check's closed "Why": in the page, not on screen.
      const text = (await page.locator('[data-results]').textContent()) ?? '';
      assert.match(text, /from outside: status \d{3} from 10\.244\.\d+\.\d+:8080 \[shop-api-service-80\], a pod of Service shop\/api-service, with a certificate for shop\.example\.com/);
      await snap(page, '32-ingress-passed');
      assert.deepEqual(errors, []);
      await page.click('[data-end]');
    } finally {
      await page.close();
    }
  });
});
