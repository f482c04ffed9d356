// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import { env } from 'node:process';

// `flatnet dev` runs the site's dev server beside a `flatnet serve` and points /api at it, so
// the lab pages talk to a real runner while chapters and labs hot-reload.
const api = env.FLATNET_DEV_API;

// The course site lives in site/ (Astro's srcDir); labs/ and checkers/ are read from there.
export default defineConfig({
  srcDir: './site',
  outDir: './dist',
  integrations: [mdx()],
  // Chapter pages work offline and with JS off: nothing is fetched from elsewhere, ever.
  prefetch: false,
  devToolbar: { enabled: false },
  build: { format: 'directory' },
  // Plain <pre> blocks follow the page's theme; a highlighter would pin one palette.
  markdown: { syntaxHighlight: false },
  vite: {
    server: api ? { proxy: { '/api': { target: api, ws: true } } } : {},
    // Monaco's workers are ES modules (monaco-yaml's imports).
    worker: { format: 'es' },
  },
});
