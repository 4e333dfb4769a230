/**
 * The BigQuery storage never writes a table another system owns: the feature store and the box
 * scores are read only unless allowInputWrites (BIGQUERY_WRITE_INPUTS) is set. The refusal comes
 * before any request (the endpoint here does not exist), so it cannot be a network error.
 */
import { describe, expect, it } from 'vitest';
import { createBigQueryStorage } from './bigquery-storage.js';
import { sampleActualRow, sampleFeatureRow } from '../sample-rows.js';

process.env.METADATA_SERVER_DETECTION = 'none';
process.env.GCE_METADATA_HOST = '127.0.0.1:1';

const storage = (allowInputWrites?: boolean) =>
  createBigQueryStorage({ projectId: 'p', apiEndpoint: 'http://127.0.0.1:1', maxRetries: 0, ...(allowInputWrites === undefined ? {} : { allowInputWrites }) });

describe('input tables', () => {
  it('refuses to upsert the feature store and the box scores by default, naming the table', async () => {
    await expect(storage().features.upsert([sampleFeatureRow()])).rejects.toMatchObject({
      code: 'PW_ERR_CONFIG', // permanent: a retry cannot fix it
      retryable: false,
      message: expect.stringContaining('nba_predictions.ml_feature_store_v2 is an input table written upstream (features)'),
    });
    await expect(storage().actuals.upsert([sampleActualRow()])).rejects.toMatchObject({
      message: expect.stringContaining('nba_analytics.player_game_summary is an input table written upstream (actuals)'),
    });
  });

  it('with allowInputWrites the write is attempted (and here fails on the missing server instead)', async () => {
    await expect(storage(true).features.upsert([sampleFeatureRow()])).rejects.toMatchObject({
      code: 'PW_ERR_SINK_WRITE', // the unreachable server
      message: expect.not.stringContaining('input table'),
    });
  });
});
