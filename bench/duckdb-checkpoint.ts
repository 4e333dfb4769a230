/**
 * bench/duckdb-checkpoint.ts — what a DuckDB checkpoint does to the writer, without the worker:
 * batches of 96 messages (6 prediction rows with a 1 KB features snapshot + 1 outcome each) are
 * appended and committed one after another on one connection (the storage's tables, their primary
 * keys, an appender flushed once per batch, as table-writer.ts does), and each slow batch (> 100 ms)
 * is printed with its steps: BEGIN, append + flush (a SYNCHRONOUS call in the Node binding), COMMIT.
 *
 *   auto  DuckDB's automatic checkpoint (checkpoint_threshold, default 256MB as the worker sets it)
 *   side  automatic checkpoints off; `CHECKPOINT` on a second connection whenever the WAL passes
 *         64 MB, while the writer goes on
 *
 * Usage: npx tsx bench/duckdb-checkpoint.ts [auto|side] [--batches 1000] [--threshold 256MB]
 * Prints the slow batches, the checkpoints (side) and p50/p99/max of a batch; writes nothing.
 */
import { DuckDBDataChunk, DuckDBInstance, type DuckDBAppender } from '@duckdb/node-api';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DUCKDB_FILE_MEMORY_LIMIT, DUCKDB_FILE_THREADS } from '../src/storage/duckdb/duckdb-storage.js';
import { columnsOf, paramType, toParam } from '../src/storage/duckdb/values.js';
import { samplePredictionRow, sampleOutcomeRow } from '../src/storage/sample-rows.js';
import { duckDbDdl, playerPropPredictionsTable, requestOutcomesTable, type AnyTable } from '../src/storage/tables/index.js';
import { V9_FEATURE_NAMES } from '../src/features/contract.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : dflt);
const mode = args[0] === 'side' ? 'side' : 'auto';
const batches = Number(opt('--batches', '1000'));
const dir = mkdtempSync(join(tmpdir(), 'pw-bench-checkpoint-'));
const file = join(dir, 'bench.duckdb');
const instance = await DuckDBInstance.create(file, {
  memory_limit: DUCKDB_FILE_MEMORY_LIMIT, threads: DUCKDB_FILE_THREADS, checkpoint_threshold: mode === 'auto' ? opt('--threshold', '256MB') : '100GB',
});
const writer = await instance.connect();
const checkpointer = await instance.connect();
const tables = [playerPropPredictionsTable, requestOutcomesTable] as AnyTable[];
for (const t of tables) await writer.run(duckDbDdl(t));

const appenders = new Map<AnyTable, DuckDBAppender>();
async function append(table: AnyTable, rows: Record<string, unknown>[]): Promise<void> {
  const appender = appenders.get(table) ?? (await writer.createAppender(table.name, table.dataset));
  appenders.set(table, appender);
  const cols = columnsOf(table);
  const chunk = DuckDBDataChunk.create(cols.map(([, c]) => paramType(c)));
  chunk.rowCount = rows.length;
  chunk.setColumns(cols.map(([name, c]) => rows.map((r) => (c.type === 'INT64' && r[name] != null ? BigInt(r[name] as number) : toParam(c, r[name])))));
  appender.appendDataChunk(chunk);
  appender.flushSync();
}

const snapshot = JSON.stringify(Object.fromEntries(V9_FEATURE_NAMES.map((n, i) => [n, Math.round(i * 137.13) / 100])));
const walMb = () => (existsSync(`${file}.wal`) ? statSync(`${file}.wal`).size / 2 ** 20 : 0);
const took: number[] = [];
const checkpoints: string[] = [];
let running = false;
let seq = 0;
for (let b = 0; b < batches; b++) {
  const preds: Record<string, unknown>[] = [];
  const outs: Record<string, unknown>[] = [];
  for (let m = 0; m < 96; m++, seq++) {
    for (let i = 0; i < 6; i++) preds.push(samplePredictionRow({ prediction_id: `${seq}_${i}`.padStart(32, '0'), system_id: `system_${i}`, message_id: `m${seq}`, features_snapshot: snapshot }));
    outs.push(sampleOutcomeRow({ message_id: `m${seq}` }));
  }
  const t0 = performance.now();
  await writer.run('BEGIN TRANSACTION');
  const t1 = performance.now();
  await append(playerPropPredictionsTable, preds);
  await append(requestOutcomesTable, outs);
  const t2 = performance.now();
  await writer.run('COMMIT');
  const t3 = performance.now();
  took.push(t3 - t0);
  if (t3 - t0 > 100) console.log(`batch ${b}: ${(t3 - t0).toFixed(0)} ms (BEGIN ${(t1 - t0).toFixed(0)}, append + flush ${(t2 - t1).toFixed(0)}, COMMIT ${(t3 - t2).toFixed(0)})`);
  if (mode === 'side' && !running && walMb() > 64) {
    running = true;
    const c0 = performance.now();
    checkpointer.run('CHECKPOINT').then(
      () => checkpoints.push(`checkpoint from batch ${b}: ${(performance.now() - c0).toFixed(0)} ms`),
      (err: Error) => checkpoints.push(`checkpoint from batch ${b} failed: ${err.message}`),
    ).finally(() => (running = false));
  }
  await new Promise((r) => setTimeout(r, 5)); // the worker applies a batch at most every few ms
}
while (running) await new Promise((r) => setTimeout(r, 20));
const sorted = [...took].sort((a, b) => a - b);
const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
console.log(checkpoints.join('\n'));
console.log(`${mode}: ${batches} batches of 96 messages (${seq * 6} prediction rows); a batch p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`);
writer.closeSync();
checkpointer.closeSync();
instance.closeSync();
rmSync(dir, { recursive: true, force: true });
