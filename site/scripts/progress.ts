/**
 * @module
 * A learner's progress, kept in this browser only (localStorage): chapters read, lab steps
 * done, tasks passed. The sidebar shows it; the lab page restores it, so work is resumable.
 */
const KEY = 'flatnet:progress:v1';

export interface Progress {
  chapters: Record<string, { read: boolean }>;
  labs: Record<string, { steps: number[]; passed: string[] }>;
}

export function load(): Progress {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '') as Partial<Progress>;
    return { chapters: v.chapters ?? {}, labs: v.labs ?? {} };
  } catch {
    return { chapters: {}, labs: {} };
  }
}

export function update(fn: (p: Progress) => void): Progress {
  const p = load();
  fn(p);
  localStorage.setItem(KEY, JSON.stringify(p));
  document.dispatchEvent(new CustomEvent('flatnet:progress'));
  return p;
}

export function labProgress(p: Progress, id: string): { steps: number[]; passed: string[] } {
  return (p.labs[id] ??= { steps: [], passed: [] });
}

/** Puts a mark next to each sidebar link: ✓ for a chapter read; for a lab, tasks passed and steps done. */
export function renderMarks(): void {
  const p = load();
  for (const el of document.querySelectorAll<HTMLElement>('[data-mark-chapter]')) {
    const read = p.chapters[el.dataset.markChapter ?? '']?.read === true;
    el.textContent = read ? '✓' : '';
    el.title = read ? 'read' : '';
  }
  for (const el of document.querySelectorAll<HTMLElement>('[data-mark-lab]')) {
    const lab = p.labs[el.dataset.markLab ?? ''];
    const total = Number(el.dataset.tasks ?? 0);
    const passed = lab?.passed.length ?? 0;
    const steps = lab?.steps.length ?? 0;
    el.textContent = passed === 0 ? '' : passed >= total ? '✓' : `${passed}/${total}`;
    el.title = passed === 0 && steps === 0 ? '' : `${passed} of ${total} tasks passed, ${steps} of ${el.dataset.steps ?? '?'} steps done`;
    el.dataset.stepsDone = String(steps);
    // The steps show as a bar under the link: the eye finds unfinished labs without reading.
    el.closest('a')?.style.setProperty('--steps-done', `${Math.round((100 * steps) / Math.max(1, Number(el.dataset.steps ?? 1)))}%`);
  }
}
