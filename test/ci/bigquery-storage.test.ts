/**
 * The storage contract against goccy/bigquery-emulator (started by .ci/services.sh, which exports
 * BIGQUERY_EMULATOR_ENDPOINT and BIGQUERY_EMULATOR_PROJECT). Fails when CI=true and the emulator
 * is missing; skips with a message otherwise. No Google host is contacted: the client gets the
 * emulator endpoint, an explicit project and an auth client that adds no headers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { bigQueryClient, createBigQueryStorage } from '../../src/storage/bigquery/index.js';
import { runStorageContract } from '../../src/storage/storage.contract.js';
import { ALL_TABLES, playerPropPredictionsTable } from '../../src/storage/tables/index.js';
import { DEFAULT_DATASETS, datasetOf } from '../../src/storage/bigquery/datasets.js';
import { SAMPLE_DATE, samplePredictionRow } from '../../src/storage/sample-rows.js';

process.env.METADATA_SERVER_DETECTION = 'none';
process.env.GCE_METADATA_HOST = '127.0.0.1:1';

const endpoint = process.env.BIGQUERY_EMULATOR_ENDPOINT;
const projectId = process.env.BIGQUERY_EMULATOR_PROJECT ?? 'pw-test';
// The contract writes features and box scores too: allowed here, refused by default (input tables).
const options = { projectId, apiEndpoint: endpoint, location: 'US', maxRetries: 0, partitioning: true, allowInputWrites: true };

if (!endpoint && process.env.CI === 'true') {
  it('bigquery-emulator is running', () => {
    expect.fail('BIGQUERY_EMULATOR_ENDPOINT is not set: start it with `source .ci/services.sh && start_bigquery_emulator`');
  });
} else if (!endpoint) {
  it.skip('bigquery storage contract [skipped: BIGQUERY_EMULATOR_ENDPOINT unset; see .ci/services.sh]', () => {});
} else {
  beforeAll(async () => {
    await createBigQueryStorage(options).ensureTables();
  });

  /** A fresh storage over empty tables (one emulator per run: rows are deleted, not datasets). */
  async function fresh() {
    const client = bigQueryClient(options);
    for (const t of ALL_TABLES) await client.query(`DELETE FROM \`${projectId}.${datasetOf(t, DEFAULT_DATASETS)}.${t.name}\` WHERE TRUE`);
    return createBigQueryStorage(options);
  }

  runStorageContract({ name: 'bigquery (goccy/bigquery-emulator)', create: fresh });

  describe('bigquery specifics', () => {
    it('ensureTables is idempotent', async () => {
      const storage = createBigQueryStorage(options);
      await storage.ensureTables();
      await storage.ensureTables();
    });

    it('a duplicate that slips past insertId is hidden by read-side dedup', async () => {
      const storage = await fresh();
      const row = samplePredictionRow();
      // Insert the same prediction twice WITHOUT insertId (as if best-effort dedup missed it).
      const table = bigQueryClient(options).dataset(datasetOf(playerPropPredictionsTable, DEFAULT_DATASETS)).table(playerPropPredictionsTable.name);
      await table.insert([{ json: row }, { json: row }], { raw: true });
      expect(await storage.predictions.allPredictions(SAMPLE_DATE)).toEqual([row]);
      expect(await storage.predictions.currentPredictions(SAMPLE_DATE)).toEqual([row]);
    });
  });
}
