/**
 * @module
 * Warnings for the response of one request (kubectl prints each as `Warning: ...`). Keyed by
 * the request's URL object, which every handler already receives, so no signature has to carry
 * a context just for this.
 */
const pending = new WeakMap<URL, string[]>();

export function warn(url: URL, message: string): void {
  const list = pending.get(url) ?? [];
  list.push(message);
  pending.set(url, list);
}

/** `Warning` header values (RFC 7234 form, code 299 as kube-apiserver sends them). */
export function warningHeaders(url: URL | undefined): string[] {
  return (url && pending.get(url)?.map((m) => `299 - ${JSON.stringify(m)}`)) ?? [];
}
