/**
 * `nba_predictions.worker_write_check`: the embedded store's active write check for /ready
 * (issue 7, class 8). One row per check id, upserted in place on every check, so the table never
 * grows: the write reaches the database file (its write-ahead log) like a prediction does, and a
 * full disk or an unwritable file makes the check fail before any push does. Embedded only
 * (EMBEDDED_ONLY_TABLES in index.ts): BigQuery's check is a permission test that writes nothing
 * (storage/bigquery/write-check.ts).
 */
import { col, defineTable, type RowOf } from './define.js';

export const workerWriteCheckTable = defineTable({
  dataset: 'nba_predictions',
  name: 'worker_write_check',
  description: 'One row per write-check id, overwritten by every /ready write check of the embedded store.',
  columns: {
    check_id: col.string('Which check wrote it (the worker uses one fixed id, so the table holds one row)'),
    checked_at: col.timestamp('When the check last wrote'),
  },
  key: ['check_id'],
});

export type WorkerWriteCheckRow = RowOf<typeof workerWriteCheckTable>;
