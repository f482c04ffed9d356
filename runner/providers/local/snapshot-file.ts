/**
 * @module
 * Keeps the latest good snapshot of a file the daemon writes for processes in pods (the DNS
 * server's records, the ingress controller's table). The daemon replaces the file by
 * writing a temporary file and renaming it over, so the directory is watched (a watch
 * on the file would follow the old inode), and the path is read afresh each time.
 * A file that is missing, half written or invalid leaves the last good snapshot in
 * place: a slow write must not make what the pod serves disappear.
 *
 * inotify can miss changes (some overlay and bind-mount setups), so a once-a-second
 * stat of the file backs the watch up.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

export interface SnapshotFile<T> {
  /** The latest snapshot that parsed; `empty` until one has. */
  current(): T;
  close(): void;
}

export interface WatchOptions<T> {
  /** A snapshot was loaded. */
  onLoad?(snapshot: T): void;
  /** A read failed; the previous snapshot stays. */
  onError?(err: Error): void;
  pollMs?: number;
}

const DEBOUNCE_MS = 20;

/** `parse` turns the file's text into a snapshot, or throws; `empty` is what there is before. */
export async function watchSnapshotFile<T>(file: string, parse: (text: string) => T, empty: T, opts: WatchOptions<T> = {}): Promise<SnapshotFile<T>> {
  let snapshot = empty;
  let loadedKey = '';
  let timer: NodeJS.Timeout | undefined;
  let reading: Promise<void> = Promise.resolve();
  let closed = false;

  // The key of what is on disk now: a rename changes the inode, a rewrite the mtime or size.
  const keyOf = async () => {
    const s = await stat(file).catch(() => undefined);
    return s ? `${s.ino}:${s.mtimeMs}:${s.size}` : '';
  };

  const load = async () => {
    const key = await keyOf();
    try {
      const next = parse(await readFile(file, 'utf8'));
      snapshot = next;
      loadedKey = key;
      opts.onLoad?.(next);
    } catch (err) {
      // Remember the key anyway, so the poll does not report one bad write every second.
      loadedKey = key;
      opts.onError?.(err as Error);
    }
  };
  const reload = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (!closed) reading = reading.then(load);
    }, DEBOUNCE_MS);
  };

  await load();

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(file), { persistent: false }, (_event, name) => {
      if (name === null || name === basename(file)) reload();
    });
    watcher.on('error', () => watcher?.close());
  } catch (err) {
    opts.onError?.(err as Error); // no directory yet: the poll finds the file when it appears
  }
  const poll = setInterval(() => {
    void keyOf().then((key) => {
      if (key !== loadedKey && key !== '') reload();
    });
  }, opts.pollMs ?? 1000);
  poll.unref();

  return {
    current: () => snapshot,
    close: () => {
      closed = true;
      clearTimeout(timer);
      clearInterval(poll);
      watcher?.close();
    },
  };
}
