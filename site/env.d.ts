/// <reference types="astro/client" />
// `tsc -p tsconfig.json` checks the site's .ts files without Astro's language tools (and
// before any build has generated .astro/): .astro components are typed loosely here, and
// astro:content comes from astro/client, without the generated per-collection types.
declare module '*.astro' {
  const Component: (props: Record<string, unknown>) => unknown;
  export default Component;
}
