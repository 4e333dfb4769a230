/**
 * @module storage/open
 * Entry points call `openStorage(config)` once and pass the Storage down. `embedded` (default)
 * opens `${WORKER_DATA_DIR}/prediction-worker.duckdb`; `bigquery` uses GCP_PROJECT_ID,
 * BIGQUERY_LOCATION, the BIGQUERY_*DATASET names and, for emulators, BIGQUERY_API_ENDPOINT. Either is wrapped in
 * `validatedStorage` (validated.ts): no row is written that its table schema would refuse on read.
 */
import { join } from 'node:path';
import type { Config } from '../../config/env.js';
import { pwError } from '../errors.js';
import { createBigQueryStorage } from './bigquery/index.js';
import { datasetNamesFromConfig } from './bigquery/datasets.js';
import { openDuckDbStorage } from './duckdb/index.js';
import type { Storage } from './storage.js';
import { validatedStorage } from './validated.js';

export const EMBEDDED_DB_FILE = 'prediction-worker.duckdb';

/** Where the embedded database lives for a config. */
export function embeddedDbPath(config: Pick<Config, 'WORKER_DATA_DIR'>): string {
  return join(config.WORKER_DATA_DIR, EMBEDDED_DB_FILE);
}

export async function openStorage(config: Config, opts: { readOnly?: boolean } = {}): Promise<Storage> {
  if (config.STORAGE_BACKEND === 'embedded') {
    return validatedStorage(await openDuckDbStorage({ path: embeddedDbPath(config), readOnly: opts.readOnly }));
  }
  if (!config.GCP_PROJECT_ID) throw pwError('PW_ERR_CONFIG', 'GCP_PROJECT_ID is required when STORAGE_BACKEND=bigquery');
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
