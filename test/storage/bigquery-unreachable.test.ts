/**
 * BigQuery storage without a server: every failure is a retryable PwError with its cause, and no
 * credential or metadata-server lookup happens (the emulator path authorises nothing).
 */
import { describe, expect, it } from 'vitest';
import { createBigQueryStorage } from '../../src/storage/bigquery/index.js';
import { SAMPLE_DATE, sampleOutcomeRow, samplePredictionRow } from '../../src/storage/sample-rows.js';

// Anything that tried Google's metadata server would hit a closed port and fail differently.
process.env.METADATA_SERVER_DETECTION = 'none';
process.env.GCE_METADATA_HOST = '127.0.0.1:1';

describe('bigquery storage, endpoint unreachable', () => {
  const storage = createBigQueryStorage({ projectId: 'pw-test', apiEndpoint: 'http://127.0.0.1:1', location: 'US', maxRetries: 0 });

  it.each([
    ['ping', 'PW_ERR_STORAGE_READ', () => storage.ping()],
    ['predictions.write', 'PW_ERR_SINK_WRITE', () => storage.predictions.write([samplePredictionRow()])],
    ['outcomes.record', 'PW_ERR_SINK_WRITE', () => storage.outcomes.record(sampleOutcomeRow())],
    ['features.loadSlate', 'PW_ERR_FEATURE_STORE', () => storage.features.loadSlate(SAMPLE_DATE)],
    ['predictions.currentPredictions', 'PW_ERR_STORAGE_READ', () => storage.predictions.currentPredictions(SAMPLE_DATE)],
  ] as const)('%s fails with a retryable %s carrying the cause', async (_name, code, call) => {
    const err = await call().then(
      () => undefined,
      (e: unknown) => e as { code?: string; retryable?: boolean; cause?: unknown; message: string },
    );
    expect(err?.code).toBe(code);
    expect(err?.retryable).toBe(true);
    expect(err?.cause).toBeInstanceOf(Error);
    expect(String(err?.message)).toMatch(/ECONNREFUSED|connect|fetch failed/i);
  });
});
