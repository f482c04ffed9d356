/**
 * The course as a learner uses it, in real Chromium against the real `flatnet serve` and a
 * real local cluster: home → chapter 4.1 → its lab → Start (progress, then a prompt) →
 * kubectl in the terminal, a step's Run button, a dropped connection that reconnects → default-deny-all written in the editor while the preview
 * changes → Apply → Check passes; then the postgres lab with the chapter's UDP-only DNS rule
 * → Check fails with the hint about TCP 53. Screenshots of each state: test-results/e2e/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page, WebSocketRoute } from 'playwright-core';
import { cannotRunKubectl } from '../local-cluster/harness.ts';
import { DIST, ensureBuilt } from '../../site/build/stamp.ts';
import { startServe, type Served } from '../serve-process.ts';
import { cannotRunBrowser, launch, snap, type Launched } from './browser.ts';
import { startLab, writeAnswer } from './lab-page.ts';

// The learner's terminal and Apply run the real kubectl.
const skip = cannotRunBrowser() ?? cannotRunKubectl();
if (skip) console.log(`# skipped: ${skip}`);


const DEFAULT_DENY_START = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-all
  namespace: lab-networking
spec:
  podSelector: {}
`;
// Typed key by key, line by line: after "policyTypes:" Enter indents the next line (the editor's
// YAML rule), and Escape closes the schema's completion list so Enter starts a new line.
const POLICY_TYPES = ['  policyTypes:', '- Ingress', '- Egress'];

async function typeLines(page: Page, lines: string[]): Promise<void> {
  for (const [i, line] of lines.entries()) {
    if (i > 0) await page.keyboard.press('Enter');
    await page.keyboard.type(line, { delay: 15 });
    await page.keyboard.press('Escape');
  }
}
// The chapter's own answer to the postgres exercise: DNS over UDP only (lab defaults: ns=data, api=api).
const POSTGRES_UDP_ONLY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: postgres-policy
  namespace: data
spec:
  podSelector:
    matchLabels:
      app: postgres
  policyTypes:
  - Ingress
  - Egress
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: api
    ports:
    - protocol: TCP
      port: 5432
  egress:
  - to:
    - namespaceSelector: {}
      podSelector:
        matchLabels:
          k8s-app: kube-dns
    ports:
    - protocol: UDP
      port: 53
`;

const answer = (page: Page) => page.locator('flatnet-lab').evaluate((el) => (el as HTMLElement & { answer: string }).answer);
const changedFlows = async (page: Page) => Number(await page.locator('.preview-summary').getAttribute('data-changed'));
const terminalText = (page: Page) => page.locator('.xterm-rows').innerText();

describe('the course in Chromium, on the local provider', { skip, timeout: 600_000 }, () => {
  let server: Served | undefined;
  let url = '';
  let browser: Launched | undefined;

  before(async () => {
    assert.ok(ensureBuilt((l) => console.log(`# ${l}`)), 'the site builds');
    server = await startServe(['--warm', '1', '--site', DIST]);
    url = server.url;
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await server?.stop(true); // serve ends its sessions and their clusters on SIGTERM
  });

  it('home → chapter 4.1 → lab: terminal, editor with live preview, Apply, Check passes', async () => {
    const page = await browser!.browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The terminal's WebSocket goes through Playwright, so the test can drop it like a flaky network.
    const sockets: WebSocketRoute[] = [];
    await page.routeWebSocket(/\/terminal\?/, (ws) => {
      ws.connectToServer();
      sockets.push(ws);
    });

    await page.goto(`${url}/`);
    assert.match(await page.title(), /Kubernetes networking you can run/);
    await snap(page, '01-home');
    await page.getByRole('link', { name: /4\.1 Networking fundamentals/ }).first().click();
    await page.waitForURL(/\/chapters\/4-1-networking-fundamentals\/$/);
    assert.equal(await page.locator('h1').innerText(), 'Networking fundamentals and NetworkPolicy');
    assert.ok((await page.locator('figure.diagram svg').count()) >= 3, 'the chapter has its build-time diagrams');
    await snap(page, '02-chapter');

    await page.getByRole('link', { name: /Open the lab/ }).click();
    await page.waitForURL(/\/labs\/lab-4-1-networking-fundamentals\/$/);
    await page.waitForSelector('flatnet-lab[data-editor="ready"]', { timeout: 60_000 });
    await snap(page, '03-lab');

    await startLab(page, '04-lab');
    await page.locator('.xterm').click();
    await page.keyboard.type('kubectl get pods -n lab-networking\n');
    await page.waitForFunction(() => /frontend\s+1\/1\s+Running/.test(document.querySelector('.xterm-rows')?.textContent ?? '') && /backend\s+1\/1\s+Running/.test(document.querySelector('.xterm-rows')?.textContent ?? ''), undefined, { timeout: 30_000 });
    assert.match(await terminalText(page), /backend\s+1\/1\s+Running/);
    await snap(page, '05-terminal');

    // Step 2's "Run in terminal" types its commands at the prompt: backend reaches frontend's pod IP.
    await page.locator('.step').nth(1).getByRole('button', { name: 'Run in terminal' }).click();
    await page.waitForFunction(() => /HTTP 200/.test(document.querySelector('.xterm-rows')?.textContent ?? ''), undefined, { timeout: 30_000 });
    await snap(page, '05b-step-run-in-terminal');

    // A dropped connection: the terminal says so, reconnects by itself, and the shell is the same one.
    await sockets.at(-1)!.close({ code: 1006, reason: 'network dropped' });
    await page.waitForFunction(() => document.querySelector('[data-terminal-status]')?.textContent === 'reconnecting…', undefined, { timeout: 5_000 });
    await page.waitForFunction(() => document.querySelector('[data-terminal-status]')?.textContent === 'connected', undefined, { timeout: 15_000 });
    await page.locator('.xterm').click();
    // FRONTEND_IP was set by step 2 in this shell: grep succeeds only if the shell survived.
    await page.keyboard.type('echo "$FRONTEND_IP" | grep -q . && echo same-$((40+2))\n');
    await page.waitForFunction(() => /same-42/.test(document.querySelector('.xterm-rows')?.textContent ?? ''), undefined, { timeout: 15_000 });
    assert.ok(sockets.length >= 2, 'the terminal opened a new connection');

    // Typing: the start of default-deny-all isolates ingress only; adding policyTypes changes more flows.
    await writeAnswer(page, DEFAULT_DENY_START);
    await page.waitForFunction(() => document.querySelector('.preview-summary')?.getAttribute('data-changed') === '2', undefined, { timeout: 10_000 });
    const ingressOnly = await changedFlows(page);
    await snap(page, '06-preview-ingress-only');
    await typeLines(page, POLICY_TYPES);
    await page.waitForFunction((n) => Number(document.querySelector('.preview-summary')?.getAttribute('data-changed')) > n, ingressOnly, { timeout: 10_000 });
    assert.ok((await changedFlows(page)) > ingressOnly, 'the preview shows more flows denied once Egress is listed');
    assert.match(await answer(page), /policyTypes:\n\s+- Ingress\n\s+- Egress/);
    const cell = page.locator('.preview-table td.changed').first();
    await cell.hover();
    assert.match(await page.locator('.preview-reason').innerText(), /denied/);
    await snap(page, '07-preview-default-deny');

    await page.click('[data-apply]');
    await page.waitForSelector('.apply-output', { timeout: 60_000 });
    assert.match(await page.locator('.apply-output').innerText(), /default-deny-all/);
    await snap(page, '08-applied');

    await page.click('[data-check]');
    await page.waitForSelector('flatnet-lab[data-verdict]', { timeout: 120_000 });
    assert.equal(await page.locator('flatnet-lab').getAttribute('data-verdict'), 'passed', await page.locator('[data-results]').innerText());
    assert.match(await page.locator('.verdict').innerText(), /^Passed/);
    assert.ok((await page.locator('.results-graph svg').count()) === 1, 'the result has its connectivity picture');
    await snap(page, '09-check-passed');

    // The sidebar counts the passed task (progress lives in this browser).
    assert.equal(await page.locator('[data-mark-lab="lab-4-1-networking-fundamentals"]').innerText(), '1/2');

    // A reload resumes the same session: the terminal reconnects and the runner replays it.
    await page.reload();
    await page.waitForSelector('flatnet-lab[data-session="ready"]', { timeout: 30_000 });
    await page.waitForFunction(() => /backend\s+1\/1\s+Running/.test(document.querySelector('.xterm-rows')?.textContent ?? ''), undefined, { timeout: 30_000 });

    // Task 2 starts from default-deny-all: Reset task sets that up in the same cluster, with progress.
    await page.getByRole('tab', { name: /Task 2/ }).click();
    await page.click('[data-reset]');
    await page.waitForSelector('flatnet-lab[data-session="provisioning"]', { timeout: 30_000 });
    await snap(page, '09b-reset-task-2');
    await page.waitForSelector('flatnet-lab[data-session="ready"]', { timeout: 120_000 });
    await page.locator('.xterm').click();
    await page.keyboard.type('kubectl get networkpolicy -n lab-networking\n');
    await page.waitForFunction(() => /default-deny-all/.test(document.querySelector('.xterm-rows')?.textContent?.split('get networkpolicy').at(-1) ?? ''), undefined, { timeout: 30_000 });
    await snap(page, '09c-task-2-ready');
    await page.click('[data-end]');
    await page.waitForSelector('flatnet-lab[data-session="none"]');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('postgres lab: the UDP-only DNS rule fails with the hint about TCP 53', async () => {
    const page = await browser!.browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark' });
    await page.goto(`${url}/labs/netpol-postgres-dns-egress/`);
    await page.waitForSelector('flatnet-lab[data-editor="ready"]', { timeout: 60_000 });
    await startLab(page, '10-postgres');
    await writeAnswer(page, POSTGRES_UDP_ONLY);
    await page.waitForFunction(() => Number(document.querySelector('.preview-summary')?.getAttribute('data-changed')) > 0, undefined, { timeout: 10_000 });
    await page.click('[data-check]');
    await page.waitForSelector('flatnet-lab[data-verdict]', { timeout: 120_000 });
    assert.equal(await page.locator('flatnet-lab').getAttribute('data-verdict'), 'failed');
    const hint = page.locator('.check-hint[data-hint="dns-tcp"]');
    assert.equal(await hint.count(), 1, await page.locator('[data-results]').innerText());
    assert.match(await hint.innerText(), /TCP 53/);
    assert.match(await page.locator('.check.failed').first().innerText(), /TCP 53/);
    await snap(page, '11-postgres-wrong-dns-hint');
    await page.click('[data-end]');
    await page.close();
  });
});
