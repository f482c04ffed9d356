/**
 * @module
 * The container images a lab may run. Providers pre-load exactly these into the
 * cluster, so grading never waits on (or fails for lack of) a registry.
 */

/** `*` matches any run of characters; every other character is literal. */
export const SUPPORTED_IMAGES = [
  'nginx:*',
  'busybox*',
  'radial/busyboxplus:curl',
  'curlimages/curl*',
  'alpine*',
  'postgres:*',
  'registry.k8s.io/e2e-test-images/agnhost:*',
  'registry.k8s.io/coredns/coredns:*',
] as const;

const patterns = SUPPORTED_IMAGES.map((p) => new RegExp(`^${p.split('*').map(escape).join('.*')}$`));

export function isSupportedImage(image: string): boolean {
  return patterns.some((re) => re.test(image));
}

function escape(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\/]/g, '\\$&');
}
