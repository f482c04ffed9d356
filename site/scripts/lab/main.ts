/**
 * @module
 * The lab page's island, `<flatnet-lab>`: a custom element (no framework) that ties the
 * static page to the runner — the session (start, progress, terminal, end) and the answer's
 * actions (Apply, Check, Reset task, hints, solution). What it loads up front is small; the
 * engine and Monaco arrive once the page is idle (workbench.ts), xterm when a cluster is ready.
 */
import type { GradeResult } from '../../../checkers/grade/result.ts';
import { labProgress, update } from '../progress.ts';
import * as api from './api.ts';
import { readPageData, type LabPageData } from './data.ts';
import { h, html } from './dom.ts';
import { wireSplitters } from './splitter.ts';
import { Stages } from './stages.ts';
import { wireSteps } from './steps.ts';
import type { LabTerminal } from './terminal.ts';
import { Workbench } from './workbench.ts';

type Task = LabPageData['lab']['tasks'][number];

const isDark = () => {
  const t = document.documentElement.dataset.theme;
  return t === 'dark' || (t !== 'light' && matchMedia('(prefers-color-scheme: dark)').matches);
};

const idle = (fn: () => void) => ('requestIdleCallback' in window ? requestIdleCallback(fn, { timeout: 1500 }) : setTimeout(fn, 200));

class FlatnetLab extends HTMLElement {
  private data!: LabPageData;
  private work!: Workbench;
  private stages!: Stages;
  private taskIndex = 0;
  private session: api.SessionRef | undefined;
  private stopEvents: (() => void) | undefined;
  private ready = false;
  private busy = false;
  private terminal: LabTerminal | undefined;
  private hintsShown = 0;

  private $<T extends HTMLElement = HTMLElement>(sel: string): T {
    const el = this.querySelector<T>(sel);
    if (!el) throw new Error(`lab page: ${sel} is missing`);
    return el;
  }

  connectedCallback(): void {
    this.data = readPageData(this);
    const lab = this.data.lab.id;
    this.classList.add('live');
    this.work = new Workbench(this, this.data, (text) => localStorage.setItem(this.draftKey(), text));
    this.stages = new Stages(this.$('[data-stages]'));
    wireSplitters(this.$('.lab-grid'));
    wireSteps(this.$('.steps'), lab, (text) => {
      if (!this.terminal?.connected) return false;
      this.terminal.type(text);
      this.terminal.focus();
      return true;
    });
    this.wireTabs();
    this.$('[data-start]').addEventListener('click', () => void this.start());
    this.$('[data-end]').addEventListener('click', () => void this.end());
    this.$('[data-apply]').addEventListener('click', () => void this.apply());
    this.$('[data-check]').addEventListener('click', () => void this.check());
    this.$('[data-reset]').addEventListener('click', () => void this.reset());
    this.$('[data-hint]').addEventListener('click', () => this.nextHint());
    this.$('[data-solution]').addEventListener('click', () => this.showSolution());
    document.addEventListener('flatnet:theme', () => {
      this.work.setTheme(isDark());
      this.terminal?.setTheme(isDark());
    });
    const saved = this.data.lab.tasks.findIndex((t) => t.id === localStorage.getItem(`flatnet:task:${lab}`));
    this.selectTask(Math.max(0, saved));
    const session = api.savedSession(lab);
    if (session) this.follow(session);
    idle(() =>
      this.work.load(isDark()).then(
        () => (this.dataset.editor = 'ready'),
        (e: unknown) => {
          this.dataset.editor = 'failed';
          this.say(`The editor could not load (${String(e)}); the plain text box still works.`, 'error');
        },
      ),
    );
  }

  /** The learner's current answer (the editor's text): for automation and tests. */
  get answer(): string {
    return this.work.text;
  }

  // --- tasks ---------------------------------------------------------------------------------

  private get task(): Task {
    return this.data.lab.tasks[this.taskIndex]!;
  }

  private draftKey(): string {
    return `flatnet:draft:${this.data.lab.id}:${this.task.id}`;
  }

  private failKey(): string {
    return `flatnet:fails:${this.data.lab.id}:${this.task.id}`;
  }

  private wireTabs(): void {
    for (const tab of this.querySelectorAll<HTMLButtonElement>('[data-task-tab]')) {
      tab.addEventListener('click', () => this.selectTask(Number(tab.dataset.taskTab)));
      // The ARIA tabs pattern: arrows move between tabs, Tab leaves the tab list.
      tab.addEventListener('keydown', (e) => {
        const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
        if (!step) return;
        const n = this.data.lab.tasks.length;
        this.selectTask((this.taskIndex + step + n) % n);
        this.querySelector<HTMLElement>(`[data-task-tab="${this.taskIndex}"]`)?.focus();
      });
    }
  }

  private selectTask(i: number): void {
    this.taskIndex = i;
    localStorage.setItem(`flatnet:task:${this.data.lab.id}`, this.task.id);
    for (const tab of this.querySelectorAll<HTMLElement>('[data-task-tab]')) {
      const on = Number(tab.dataset.taskTab) === i;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
    }
    for (const p of this.querySelectorAll<HTMLElement>('[data-task-prompt]')) p.hidden = p.dataset.taskPrompt !== this.task.id;
    this.hintsShown = 0;
    this.$('[data-hints]').replaceChildren();
    this.$('[data-solution-text]').hidden = true;
    this.$('[data-results]').replaceChildren();
    this.$('[data-apply-output]').replaceChildren();
    this.work.setTask(i, localStorage.getItem(this.draftKey()) ?? this.task.starter);
    this.updateButtons();
    if (this.ready) this.say('This task may start from a different state: press Reset task to set it up in your cluster.');
  }

  // --- the session ----------------------------------------------------------------------------

  private say(text: string, tone: 'info' | 'error' = 'info'): void {
    const el = this.$('[data-status]');
    el.textContent = text;
    el.dataset.tone = tone;
  }

  private updateButtons(): void {
    const live = this.ready && !this.busy;
    for (const sel of ['[data-apply]', '[data-check]', '[data-reset]']) this.$<HTMLButtonElement>(sel).disabled = !live;
    this.$('[data-start]').hidden = !!this.session;
    this.$('[data-end]').hidden = !this.session;
    const fails = Number(localStorage.getItem(this.failKey()) ?? 0);
    const sol = this.$<HTMLButtonElement>('[data-solution]');
    sol.disabled = fails < this.data.solutionAfter;
    sol.title = sol.disabled ? `Available after ${this.data.solutionAfter} checks that did not pass (${fails} so far)` : '';
    this.$<HTMLButtonElement>('[data-hint]').disabled = this.hintsShown >= this.task.hints.length;
  }

  private async start(): Promise<void> {
    this.$<HTMLButtonElement>('[data-start]').disabled = true;
    this.say('Asking the runner for a cluster…');
    try {
      this.follow(await api.createSession(this.data.lab.id, this.task.id));
    } catch (e) {
      this.sayError(e);
    } finally {
      this.$<HTMLButtonElement>('[data-start]').disabled = false;
    }
  }

  private follow(s: api.SessionRef): void {
    this.session = s;
    this.updateButtons();
    this.stopEvents = api.followEvents(
      s,
      (e) => this.onEvent(e),
      () => this.gone('This lab session has ended (or the runner restarted). Start the lab again.'),
    );
  }

  private onEvent(e: api.SessionEvent): void {
    const stages = this.$('[data-stages]');
    switch (e.type) {
      case 'progress':
        if (this.ready || this.dataset.session !== 'provisioning') this.stages.clear();
        this.ready = false;
        stages.hidden = false;
        this.stages.update(e.stage, e.step, e.of);
        if (!this.terminal) this.$('[data-terminal]').replaceChildren(h('p', { class: 'placeholder' }, 'Your terminal opens here when the cluster is ready.'));
        this.say(`Setting up your cluster: ${e.stage}…`);
        this.dataset.session = 'provisioning';
        break;
      case 'ready':
        this.ready = true;
        stages.hidden = true;
        this.say(`Your cluster is ready (${(e.ms / 1000).toFixed(1)} s). The terminal is a shell with kubectl for it.`);
        this.dataset.session = 'ready';
        void this.openTerminal();
        break;
      case 'failed':
        this.gone(`The cluster could not be set up: ${e.message}`, 'error');
        break;
      case 'ended':
        this.gone(`The lab session ended: ${e.reason}.`);
        break;
    }
    this.updateButtons();
  }

  private async openTerminal(): Promise<void> {
    if (this.terminal || !this.session) return;
    const s = this.session;
    const host = this.$('[data-terminal]');
    const { openTerminal } = await import('./terminal.ts');
    host.replaceChildren();
    this.terminal = openTerminal(host, () => api.terminalUrl(s), {
      dark: isDark(),
      onStatus: (st) => (this.$('[data-terminal-status]').textContent = st === 'connected' ? 'connected' : st === 'retrying' ? 'reconnecting…' : 'connecting…'),
    });
  }

  private gone(message: string, tone: 'info' | 'error' = 'info'): void {
    this.stopEvents?.();
    this.stopEvents = undefined;
    this.session = undefined;
    this.ready = false;
    this.terminal?.dispose();
    this.terminal = undefined;
    api.forgetSession(this.data.lab.id);
    this.$('[data-stages]').hidden = true;
    this.$('[data-terminal]').replaceChildren(h('p', { class: 'placeholder' }, 'Start the lab to get a shell in your own cluster.'));
    this.$('[data-terminal-status]').textContent = '';
    this.dataset.session = 'none';
    this.say(message, tone);
    this.updateButtons();
  }

  private async end(): Promise<void> {
    const s = this.session;
    if (!s) return;
    await api.end(s).catch(() => undefined);
    this.gone('You ended the lab session; its cluster is gone.');
  }

  private sayError(e: unknown): void {
    this.say(e instanceof api.ApiError ? `${e.message}${e.fix ? ` — ${e.fix}` : ''}` : String(e), 'error');
  }

  // --- the answer's actions -------------------------------------------------------------------

  private async withSession<T>(what: string, fn: (s: api.SessionRef) => Promise<T>): Promise<T | undefined> {
    if (!this.session || !this.ready) return undefined;
    this.busy = true;
    this.updateButtons();
    this.say(`${what}…`);
    try {
      return await fn(this.session);
    } catch (e) {
      if (e instanceof api.ApiError && (e.status === 401 || e.status === 410)) this.gone(e.message, 'error');
      else this.sayError(e);
      return undefined;
    } finally {
      this.busy = false;
      this.updateButtons();
    }
  }

  private async apply(): Promise<void> {
    const r = await this.withSession('Applying your YAML in the cluster', (s) => api.apply(s, this.work.text));
    if (!r) return;
    this.$('[data-apply-output]').replaceChildren(h('pre', { class: `apply-output ${r.ok ? 'ok' : 'bad'}`, role: 'status' }, r.output || (r.ok ? 'applied' : 'failed')));
    this.say(r.ok ? 'Applied. Try the flows from the terminal, or press Check.' : 'kubectl apply refused it: see the output.', r.ok ? 'info' : 'error');
  }

  private async check(): Promise<void> {
    const r = await this.withSession('Checking your answer in the cluster', (s) => api.grade(s, this.work.text, this.task.id));
    if (r) await this.showResult(r);
  }

  private async showResult(r: GradeResult): Promise<void> {
    const { renderResults } = await import('./results.ts');
    renderResults(this.$('[data-results]'), r, this.task.hints);
    this.dataset.verdict = r.passed ? 'passed' : 'failed';
    if (r.passed) {
      update((p) => {
        const lp = labProgress(p, this.data.lab.id);
        lp.passed = [...new Set([...lp.passed, this.task.id])];
      });
      this.say('Passed. Well done — on to the next task, or the next chapter.');
    } else {
      localStorage.setItem(this.failKey(), String(Number(localStorage.getItem(this.failKey()) ?? 0) + 1));
      this.say(r.hint ? 'Not yet: see the first failing check and its hint.' : 'Not yet: see the checks below.');
    }
    this.updateButtons();
    // Scroll the answer pane only: scrollIntoView would also move the page under the header.
    const pane = this.$('.pane.work');
    pane.scrollTo({ top: this.$('[data-results]').offsetTop - pane.offsetTop - 8, behavior: 'smooth' });
  }

  private async reset(): Promise<void> {
    const ok = await this.withSession('Resetting this task in your cluster', (s) => api.reset(s, this.task.id));
    if (!ok) return;
    this.ready = false;
    this.updateButtons();
  }

  private nextHint(): void {
    const hint = this.task.hints[this.hintsShown];
    if (!hint) return;
    this.hintsShown++;
    this.$('[data-hints]').append(h('div', { class: 'hint', 'data-hint': hint.id }, h('strong', {}, `Hint ${this.hintsShown} of ${this.task.hints.length}: `), html(hint.html)));
    this.updateButtons();
  }

  private showSolution(): void {
    const box = this.$('[data-solution-text]');
    box.hidden = false;
    const use = h('button', { type: 'button' }, 'Put it in the editor');
    use.addEventListener('click', () => (this.work.text = this.task.solution));
    box.replaceChildren(h('p', {}, 'A reference solution (yours may differ and still pass):'), h('pre', { tabindex: '0' }, h('code', {}, this.task.solution)), use);
  }
}

customElements.define('flatnet-lab', FlatnetLab);
