/**
 * DuckDB's append path alone, as the storage thread applies a batch (table-writer.ts): per
 * transaction, building one data chunk of N prediction rows in JavaScript, appending it, the
 * appender's flush, and the COMMIT, over a DuckDB file with the worker's settings. Wall-clock ms
 * per transaction (the build, append and flush are synchronous calls on the calling thread),
 * for N = 6 (one message) up to 600 (a large batch). Why APPEND_SLICE_ROWS exists: bench/README.md.
 * Usage: npx tsx bench/duckdb-append.ts
 */
import { DuckDBDataChunk, DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { V9_FEATURE_NAMES } from '../src/features/contract.js';
import { DUCKDB_CHECKPOINT_THRESHOLD, DUCKDB_FILE_MEMORY_LIMIT, DUCKDB_FILE_THREADS } from '../src/storage/duckdb/duckdb-storage.js';
import { columnsOf, paramType, toParam } from '../src/storage/duckdb/values.js';
import { samplePredictionRow } from '../src/storage/sample-rows.js';
import { duckDbDdl, playerPropPredictionsTable as table } from '../src/storage/tables/index.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-bench-append-'));
const instance = await DuckDBInstance.create(join(dir, 'bench.duckdb'), {
  memory_limit: DUCKDB_FILE_MEMORY_LIMIT,
  checkpoint_threshold: DUCKDB_CHECKPOINT_THRESHOLD,
  threads: DUCKDB_FILE_THREADS,
});
const conn = await instance.connect();
await conn.run(duckDbDdl(table));
const snapshot = JSON.stringify(Object.fromEntries(V9_FEATURE_NAMES.map((n, i) => [n, i * 1.37 + 0.5])));
const columns = columnsOf(table);
const chunk = DuckDBDataChunk.create(columns.map(([, c]) => paramType(c)));
const appender = await conn.createAppender(table.name, table.dataset);

let seq = 0;
console.log('| rows per transaction | build ms | append ms | flush ms | flush µs/row | commit ms |');
console.log('|---:|---:|---:|---:|---:|---:|');
for (const n of [6, 32, 96, 312, 600]) {
  const t = { build: 0, append: 0, flush: 0, commit: 0 };
  const reps = Math.max(10, Math.round(6000 / n));
  for (let r = 0; r < reps; r++) {
    const rows = Array.from({ length: n }, () => samplePredictionRow({ prediction_id: `${seq++}`.padStart(32, '0'), features_snapshot: snapshot }));
    await conn.run('BEGIN TRANSACTION');
    let at = performance.now();
    chunk.reset();
    chunk.rowCount = n;
    chunk.setColumns(columns.map(([name, c]) => rows.map((row) => toParam(c, (row as Record<string, unknown>)[name]))));
    t.build += performance.now() - at;
    at = performance.now();
    appender.appendDataChunk(chunk);
    t.append += performance.now() - at;
    at = performance.now();
    appender.flushSync();
    t.flush += performance.now() - at;
    at = performance.now();
    await conn.run('COMMIT');
    t.commit += performance.now() - at;
  }
  const ms = (v: number) => (v / reps).toFixed(2);
  console.log(`| ${n} | ${ms(t.build)} | ${ms(t.append)} | ${ms(t.flush)} | ${((1000 * t.flush) / reps / n).toFixed(1)} | ${ms(t.commit)} |`);
}
appender.closeSync();
conn.closeSync();
instance.closeSync();
rmSync(dir, { recursive: true, force: true });
