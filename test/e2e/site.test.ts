/**
 * The built site without a cluster, in Chromium: axe finds no violations on the home page, every
 * chapter and the lab pages in light and dark themes; a chapter reads with JavaScript off (text, diagrams,
 * recall answers behind <details>); the keyboard reaches the content through the skip link;
 * the theme switch persists.
 */
import { readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIST, ensureBuilt } from '../../site/build/stamp.ts';
import { startServe, type Served } from '../serve-process.ts';
import { axeViolations } from './axe.ts';
import { cannotRunBrowser, launch, snap, type Launched } from './browser.ts';

const skip = cannotRunBrowser();
if (skip) console.log(`# skipped: ${skip}`);

const CHAPTERS = readdirSync(new URL('../../site/content/chapters/', import.meta.url))
  .filter((f) => f.endsWith('.mdx'))
  .map((f) => f.replace(/\.mdx$/, ''));
const PAGES = ['/', ...CHAPTERS.map((c) => `/chapters/${c}/`), '/labs/lab-4-1-networking-fundamentals/', '/labs/netpol-postgres-dns-egress/'];

describe('the course site in Chromium (no cluster)', { skip, timeout: 240_000 }, () => {
  let server: Served | undefined;
  let browser: Launched | undefined;
  let url = '';

  before(async () => {
    assert.ok(ensureBuilt((l) => console.log(`# ${l}`)), 'the site builds');
    server = await startServe(['--warm', '0', '--site', DIST]);
    url = server.url;
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await server?.stop(true);
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`axe finds no violations (${scheme})`, async () => {
      const page = await browser!.browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: scheme });
      for (const path of PAGES) {
        await page.goto(url + path);
        if (path.startsWith('/labs/')) await page.waitForSelector('flatnet-lab[data-preview="ready"]', { timeout: 60_000 });
        // Monaco's own DOM is Microsoft's to keep accessible; everything else is ours.
        assert.deepEqual(await axeViolations(page, ['.monaco-editor']), [], `${path} (${scheme})`);
      }
      await snap(page, `30-lab-${scheme}`);
      await page.close();
    });
  }

  it('the home page links every chapter, and each opens with its recall questions', async () => {
    const slugs = CHAPTERS;
    assert.ok(slugs.length >= 12, `the course has ${slugs.length} chapters`);
    const page = await browser!.browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${url}/`);
    const links = new Set(await page.locator('main a[href]').evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname)));
    for (const slug of slugs) {
      const path = `/chapters/${slug}/`;
      assert.ok(links.has(path), `the home page links ${path}`);
      const res = await page.goto(url + path);
      assert.equal(res?.status(), 200, path);
      assert.ok((await page.locator('.recall details').count()) >= 3, `${path} has at least 3 recall questions`);
    }
    await page.close();
  });

  it('a chapter reads with JavaScript off', async () => {
    const ctx = await browser!.browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    await page.goto(`${url}/chapters/4-1-networking-fundamentals/`);
    assert.equal(await page.locator('h1').innerText(), 'Networking fundamentals and NetworkPolicy');
    assert.ok((await page.locator('figure.diagram svg title').count()) >= 3, 'diagrams are inline SVG with titles');
    const recall = page.locator('.recall details').first();
    await recall.locator('summary').click();
    assert.ok(await recall.evaluate((d) => (d as HTMLDetailsElement).open), 'a recall answer opens without JavaScript');
    await snap(page, '31-chapter-no-js');
    await ctx.close();
  });

  it('lab page without a session: tasks by keyboard, progressive hints, the solution after three failed checks, engine errors in the editor', async () => {
    const page = await browser!.browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${url}/labs/lab-4-1-networking-fundamentals/`);
    await page.waitForSelector('flatnet-lab[data-editor="ready"]', { timeout: 60_000 });
    assert.equal(await page.locator('[data-start]').isEnabled(), true);
    assert.equal(await page.locator('[data-check]').isDisabled(), true, 'Check needs a cluster');

    await page.getByRole('tab', { name: /Task 1/ }).focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getByRole('tab', { name: /Task 2/ }).getAttribute('aria-selected'), 'true');
    assert.equal(await page.locator('[role="tabpanel"]:visible').getAttribute('id'), 'task-allow-frontend-to-backend');

    await page.click('[data-hint]');
    await page.click('[data-hint]');
    assert.deepEqual(await page.locator('.hint').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.hint)), ['two-sides', 'namespace']);
    assert.equal(await page.locator('[data-solution]').isDisabled(), true);

    // Three checks that did not pass (kept in this browser) unlock the solution.
    await page.evaluate(() => localStorage.setItem('flatnet:fails:lab-4-1-networking-fundamentals:allow-frontend-to-backend', '3'));
    await page.reload();
    await page.waitForSelector('flatnet-lab[data-editor="ready"]', { timeout: 60_000 });
    await page.click('[data-solution]');
    assert.match(await page.locator('[data-solution-text] pre').innerText(), /name: allow-frontend-to-backend/);

    // What the engine finds wrong (an invalid label selector) is marked at its line in the editor.
    await page.locator('[data-solution-text] button').click();
    await page.waitForFunction(() => (document.querySelector('flatnet-lab') as HTMLElement & { answer: string }).answer.includes('allow-frontend-to-backend'));
    await page.locator('.monaco-editor .view-lines').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.locator('.monaco-editor textarea').evaluate((ta) => {
      const data = new DataTransfer();
      data.setData('text/plain', 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: x\n  namespace: lab-networking\nspec:\n  podSelector:\n    matchLabels:\n      app: "not a valid value!"\n');
      ta.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    await page.waitForSelector('.monaco-editor .squiggly-error', { timeout: 10_000 });
    assert.match(await page.locator('.preview-summary').innerText(), /does not parse/);
    await snap(page, '32-lab-hints-solution-errors');
    await page.close();
  });

  it('the keyboard reaches the content first, and the theme choice persists', async () => {
    const page = await browser!.browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    await page.goto(`${url}/chapters/4-1-networking-fundamentals/`);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'content');
    await page.click('[data-theme-toggle]');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await page.reload();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await page.close();
  });
});
