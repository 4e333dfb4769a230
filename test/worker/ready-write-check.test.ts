/**
 * Issue 7, class 8: /ready reflects the write path BEFORE any push fails. Real DuckDB files: one
 * whose write-ahead log cannot be written (its path is a symlink to /dev/full, so every write
 * gets ENOSPC exactly like a full disk, while reads and ping still work), and a healthy one whose
 * check must reach the file yet leave a single row behind.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { openDuckDbStorage } from '../../src/storage/duckdb/index.js';
import { workerWriteCheckTable } from '../../src/storage/tables/index.js';
import type { Storage } from '../../src/storage/storage.js';
import { buildApp } from '../../src/worker/app.js';
import { HAVE_FIXTURES, SKIP_REASON, loadFixtureModelSet, pushBody, request, testConfig } from './helper.js';
import { DuckDBInstance } from '@duckdb/node-api';

const dir = mkdtempSync(join(tmpdir(), 'pw-ready-write-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A created, migrated and cleanly closed file (no WAL left), reopened read-write. */
async function reopened(name: string): Promise<{ path: string; storage: Storage }> {
  const path = join(dir, name, 'prediction-worker.duckdb');
  await (await openDuckDbStorage({ path })).close();
  expect(readdirSync(join(dir, name))).toEqual(['prediction-worker.duckdb']);
  return { path, storage: await openDuckDbStorage({ path }) };
}

async function appOver(storage: Storage) {
  const app = buildApp({ config: testConfig(), storage, modelSet: await loadFixtureModelSet() });
  onTestFinished(() => app.close().catch(() => undefined));
  await app.ready();
  return app;
}

describe.skipIf(!HAVE_FIXTURES)(`/ready and the write path (${HAVE_FIXTURES ? 'fixtures found' : SKIP_REASON})`, () => {
  it.skipIf(!existsSync('/dev/full'))('a store that can read but not write is not ready, before any push was tried', async () => {
    const { path, storage } = await reopened('full');
    // Every write from now on hits a full device; reads are untouched.
    symlinkSync('/dev/full', `${path}.wal`);
    const app = await appOver(storage);
    await expect(storage.ping()).resolves.toBeUndefined(); // what /ready alone used to look at
    const res = await app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(503);
    const body = res.json() as { status: string; reasons: string[] };
    expect(body.status).toBe('not_ready');
    expect(body.reasons).toHaveLength(1);
    expect(body.reasons[0]).toMatch(/^storage duckdb write failed at .*No space left on device/);
  });

  it.skipIf(!existsSync('/dev/full'))(
    'a push acknowledged before the disk filled stays in the ingest log; once its batch cannot be applied, pushes and /ready get 503',
    async () => {
      const { path, storage } = await reopened('full-later');
      symlinkSync('/dev/full', `${path}.wal`);
      const app = await appOver(storage);
      const push = (id: string) => app.inject({ method: 'POST', url: '/predict', payload: pushBody(request('nobody', '2099-01-01'), { messageId: id }), headers: { 'content-type': 'application/json' } });
      expect((await push('before')).statusCode).toBe(200); // recorded (a date too far ahead): durable in the log
      expect(readdirSync(`${path}.ingest`).length).toBeGreaterThan(0);
      // The batch is applied within INGEST_MAX_DELAY_MS and fails on the full WAL: new pushes are refused, retryably.
      await vi.waitFor(async () => expect((await push('after')).statusCode).toBe(503), { timeout: 5000 });
      const ready = await app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect((ready.json() as { reasons: string[] }).reasons.join(' ')).toMatch(/No space left on device/);
      expect(readdirSync(`${path}.ingest`).length).toBeGreaterThan(0); // the acknowledged push is still on disk
    },
  );

  it('a writable store is ready; the check reaches the file and leaves one row however often it runs', async () => {
    const { path, storage } = await reopened('ok');
    const app = await appOver(storage);
    for (let i = 0; i < 3; i++) expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    // Direct checks bypass /ready's cache: still one row.
    await app.storage.checkWrite();
    await app.storage.checkWrite();
    await app.close();
    // Read the closed file: the check's row is on disk, once.
    const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
    const conn = await instance.connect();
    const rows = (await conn.runAndReadAll(`SELECT check_id FROM ${workerWriteCheckTable.dataset}.${workerWriteCheckTable.name}`)).getRowObjectsJS();
    conn.closeSync();
    instance.closeSync();
    expect(rows).toEqual([{ check_id: 'ready' }]);
  });
});
