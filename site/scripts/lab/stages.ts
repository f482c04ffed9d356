/**
 * @module
 * Provisioning progress where the prompt will appear: a progress bar and the runner's stages
 * (the node, the CNI, CoreDNS, the lab's pods), each ticked off as the next one starts.
 */
import { h } from './dom.ts';

export class Stages {
  private readonly seen: string[] = [];
  private readonly host: HTMLElement;

  constructor(host: HTMLElement) {
    this.host = host;
  }

  update(stage: string, step: number, of: number): void {
    if (this.seen.at(-1) !== stage) this.seen.push(stage);
    const bar = h('progress', { max: String(of), value: String(step - 0.5), 'aria-label': 'Setting up your cluster' });
    const list = h(
      'ol',
      { class: 'stages' },
      ...this.seen.map((s, i) => (i < this.seen.length - 1 ? h('li', { class: 'done' }, `✓ ${s}`) : h('li', { class: 'current', 'aria-current': 'step' }, `${s}…`))),
    );
    this.host.replaceChildren(h('div', { class: 'provisioning' }, h('p', {}, `Setting up your cluster — step ${step} of ${of}`), bar, list));
  }

  /** A new round (a reset) starts its list afresh. */
  clear(): void {
    this.seen.length = 0;
  }
}
