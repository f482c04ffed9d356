// @ts-check
import { defineConfig } from 'astro/config';

// The course site lives in site/ (Astro's srcDir); labs/ and checkers/ are read from there.
export default defineConfig({
  srcDir: './site',
  outDir: './dist',
});
