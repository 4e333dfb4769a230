/**
 * Embedded (DuckDB) write latency: one `predictions.write` of a small batch (one message =
 * champion + challengers ≈ 6 rows), the hot path of every push. Sequential and concurrent.
 * Usage: npx tsx bench/storage-write.ts [--file] [--rows 6] [--n 2000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDuckDbStorage } from '../src/storage/duckdb/index.js';
import { samplePredictionRow, sampleOutcomeRow } from '../src/storage/sample-rows.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const rowsPerBatch = opt('--rows', 6);
const n = opt('--n', 2000);
const dir = mkdtempSync(join(tmpdir(), 'pw-bench-'));
const path = args.includes('--file') ? join(dir, 'bench.duckdb') : ':memory:';
const storage = await openDuckDbStorage({ path });

let seq = 0;
const batch = () => {
  const m = seq++;
  return Array.from({ length: rowsPerBatch }, (_, i) =>
    samplePredictionRow({ prediction_id: `${m}_${i}`.padStart(32, '0'), system_id: `system_${i}`, player_lookup: `player${m % 500}`, message_id: `m${m}` }),
  );
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

for (let i = 0; i < 200; i++) await storage.predictions.write(batch()); // warm-up

const lat: number[] = [];
let t0 = performance.now();
for (let i = 0; i < n; i++) {
  const s = performance.now();
  await storage.predictions.write(batch());
  await storage.outcomes.record(sampleOutcomeRow({ message_id: `m${seq}` }));
  lat.push(performance.now() - s);
}
const seqSecs = (performance.now() - t0) / 1000;
console.log(`${path === ':memory:' ? 'memory' : 'file'}: sequential write(${rowsPerBatch} rows)+outcome: p50 ${pct(lat, 50).toFixed(2)} ms, p99 ${pct(lat, 99).toFixed(2)} ms, ${(n / seqSecs).toFixed(0)} msg/s`);

t0 = performance.now();
await Promise.all(Array.from({ length: n }, () => Promise.all([storage.predictions.write(batch()), storage.outcomes.record(sampleOutcomeRow({ message_id: `m${seq}` }))])));
const conSecs = (performance.now() - t0) / 1000;
console.log(`concurrent (${n} in flight): ${(n / conSecs).toFixed(0)} msg/s`);

await storage.close();
rmSync(dir, { recursive: true, force: true });
