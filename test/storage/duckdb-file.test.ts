/**
 * The embedded database on disk: one read-write process per file (a second one gets
 * PW_ERR_DB_LOCKED with a message that says what to do), data survives a reopen, and a file
 * from an older build gains the columns added since.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { openDuckDbStorage } from '../../src/storage/duckdb/index.js';
import { SAMPLE_DATE, sampleAccuracyRow, samplePredictionRow } from '../../src/storage/sample-rows.js';
import { duckDbDdl, predictionAccuracyTable, type AnyTable } from '../../src/storage/tables/index.js';
import { columnsOf } from '../../src/storage/duckdb/values.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'pw-duckdb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The table as an older build defined it: without one column. */
function without(table: AnyTable, column: string): AnyTable {
  return { ...table, columns: Object.fromEntries(Object.entries(table.columns).filter(([n]) => n !== column)) };
}

async function openInChild(path: string, mode: 'read-write' | 'read-only') {
  const child = join(import.meta.dirname, 'open-duckdb-child.ts');
  const { stdout } = await run(process.execPath, ['--import', 'tsx', child, path, mode], { timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { ok: boolean; code?: string; message?: string };
}

describe('duckdb file storage', () => {
  it('a second process opening a held file gets PW_ERR_DB_LOCKED naming the file and the way out', async () => {
    const path = join(dir, 'locked', 'prediction-worker.duckdb');
    const holder = await openDuckDbStorage({ path }); // creates the directory too
    try {
      for (const mode of ['read-write', 'read-only'] as const) {
        const result = await openInChild(path, mode);
        expect(result.ok).toBe(false);
        expect(result.code).toBe('PW_ERR_DB_LOCKED');
        expect(result.message).toContain(path);
        expect(result.message).toMatch(/process \d+ holds it/);
        expect(result.message).toMatch(/HTTP endpoints/);
      }
    } finally {
      await holder.close();
    }
    // Released on close: the next process may open it.
    expect(await openInChild(path, 'read-write')).toEqual({ ok: true });
  });

  it('rows survive close and reopen, and a read-only open reads them', async () => {
    const path = join(dir, 'reopen.duckdb');
    const row = samplePredictionRow();
    const first = await openDuckDbStorage({ path });
    await first.predictions.write([row]);
    await first.close();
    const reader = await openDuckDbStorage({ path, readOnly: true });
    try {
      expect(await reader.predictions.currentPredictions(SAMPLE_DATE)).toEqual([row]);
      await expect(reader.predictions.write([row])).rejects.toMatchObject({ code: 'PW_ERR_SINK_WRITE' });
    } finally {
      await reader.close();
    }
  });

  it('a file from an older build gains the nullable columns added since', async () => {
    const path = join(dir, 'old.duckdb');
    const table = predictionAccuracyTable;
    const added = columnsOf(table).find(([, c]) => c.mode !== 'REQUIRED')![0];
    const old = await DuckDBInstance.create(path);
    const conn = await old.connect();
    await conn.run(duckDbDdl(without(table, added)));
    conn.closeSync();
    old.closeSync();

    const storage = await openDuckDbStorage({ path });
    try {
      const row = sampleAccuracyRow({ [added]: null });
      await storage.accuracy.replaceDate(SAMPLE_DATE, [row]);
      expect(await storage.accuracy.forRange(SAMPLE_DATE, SAMPLE_DATE)).toEqual([row]);
    } finally {
      await storage.close();
    }
  });

  it('a file lacking a required column is refused with what to do', async () => {
    const path = join(dir, 'older.duckdb');
    const table = predictionAccuracyTable;
    const [required] = columnsOf(table).find(([n, c]) => c.mode === 'REQUIRED' && !(table.key as readonly string[]).includes(n))!;
    const old = await DuckDBInstance.create(path);
    const conn = await old.connect();
    await conn.run(duckDbDdl(without(table, required)));
    conn.closeSync();
    old.closeSync();
    await expect(openDuckDbStorage({ path })).rejects.toThrow(new RegExp(`lacks the required column ${required}; move the file aside`));
  });
});
