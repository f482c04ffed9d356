/**
 * What a learner does on a lab page, for the e2e tests: start the lab and wait for the prompt,
 * and put an answer into the editor.
 */
import type { Page } from 'playwright-core';
import { snap } from './browser.ts';

export async function startLab(page: Page, name: string): Promise<void> {
  await page.click('[data-start]');
  await page.waitForSelector('flatnet-lab[data-session="provisioning"]', { timeout: 60_000 });
  await snap(page, `${name}-provisioning`);
  await page.waitForSelector('flatnet-lab[data-session="ready"]', { timeout: 120_000 });
  await page.waitForFunction(() => /learner@\S+:~\$/.test(document.querySelector('.xterm-rows')?.textContent ?? ''), undefined, { timeout: 30_000 });
}

/**
 * Replaces the editor's text as a learner pasting it would: select all, delete, paste. (Typing
 * a whole document key by key would be re-indented by the editor's YAML rules on every Enter.)
 */
export async function writeAnswer(page: Page, text: string): Promise<void> {
  await page.locator('.monaco-editor .view-lines').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.locator('.monaco-editor textarea').evaluate((ta, t) => {
    const data = new DataTransfer();
    data.setData('text/plain', t);
    ta.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
}
