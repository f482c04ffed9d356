/**
 * @module
 * Resizable panes: each separator between two panes can be dragged, or focused and moved with
 * the arrow keys (it is an ARIA separator with a value). Widths are kept for the next visit.
 */
const KEY = 'flatnet:panes';

export function wireSplitters(grid: HTMLElement): void {
  const saved = (() => {
    try {
      return JSON.parse(localStorage.getItem(KEY) ?? '') as Record<string, number>;
    } catch {
      return {};
    }
  })();
  for (const sep of grid.querySelectorAll<HTMLElement>('[role="separator"][data-var]')) {
    const name = sep.dataset.var!;
    const min = Number(sep.getAttribute('aria-valuemin') ?? 15);
    const max = Number(sep.getAttribute('aria-valuemax') ?? 60);
    const set = (pct: number) => {
      const v = Math.round(Math.min(max, Math.max(min, pct)));
      grid.style.setProperty(name, `${v}%`);
      sep.setAttribute('aria-valuenow', String(v));
      saved[name] = v;
      localStorage.setItem(KEY, JSON.stringify(saved));
    };
    if (saved[name]) set(saved[name]);
    // The separator's value is the width of the pane on its left (or, with data-side=right, on its right).
    const right = sep.dataset.side === 'right';
    sep.addEventListener('keydown', (e) => {
      const now = Number(sep.getAttribute('aria-valuenow'));
      const step = e.key === 'ArrowLeft' ? -2 : e.key === 'ArrowRight' ? 2 : 0;
      if (!step) return;
      e.preventDefault();
      set(now + (right ? -step : step));
    });
    sep.addEventListener('pointerdown', (e) => {
      sep.setPointerCapture(e.pointerId);
      const box = grid.getBoundingClientRect();
      const move = (m: PointerEvent) => {
        const x = ((m.clientX - box.left) / box.width) * 100;
        set(right ? 100 - x : x);
      };
      const up = () => {
        sep.removeEventListener('pointermove', move);
        sep.removeEventListener('pointerup', up);
      };
      sep.addEventListener('pointermove', move);
      sep.addEventListener('pointerup', up);
    });
  }
}
