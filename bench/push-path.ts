/**
 * bench/push-path.ts — event-loop (main-thread) CPU per Pub/Sub push spent in the worker's own
 * request path, without HTTP: `handlePush` (decode → slate → features → six models → rows →
 * validated write → one log line) called in-process on distinct wrapped pushes for one of 400
 * players, `--concurrency` pushes in flight (like bench:worker's connections), the shared V9
 * fixture models (champion + 5 challengers, native engine), a pino logger at info writing to
 * /dev/null. Two storages behind `validatedStorage`:
 *   - `stub`: writes and outcome lookups resolve at once (the handler's own cost);
 *   - `thread`: the embedded DuckDB storage on its storage thread (adds the thread messaging).
 * Main-thread CPU comes from `process.threadCpuUsage()` (Node ≥ 23.9; else /proc ticks, 10 ms
 * resolution), so the storage thread, DuckDB's threads and V8's GC helpers are not counted.
 * Prints the median of `--rounds` rounds of `--pushes` pushes after one warm-up round; writes
 * nothing. Usage: npx tsx bench/push-path.ts [--pushes 5000 --rounds 5 --concurrency 20 --models 6 --storage stub|thread|both]
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino, destination } from 'pino';
import { handlePush, type PushConfig } from '../src/worker/handle-push.js';
import { createModelSet } from '../src/models/model-set-loader.js';
import { ModelStore } from '../src/models/model-store.js';
import { parseRegistry } from '../config/registry.js';
import { validatedStorage } from '../src/storage/validated.js';
import { openDuckDbStorageThread } from '../src/storage/duckdb/index.js';
import { V9_FEATURE_NAMES } from '../src/features/contract.js';
import { cloudLoggingOptions } from '../src/worker/logging.js';
import { todayIn } from '../src/worker/slate-date.js';
import { messageGate } from '../src/worker/message-gate.js';
import { batchedOutcomeLookup } from '../src/worker/outcome-lookup.js';
import type { Storage } from '../src/storage/storage.js';
import type { FeatureStoreRow } from '../src/storage/tables/feature-store.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = join(ROOT, '../shared/fixtures/v9-models');
const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : dflt);
const pushes = Number(opt('--pushes', '5000'));
const rounds = Number(opt('--rounds', '5'));
const concurrency = Number(opt('--concurrency', '20'));
const storages = opt('--storage', 'both') === 'both' ? ['stub', 'thread'] : [opt('--storage', 'both')];
const modelCount = Number(opt('--models', '6'));
const PLAYERS = 400;

if (!existsSync(FIXTURES)) {
  console.error(`skipped: shared V9 fixture models not found at ${FIXTURES}`);
  process.exit(0);
}

/** Main-thread CPU seconds so far. */
function mainCpuSeconds(): number {
  const threadCpuUsage = (process as unknown as { threadCpuUsage?: () => { user: number; system: number } }).threadCpuUsage;
  if (threadCpuUsage) {
    const u = threadCpuUsage.call(process);
    return (u.user + u.system) / 1e6;
  }
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const models = readdirSync(FIXTURES).filter((f) => f.endsWith('.cbm')).sort().map((f) => join(FIXTURES, f));
const work = mkdtempSync(join(tmpdir(), 'pw-bench-push-'));
const log = pino(cloudLoggingOptions('info'), destination({ dest: '/dev/null', sync: true }));
const registry = Object.fromEntries(
  models.slice(1, modelCount).map((path, i) => [`catboost_v9_bench_${i + 1}`, {
    model_path: path, train_start: '2025-11-02', train_end: '2026-01-08', backtest_mae: 4.8, backtest_hit_rate_all: 55,
    backtest_hit_rate_edge_3plus: 60, backtest_n_edge_3plus: 100, enabled: true, description: 'bench',
  }]),
);
const modelSet = await createModelSet({
  championPath: models[0]!, registry: parseRegistry(registry), engine: 'native', logger: log,
  store: new ModelStore({ cwd: ROOT, cacheDir: join(work, 'models') }),
});

const date = todayIn('America/New_York');
const players = new Map<string, FeatureStoreRow>(
  Array.from({ length: PLAYERS }, (_, p) => [`player${p}`, {
    game_date: date, player_lookup: `player${p}`, game_id: `${date.replaceAll('-', '')}_AAA_BBB`,
    feature_names: [...V9_FEATURE_NAMES], features: V9_FEATURE_NAMES.map((_, i) => ((p * 7 + i * 13) % 40) / 2 + (i === 28 ? 0 : 1)),
    feature_version: 'v2_33features', feature_quality_score: 90, team_abbr: 'AAA', opponent_team_abbr: 'BBB', created_at: new Date().toISOString(),
  }]),
);
const slate = { lookup: async (_date: string, player: string) => ({ row: players.get(player), newestCreatedAt: null, reloaded: false }) };
const config: PushConfig = {
  MAX_BODY_BYTES: 1_000_000, ALLOW_PAST_DATES: false, MAX_FUTURE_DAYS: 7, SLATE_TIME_ZONE: 'America/New_York',
  RECOMMENDATION_EDGE_THRESHOLD: 1, BUILD_COMMIT: 'bench', SLATE_YOUNG_SECONDS: 0,
};

function stubStorage(): Storage {
  const inner = {
    predictions: { write: async () => undefined },
    outcomes: { record: async () => undefined, findMany: async () => [] },
    close: async () => undefined,
  };
  return validatedStorage(inner as unknown as Storage);
}

let seq = 0;
function body(): Buffer {
  const n = seq++;
  const line = 10 + (n % 20);
  const payload = { player_lookup: `player${n % PLAYERS}`, game_date: date, game_id: `${date.replaceAll('-', '')}_AAA_BBB`, has_prop_line: true, line_source: 'ACTUAL_PROP', actual_prop_line: line + 0.5, line_values: [line + 0.5] };
  return Buffer.from(JSON.stringify({ message: { data: Buffer.from(JSON.stringify(payload)).toString('base64'), messageId: `push-path-${n}`, publishTime: new Date().toISOString() }, subscription: 'bench' }));
}

/** Main-thread CPU µs per push over `n` pushes, `concurrency` in flight. */
async function round(storage: Storage, n: number): Promise<number> {
  const findOutcome = batchedOutcomeLookup(storage.outcomes);
  const gate = messageGate();
  const reqLog = log.child({ reqId: 'req-1' });
  const bodies = Array.from({ length: n }, body);
  let next = 0;
  const lane = async () => {
    while (next < n) {
      const raw = bodies[next++]!;
      const result = await handlePush({ config, storage, modelSet, slate, log: reqLog, headers: {}, findOutcome, gate }, raw);
      if (result.outcome !== 'written') throw new Error(`push not written: ${JSON.stringify(result)}`);
    }
  };
  const cpu0 = mainCpuSeconds();
  await Promise.all(Array.from({ length: concurrency }, lane));
  return ((mainCpuSeconds() - cpu0) * 1e6) / n;
}

const rows: string[] = [];
for (const kind of storages) {
  const storage = kind === 'thread' ? validatedStorage(await openDuckDbStorageThread({ path: join(work, `${kind}.duckdb`) })) : stubStorage();
  await round(storage, Math.min(3000, pushes));
  const all: number[] = [];
  for (let r = 0; r < rounds; r++) all.push(await round(storage, pushes));
  await storage.close();
  const sorted = [...all].sort((a, b) => a - b);
  rows.push(`| ${kind} | ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} | ${all.map((v) => v.toFixed(0)).join(', ')} |`);
}
await modelSet.close();
rmSync(work, { recursive: true, force: true });

const cpu = cpus();
console.log(`\n${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length}, Node ${process.version}; ${Math.min(modelCount, models.length)} models, ${pushes} pushes × ${rounds} rounds, ${concurrency} in flight\n`);
console.log('| storage | main-thread CPU µs/push (median) | rounds |');
console.log('|---|---:|---|');
for (const row of rows) console.log(row);
process.exit(0);
