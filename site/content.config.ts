/**
 * @module
 * The site's content: chapters (MDX files) and labs (read from labs/, the same files the CLI
 * and CI grade — no copy to keep in step).
 */
import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { ChapterSchema } from './content/chapter-schema.ts';
import { labLoader } from './content/lab-loader.ts';
import { LabEntrySchema } from './content/lab-entry.ts';

const chapters = defineCollection({
  loader: glob({ base: './site/content/chapters', pattern: '**/*.mdx' }),
  schema: ChapterSchema,
});

const labs = defineCollection({
  // FLATNET_LABS_DIR: another labs folder to preview (tests use a scratch copy).
  loader: labLoader({ root: process.env.FLATNET_LABS_DIR ?? './labs' }),
  schema: LabEntrySchema,
});

export const collections = { chapters, labs };
