/**
 * @module storage/duckdb/write-check-store
 * The embedded store's active write check (Storage.checkWrite, issue 7, class 8): one upsert of
 * the single `worker_write_check` row through the same write queue and commit as every
 * prediction. The commit reaches the database's write-ahead log on disk, so a full disk, a
 * read-only file or a WAL that cannot be written fails here (PW_ERR_SINK_WRITE) before any push
 * does. The table keeps one row whatever the number of checks.
 */
import { workerWriteCheckTable } from '../tables/index.js';
import type { WriteQueue } from './write-queue.js';
import type { BufferedWrites } from './buffered-writes.js';

/** The one check id the worker writes under. */
export const WRITE_CHECK_ID = 'ready';

/**
 * `checkWrite` over the write queue; `now` gives the stored `checked_at`. With an ingest log, the
 * check first fails while a batch is failing to apply (its PW_ERR_SINK_WRITE), then writes and
 * syncs an empty record to the log (every push depends on it).
 */
export function duckDbWriteCheck(writes: WriteQueue, log?: Pick<BufferedWrites, 'checkHealth'>, now: () => Date = () => new Date()): () => Promise<void> {
  return async () => {
    await log?.checkHealth();
    await writes.upsert(workerWriteCheckTable, [{ check_id: WRITE_CHECK_ID, checked_at: now().toISOString() }]);
  };
}
