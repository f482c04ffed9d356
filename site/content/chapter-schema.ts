/**
 * @module
 * A chapter's front matter. Adding a chapter is dropping an .mdx file with this front matter
 * into site/content/chapters/: the sidebar, the home page and the chapter's lab link follow.
 */
import { z } from 'astro/zod';

export const RecallSchema = z
  .strictObject({
    q: z.string().describe('The question, asked without looking back at the text.'),
    a: z.string().describe('The answer, revealed on demand (Markdown inline code allowed).'),
  })
  .describe('One "pause and recall" question with its answer.');

export const ChapterSchema = z
  .strictObject({
    title: z.string().describe('Chapter title, as shown in the sidebar and the page heading.'),
    number: z.string().regex(/^\d+(\.\d+)*$/, 'must be a chapter number like 4.1').describe('Chapter number as printed, e.g. "4.1"; labs name their chapter with it.'),
    order: z.number().describe('Sort key in the sidebar, lowest first: usually the chapter number as a number (4.1).'),
    summary: z.string().describe('One or two sentences: what the learner will be able to do after the chapter.'),
    lab: z.string().optional().describe('Id of the lab under labs/ this chapter leads to; its page is linked from the chapter and the sidebar.'),
    recall: z.array(RecallSchema).min(3, 'a chapter ends with at least 3 recall questions').describe('End-of-chapter recall questions (spaced-recall cards), with answers: at least 3.'),
    draft: z.boolean().default(false).describe('A draft is built in `flatnet dev` only, never into dist/.'),
  })
  .describe('Front matter of a chapter (site/content/chapters/*.mdx).');

export type ChapterData = z.infer<typeof ChapterSchema>;
