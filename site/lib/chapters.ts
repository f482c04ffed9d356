/**
 * @module
 * The course's table of contents: chapters in order, each with the labs of its number.
 * Drafts appear in the dev server only.
 */
import { getCollection } from 'astro:content';
import type { ChapterData } from '../content/chapter-schema.ts';
import type { LabEntry } from '../content/lab-entry.ts';

// Typed from our own schemas rather than Astro's generated types, so `tsc` checks this file
// in a fresh clone too (the generated ones appear only after a build). The objects are
// Astro's entries: render() accepts them.
export interface Chapter { id: string; data: ChapterData }
export interface LabItem { id: string; data: LabEntry }

export interface TocEntry {
  chapter: Chapter;
  href: string;
  labs: { lab: LabItem; href: string }[];
}

const base = import.meta.env.BASE_URL.replace(/\/$/, '');
export const chapterHref = (c: Chapter) => `${base}/chapters/${c.id}/`;
export const labHref = (id: string) => `${base}/labs/${id}/`;

/** Labs whose chapter has no page yet: listed on their own, so no lab is unreachable. */
export async function orphanLabs(): Promise<{ lab: LabItem; href: string }[]> {
  const entries = await toc();
  const linked = new Set(entries.flatMap((e) => e.labs.map((l) => l.lab.id)));
  const labs = (await getCollection('labs')) as LabItem[];
  const key = (l: LabItem) => l.data.chapter.split('.').map(Number);
  const byChapter = (a: LabItem, b: LabItem) => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
    return a.id.localeCompare(b.id);
  };
  return labs.filter((l) => !linked.has(l.id)).sort(byChapter).map((lab) => ({ lab, href: labHref(lab.id) }));
}

export async function toc(): Promise<TocEntry[]> {
  const all = (await getCollection('chapters')) as Chapter[];
  const chapters = all.filter((c) => import.meta.env.DEV || !c.data.draft).sort((a, b) => a.data.order - b.data.order);
  const labs = (await getCollection('labs')) as LabItem[];
  return chapters.map((chapter) => {
    // The chapter's own lab first, then any other lab that names this chapter.
    const mine = labs.filter((l) => l.id === chapter.data.lab || l.data.chapter === chapter.data.number).sort((a, b) => Number(b.id === chapter.data.lab) - Number(a.id === chapter.data.lab));
    return { chapter, href: chapterHref(chapter), labs: mine.map((lab) => ({ lab, href: labHref(lab.id) })) };
  });
}
