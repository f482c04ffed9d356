/**
 * @module
 * The instructions pane: "Run in terminal" types a step's commands at the prompt, "Copy" puts
 * them on the clipboard, and "Done" boxes are remembered per lab (the sidebar counts them).
 */
import { labProgress, load, update } from '../progress.ts';

export function wireSteps(root: HTMLElement, labId: string, run: (text: string) => boolean): void {
  for (const block of root.querySelectorAll<HTMLElement>('[data-cmd]')) {
    const text = block.querySelector('code')?.textContent ?? '';
    const status = block.querySelector<HTMLElement>('[data-cmd-status]');
    const say = (msg: string) => {
      if (!status) return;
      status.textContent = msg;
      setTimeout(() => (status.textContent = ''), 2500);
    };
    block.querySelector('[data-run]')?.addEventListener('click', () => say(run(`${text}\n`) ? 'Sent to the terminal' : 'Start the lab first: there is no terminal yet'));
    block.querySelector('[data-copy]')?.addEventListener('click', () => {
      navigator.clipboard.writeText(text).then(
        () => say('Copied'),
        () => say('Copy failed: select the text instead'),
      );
    });
  }
  const done = new Set(labProgress(load(), labId).steps);
  for (const box of root.querySelectorAll<HTMLInputElement>('input[data-step-done]')) {
    const i = Number(box.dataset.stepDone);
    box.checked = done.has(i);
    box.addEventListener('change', () =>
      update((p) => {
        const lp = labProgress(p, labId);
        lp.steps = box.checked ? [...new Set([...lp.steps, i])] : lp.steps.filter((s) => s !== i);
      }),
    );
  }
}
