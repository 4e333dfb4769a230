/**
 * bench/duckdb-checkpoint.ts — what a DuckDB checkpoint does to the writer, without the worker:
 * batches of 96 messages (6 prediction rows with a features snapshot + 1 outcome each) applied one
 * after another through the storage's own TableWriter.commitAppend (one transaction, slices of
 * APPEND_SLICE_ROWS, the binding's synchronous appender flush, COMMIT), as the storage thread
 * applies a batch. It prints each slow batch (> 100 ms), and the event loop's longest block
 * (perf_hooks.monitorEventLoopDelay): on the storage thread, a blocked event loop means no push
 * can be logged or acknowledged meanwhile.
 *
 *   auto  DuckDB's automatic checkpoint (checkpoint_threshold, 256MB as the worker sets it), which
 *         runs inside the asynchronous COMMIT
 *   side  automatic checkpoints off; `CHECKPOINT` on a second connection whenever the WAL passes
 *         64 MB, while the writer goes on
 *
 * Usage: npx tsx bench/duckdb-checkpoint.ts [auto|side] [--batches 1000] [--threshold 256MB]
 * Prints the slow batches, the checkpoints (side), p50/p99/max of a batch and the event loop's
 * longest block; writes nothing.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DUCKDB_FILE_MEMORY_LIMIT, DUCKDB_FILE_THREADS } from '../src/storage/duckdb/duckdb-storage.js';
import { TableWriter } from '../src/storage/duckdb/table-writer.js';
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
const connection = await instance.connect();
const checkpointer = await instance.connect();
for (const t of [playerPropPredictionsTable, requestOutcomesTable] as AnyTable[]) await connection.run(duckDbDdl(t));
const writer = new TableWriter(instance, connection);

const snapshot = JSON.stringify(Object.fromEntries(V9_FEATURE_NAMES.map((n, i) => [n, Math.round(i * 137.13) / 100])));
const walMb = () => (existsSync(`${file}.wal`) ? statSync(`${file}.wal`).size / 2 ** 20 : 0);
const took: number[] = [];
const checkpoints: string[] = [];
let running = false;
let seq = 0;
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
for (let b = 0; b < batches; b++) {
  const preds: Record<string, unknown>[] = [];
  const outs: Record<string, unknown>[] = [];
  for (let m = 0; m < 96; m++, seq++) {
    for (let i = 0; i < 6; i++) preds.push(samplePredictionRow({ prediction_id: `${seq}_${i}`.padStart(32, '0'), system_id: `system_${i}`, message_id: `m${seq}`, features_snapshot: snapshot }));
    outs.push(sampleOutcomeRow({ message_id: `m${seq}` }));
  }
  const t0 = performance.now();
  await writer.commitAppend(new Map<AnyTable, Record<string, unknown>[]>([[playerPropPredictionsTable, preds], [requestOutcomesTable, outs]]));
  took.push(performance.now() - t0);
  if (took.at(-1)! > 100) console.log(`batch ${b}: ${took.at(-1)!.toFixed(0)} ms`);
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
loop.disable();
const sorted = [...took].sort((a, b) => a - b);
const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
console.log(checkpoints.join('\n'));
console.log(`${mode}: ${batches} batches of 96 messages (${seq * 6} prediction rows); a batch p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`);
console.log(`longest event-loop block: ${(loop.max / 1e6).toFixed(0)} ms`);
connection.closeSync();
checkpointer.closeSync();
instance.closeSync();
rmSync(dir, { recursive: true, force: true });
