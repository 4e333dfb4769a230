/**
 * @module worker/node-flags
 * The flags the serving worker's `node` runs with: the image's CMD (Dockerfile) and `npm start`
 * give exactly these (test/deploy/manifests.test.ts), and bench:worker starts the worker with
 * them. V8 flags are per process, so the storage thread runs with them too (its heap caps are
 * its own: storage-thread.ts resourceLimits).
 *
 * - `--max-semi-space-size=8`, `--max-old-space-size=512`: cap V8's young generation (sized from
 *   the host's memory otherwise) and its old generation (a heap grows ~4× past its live size
 *   under a multi-GB limit, ~1.4× under this one, and V8 keeps the pages resident): docs/worker.md
 *   "Memory".
 * - `--always-sparkplug`: compile a function to V8's baseline code (Sparkplug) on its first call
 *   instead of interpreting it until it is hot. A new instance answers its first second of pushes
 *   faster (open loop at 2,000 req/s from /ready, five and four runs: p50 of the first second
 *   45–61 ms against 67–96, p99 of the first 10 s 95–116 against 101–148 ms), for ~60–100 ms more
 *   cold start and ~10 MB (bench/README.md, "The first second after /ready").
 */
import { STORAGE_THREAD_OLD_GENERATION_MB } from '../storage/duckdb/storage-thread.js';

export const WORKER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8', `--max-old-space-size=${STORAGE_THREAD_OLD_GENERATION_MB}`, '--always-sparkplug'];
