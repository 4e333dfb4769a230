import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/env.js';
import { embeddedDbPath, openStorage } from '../../src/storage/open.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openStorage', () => {
  it('embedded: a DuckDB file under WORKER_DATA_DIR, directory created', async () => {
    const config = loadConfig({ STORAGE_BACKEND: 'embedded', WORKER_DATA_DIR: join(dir, 'nested', 'data'), PUSH_AUTH: 'off' });
    const storage = await openStorage(config);
    try {
      expect(storage.kind).toBe('duckdb');
      expect(storage.location).toBe(embeddedDbPath(config));
      expect(existsSync(embeddedDbPath(config))).toBe(true);
    } finally {
      await storage.close();
    }
  });

  it('bigquery: built from GCP_PROJECT_ID without contacting anything', async () => {
    const config = loadConfig({
      STORAGE_BACKEND: 'bigquery',
      GCP_PROJECT_ID: 'pw-test',
      BIGQUERY_API_ENDPOINT: 'http://127.0.0.1:1',
      PUSH_AUTH: 'off',
      CATBOOST_V9_MODEL_PATH: 'gs://models/champion.cbm',
      BIGQUERY_DATASET: 'pw_rows',
    });
    const storage = await openStorage(config);
    expect(storage.kind).toBe('bigquery');
    expect(storage.location).toContain('pw-test');
    // dataset names come from configuration: the worker's tables in BIGQUERY_DATASET, inputs upstream
    expect(storage.location).toBe('bigquery:pw-test (nba_predictions, pw_rows, nba_analytics)');
    await storage.close();
  });
});
