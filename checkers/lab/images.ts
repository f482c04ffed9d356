/**
 * @module
 * The container images a lab (and the local cluster) can run, and what each behaves like.
 * One list: the lab linter accepts exactly these, and the local cluster's runtime builds a
 * root filesystem per profile (runner/providers/local/images/profiles.ts).
 */

/** `*` matches any run of characters; every other character is literal. Order matters: the first match wins. */
export const IMAGES = [
  { image: 'nginx:*', profile: 'nginx' },
  { image: 'busybox*', profile: 'tools' },
  { image: 'radial/busyboxplus:curl', profile: 'tools' },
  { image: 'curlimages/curl*', profile: 'tools' },
  { image: 'alpine*', profile: 'tools' },
  { image: 'postgres:*', profile: 'postgres' },
  { image: 'registry.k8s.io/e2e-test-images/agnhost:*', profile: 'agnhost' },
  { image: 'registry.k8s.io/coredns/coredns:*', profile: 'coredns' },
  // The local cluster's ingress controller (runner/providers/local/ingress/): flatnet's own, not nginx.
  { image: 'flatnet/ingress-controller:*', profile: 'ingress' },
] as const;

export type ImageProfile = (typeof IMAGES)[number]['profile'];

export const SUPPORTED_IMAGES = IMAGES.map((i) => i.image);

const patterns = IMAGES.map((i) => ({ re: new RegExp(`^${i.image.split('*').map(escape).join('.*')}$`), profile: i.profile }));

/** What an image reference behaves like; Docker Hub's implied parts (docker.io/library/, :latest) are accepted. */
export function imageProfile(image: string): ImageProfile | undefined {
  let ref = image.replace(/^docker\.io\//, '').replace(/^library\//, '');
  if (!/[:@]/.test(ref.split('/').at(-1) ?? '')) ref += ':latest';
  return patterns.find((p) => p.re.test(ref) || p.re.test(image))?.profile;
}

export function isSupportedImage(image: string): boolean {
  return imageProfile(image) !== undefined;
}

function escape(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\/]/g, '\\$&');
}
