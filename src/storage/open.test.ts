import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'pw-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Open a backend in a fresh process and report which backend packages its main thread loaded
 * (both are CommonJS, so an import lands in require.cache; a worker thread has its own).
 */
function packagesLoaded(env: Record<string, string>, thread: boolean): { bigquery: boolean; duckdb: boolean } {
  const open = pathToFileURL(join(import.meta.dirname, 'open.ts')).href;
  const envModule = pathToFileURL(join(import.meta.dirname, '../../config/env.ts')).href;
  const script = `
    import { writeSync } from 'node:fs';
    import { createRequire } from 'node:module';
    const { loadConfig } = await import(${JSON.stringify(envModule)});
    const { openStorage } = await import(${JSON.stringify(open)});
    const storage = await openStorage(loadConfig({ PUSH_AUTH: 'off', ...${JSON.stringify(env)} }), { thread: ${thread} });
    const cached = Object.keys(createRequire(import.meta.url).cache);
    const has = (name) => cached.some((p) => p.includes('/node_modules/' + name + '/'));
    writeSync(1, JSON.stringify({ bigquery: has('@google-cloud/bigquery'), duckdb: has('@duckdb/node-api') }) + '\\n');
    if (storage.kind === 'duckdb') await storage.close();
    process.exit(0);
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: join(import.meta.dirname, '../..') });
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { bigquery: boolean; duckdb: boolean };
}

describe('openStorage loads only the configured backend', () => {
  it('embedded on a storage thread: neither the BigQuery client nor DuckDB on the event loop', () => {
    expect(packagesLoaded({ STORAGE_BACKEND: 'embedded', WORKER_DATA_DIR: join(dir, 'thread') }, true)).toEqual({ bigquery: false, duckdb: false });
  });

  it('embedded on the calling thread: DuckDB, not the BigQuery client', () => {
    expect(packagesLoaded({ STORAGE_BACKEND: 'embedded', WORKER_DATA_DIR: join(dir, 'inline') }, false)).toEqual({ bigquery: false, duckdb: true });
  });

  it('BigQuery: the client, not DuckDB (nothing is requested: the endpoint is a closed local port)', () => {
    const env = { STORAGE_BACKEND: 'bigquery', GCP_PROJECT_ID: 'pw-test', BIGQUERY_API_ENDPOINT: 'http://127.0.0.1:9' };
    expect(packagesLoaded(env, false)).toEqual({ bigquery: true, duckdb: false });
  });
});
