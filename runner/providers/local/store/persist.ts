/**
 * @module
 * The store's snapshot on disk: written atomically (temp file + rename) a moment after
 * changes settle, and read back at start so a restarted cluster loses nothing.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ObjectStore, Snapshot } from './store.ts';

const FILE = 'store.json';

export function loadSnapshot(dir: string): Snapshot | undefined {
  const path = join(dir, FILE);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
}

/** Saves the store `delayMs` after the last change; returns a flush function for shutdown. */
export function persist(store: ObjectStore, dir: string, delayMs = 50): () => void {
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const tmp = join(dir, `${FILE}.tmp`);
    writeFileSync(tmp, JSON.stringify(store.snapshot()));
    renameSync(tmp, join(dir, FILE));
  };
  store.onChange = () => {
    if (!timer) timer = setTimeout(flush, delayMs);
  };
  return flush;
}
