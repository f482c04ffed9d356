/**
 * @module
 * Splits a step's Markdown into prose and fenced code blocks, so each code block can carry
 * its own "Run in terminal" and "Copy" buttons while the prose is rendered as usual.
 */
export type RawSegment = { kind: 'markdown'; text: string } | { kind: 'code'; lang: string; text: string };

const FENCE = /^```([\w-]*)[^\n]*\n([\s\S]*?)^```[ \t]*$/gm;

export function splitSegments(markdown: string): RawSegment[] {
  const out: RawSegment[] = [];
  let last = 0;
  for (const m of markdown.matchAll(FENCE)) {
    const before = markdown.slice(last, m.index);
    if (before.trim()) out.push({ kind: 'markdown', text: before });
    out.push({ kind: 'code', lang: m[1] || 'sh', text: (m[2] ?? '').replace(/\n$/, '') });
    last = m.index + m[0].length;
  }
  const rest = markdown.slice(last);
  if (rest.trim()) out.push({ kind: 'markdown', text: rest });
  return out;
}
