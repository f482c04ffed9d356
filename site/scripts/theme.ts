/**
 * @module
 * The theme switch. The first paint already has the right theme: Base.astro's inline head
 * script applies the stored choice before the CSS is used; this only handles the button.
 */
const KEY = 'flatnet:theme';

function current(): 'light' | 'dark' {
  const set = document.documentElement.dataset.theme;
  if (set === 'light' || set === 'dark') return set;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function wireThemeToggle(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-theme-toggle]')) {
    const label = button.querySelector('[data-theme-label]');
    const show = () => {
      const dark = current() === 'dark';
      button.setAttribute('aria-pressed', String(dark));
      if (label) label.textContent = dark ? 'Light theme' : 'Dark theme';
    };
    button.addEventListener('click', () => {
      const next = current() === 'dark' ? 'light' : 'dark';
      document.documentElement.dataset.theme = next;
      localStorage.setItem(KEY, next);
      show();
      document.dispatchEvent(new CustomEvent('flatnet:theme', { detail: next }));
    });
    show();
  }
}
