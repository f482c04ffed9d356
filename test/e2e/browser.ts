/**
 * @module
 * Debian's Chromium driven by playwright-core (no browser download): headless, no network
 * chatter of its own, a fresh profile per launch. `cannotRunBrowser()` says why a host
 * cannot, so a test prints the reason instead of silently passing.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.FLATNET_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = fileURLToPath(new URL('../../test-results/e2e/', import.meta.url));

export function cannotRunBrowser(): string | undefined {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install chromium, or set FLATNET_CHROMIUM)`;
  return undefined;
}

export interface Launched {
  browser: Browser;
  close(): Promise<void>;
}

export async function launch(): Promise<Launched> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
    // A fresh profile in a temporary folder per launch: Playwright makes (and removes) it
    // itself, and refuses --user-data-dir here.
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}

/** Saves a full-page screenshot as test-results/e2e/NAME.png and returns its path. */
export async function snap(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
