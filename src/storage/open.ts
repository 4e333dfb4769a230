/**
 * @module storage/open
 * Entry points call `openStorage(config)` once and pass the Storage down. `embedded` (default)
 * opens `${WORKER_DATA_DIR}/prediction-worker.duckdb`; `bigquery` uses GCP_PROJECT_ID,
 * BIGQUERY_LOCATION, the BIGQUERY_*DATASET names and, for emulators, BIGQUERY_API_ENDPOINT. Either is wrapped in
 * `validatedStorage` (validated.ts): no row is written that its table schema would refuse on read.
 */
import { join } from 'node:path';
import type { Config } from '../../config/env.js';
import { pwError, type PwError } from '../errors.js';
import { datasetNamesFromConfig } from './bigquery/datasets.js';
import type { Storage } from './storage.js';
import { validatedStorage } from './validated.js';

export const EMBEDDED_DB_FILE = 'prediction-worker.duckdb';

/** Where the embedded database lives for a config. */
export function embeddedDbPath(config: Pick<Config, 'WORKER_DATA_DIR'>): string {
  return join(config.WORKER_DATA_DIR, EMBEDDED_DB_FILE);
}

/**
 * Open the configured backend. `thread` (the serving worker passes EMBEDDED_STORAGE_THREAD) runs
 * the embedded database on a storage thread of its own (duckdb/storage-thread.ts), and `onLost` is
 * called once if that thread dies (StorageThreadHooks); BigQuery ignores both.
 * Throws the backend's open errors (PW_ERR_DB_LOCKED, PW_ERR_STORAGE_READ, PW_ERR_CONFIG).
 *
 * Each backend's modules are imported only when it is the one configured: the BigQuery client is
 * never loaded by an embedded worker, and neither is DuckDB's native library by a BigQuery one,
 * nor by the event loop of a worker whose DuckDB runs on the storage thread (the thread loads it).
 * RSS after opening: embedded 162 → 153 MB, BigQuery 107 → 90 MB (docs/worker.md, "Memory").
 */
export async function openStorage(
  config: Config,
  opts: { readOnly?: boolean; thread?: boolean; onLost?: ((err: PwError) => void) | undefined } = {},
): Promise<Storage> {
  if (config.STORAGE_BACKEND === 'embedded') {
    const options = { path: embeddedDbPath(config), readOnly: opts.readOnly };
    if (opts.thread) {
      const { openDuckDbStorageThread } = await import('./duckdb/storage-thread.js');
      return validatedStorage(await openDuckDbStorageThread(options, { onLost: opts.onLost }));
    }
    const { openDuckDbStorage } = await import('./duckdb/duckdb-storage.js');
    return validatedStorage(await openDuckDbStorage(options));
  }
  if (!config.GCP_PROJECT_ID) throw pwError('PW_ERR_CONFIG', 'GCP_PROJECT_ID is required when STORAGE_BACKEND=bigquery');
  const { createBigQueryStorage } = await import('./bigquery/index.js');
  // Read-only is a caller's promise here: BigQuery has no file lock to respect.
  return validatedStorage(
    createBigQueryStorage({
      projectId: config.GCP_PROJECT_ID,
      location: config.BIGQUERY_LOCATION,
      apiEndpoint: config.BIGQUERY_API_ENDPOINT,
      datasets: datasetNamesFromConfig(config),
      partitionExpirationDays: config.BIGQUERY_PARTITION_EXPIRATION_DAYS,
      allowInputWrites: config.BIGQUERY_WRITE_INPUTS,
    }),
  );
}
