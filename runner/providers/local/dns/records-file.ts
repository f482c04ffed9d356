/**
 * @module
 * The DNS server's view of the records file the daemon writes (snapshot-file.ts): the latest
 * snapshot that parsed, an empty cluster until one has.
 */
import { watchSnapshotFile, type SnapshotFile, type WatchOptions } from '../snapshot-file.ts';
import { emptyRecords, parseRecords, type DnsRecords } from './records.ts';

export type RecordsFile = SnapshotFile<DnsRecords>;

export function watchRecordsFile(file: string, opts: WatchOptions<DnsRecords> = {}): Promise<RecordsFile> {
  return watchSnapshotFile(file, parseRecords, emptyRecords(), opts);
}
