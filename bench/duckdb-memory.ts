/**
 * Memory of the embedded store alone, without HTTP or a second thread: one process opens a DuckDB
 * file with `openDuckDbStorage` (the worker's settings and ingest log), writes N six-row messages
 * (each with its outcome and a distinct features snapshot) 500 at a time, then closes it (the
 * final checkpoint). Prints RSS and its peak (/proc/self/status) before and after the close, the
 * V8 heap, and the WAL and file sizes. Deterministic enough to compare settings where
 * bench:worker's peak RSS varies by ±100 MB between identical runs (bench/README.md, "Memory").
 * Usage: node --expose-gc --max-semi-space-size=8 --max-old-space-size=512 --import tsx bench/duckdb-memory.ts [messages, default 30000]
 * (the worker's V8 flags, Dockerfile CMD)
 * Linux only (/proc).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { V9_FEATURE_NAMES } from '../src/features/contract.js';
import { openDuckDbStorage } from '../src/storage/duckdb/duckdb-storage.js';
import { samplePredictionRow, sampleOutcomeRow } from '../src/storage/sample-rows.js';

const mb = (bytes: number) => (bytes / 1048576).toFixed(0);
const statusMb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
const messages = Number(process.argv[2] ?? 30000);
const dir = mkdtempSync(join(tmpdir(), 'pw-bench-memory-'));
const path = join(dir, 'prediction-worker.duckdb');
const storage = await openDuckDbStorage({ path });

let seed = 1;
const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647; // Park–Miller: the same rows every run
for (let first = 0; first < messages; first += 500) {
  await Promise.all(
    Array.from({ length: Math.min(500, messages - first) }, (_, k) => {
      const m = first + k;
      const snapshot = JSON.stringify(Object.fromEntries(V9_FEATURE_NAMES.map((name) => [name, Math.round(random() * 400) / 10])));
      const rows = Array.from({ length: 6 }, (_, j) =>
        samplePredictionRow({ prediction_id: `${m}`.padStart(30, '0') + `x${j}`, system_id: `system_${j}`, message_id: `m${m}`, player_lookup: `player${m % 400}`, features_snapshot: snapshot }),
      );
      return storage.predictions.write(rows, sampleOutcomeRow({ message_id: `m${m}` }));
    }),
  );
}
(globalThis as { gc?: () => void }).gc?.();
const heap = process.memoryUsage();
const wal = existsSync(`${path}.wal`) ? statSync(`${path}.wal`).size : 0;
console.log(`messages: ${messages}; WAL ${mb(wal)} MB, file ${mb(statSync(path).size)} MB before the close`);
console.log(`V8 heap total ${mb(heap.heapTotal)} MB (used ${mb(heap.heapUsed)}), external ${mb(heap.external)} MB`);
console.log(`RSS before the close ${statusMb('VmRSS').toFixed(0)} MB (peak ${statusMb('VmHWM').toFixed(0)})`);
await storage.close();
console.log(`RSS after the close ${statusMb('VmRSS').toFixed(0)} MB (peak ${statusMb('VmHWM').toFixed(0)}); file ${mb(statSync(path).size)} MB`);
rmSync(dir, { recursive: true, force: true });
