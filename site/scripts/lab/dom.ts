/**
 * @module
 * A tiny element builder: the lab island builds a little DOM (results, preview tables) and
 * a framework would cost more bytes than the whole island. Text is always set as text, never
 * parsed as HTML, unless the caller passes build-time HTML through `html`.
 */
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | boolean | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** HTML that was rendered at build time from the lab's own Markdown (never learner or server text). */
export function html(markup: string): DocumentFragment {
  return document.createRange().createContextualFragment(markup);
}

export function debounce<A extends unknown[]>(fn: (...a: A) => void, ms: number): (...a: A) => void {
  let t: ReturnType<typeof setTimeout> | undefined;
  return (...a) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...a), ms);
  };
}
