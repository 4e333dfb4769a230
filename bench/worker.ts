/**
 * bench:worker — end-to-end push throughput of the worker over a real socket (autocannon):
 * champion only vs champion + 5 challengers (the shared V9 fixture models), embedded DuckDB sink
 * on a temp file, every request a distinct Pub/Sub message for one of 400 seeded players.
 * Reports requests/s, p50 and p99 latency and the ratio; writes a section of bench/RESULTS.md.
 * Usage: npm run bench:worker [-- --duration 10 --connections 20 --no-save]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { loadConfig } from '../config/env.js';
import { parseRegistry, type RegistryEntryInput } from '../config/registry.js';
import { buildApp } from '../src/worker/app.js';
import { openDuckDbStorage } from '../src/storage/duckdb/index.js';
import { createModelSet } from '../src/models/model-set-loader.js';
import { ModelStore } from '../src/models/model-store.js';
import { V9_FEATURE_NAMES } from '../src/features/contract.js';
import { todayIn } from '../src/worker/slate-date.js';
import type { FeatureStoreRow } from '../src/storage/tables/feature-store.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = join(ROOT, '../shared/fixtures/v9-models');
const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const duration = opt('--duration', 10);
const connections = opt('--connections', 20);
const PLAYERS = 400;

if (!existsSync(FIXTURES)) {
  console.error(`skipped: shared V9 fixture models not found at ${FIXTURES}`);
  process.exit(0);
}
const models = readdirSync(FIXTURES).filter((f) => f.endsWith('.cbm')).sort().map((f) => `../shared/fixtures/v9-models/${f}`);
const date = todayIn('America/New_York');

function featureRows(): FeatureStoreRow[] {
  return Array.from({ length: PLAYERS }, (_, p) => {
    const values = V9_FEATURE_NAMES.map((_, i) => ((p * 7 + i * 13) % 40) / 2 + (i === 28 ? 0 : 1));
    return {
      game_date: date, player_lookup: `player${p}`, game_id: `${date.replaceAll('-', '')}_AAA_BBB`,
      feature_names: [...V9_FEATURE_NAMES], features: values, feature_version: 'v2_33features',
      feature_quality_score: 90, team_abbr: 'AAA', opponent_team_abbr: 'BBB', created_at: new Date().toISOString(),
    };
  });
}

interface Result { name: string; models: number; startupMs: number; rps: number; p50: number; p99: number; ok: number; other: number }

/**
 * The server half, in its own process (`--serve <json>`), so the load generator does not share
 * its event loop: seed the slate, load the models, listen, print `READY <port> <startup ms>`.
 */
async function serve(spec: { challengers: string[]; dbPath: string; cacheDir: string }): Promise<void> {
  const storage = await openDuckDbStorage({ path: spec.dbPath });
  await storage.features.upsert(featureRows());
  const registry: Record<string, RegistryEntryInput> = Object.fromEntries(
    spec.challengers.map((path, i) => [`catboost_v9_bench_${i + 1}`, {
      model_path: path, train_start: '2025-11-02', train_end: '2026-01-08', backtest_mae: 4.8, backtest_hit_rate_all: 55,
      backtest_hit_rate_edge_3plus: 60, backtest_n_edge_3plus: 100, enabled: true, description: 'bench',
    }]),
  );
  const quiet = { info() {}, warn() {}, error() {} };
  // Start-up = loading every model (files already local, as after the /tmp cache is warm) until
  // the app listens: what a Cloud Run instance pays before its first request.
  const startedAt = performance.now();
  const modelSet = await createModelSet({
    championPath: models[0]!, registry: parseRegistry(registry), engine: 'native', logger: quiet,
    store: new ModelStore({ cwd: ROOT, cacheDir: spec.cacheDir }),
  });
  const config = loadConfig({ PUSH_AUTH: 'off', STORAGE_BACKEND: 'embedded', LOG_LEVEL: 'silent', BUILD_COMMIT: 'bench' });
  const app = buildApp({ config, storage, modelSet });
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`READY ${(app.server.address() as AddressInfo).port} ${(performance.now() - startedAt).toFixed(0)}\n`);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

async function startServer(challengers: string[], dir: string): Promise<{ port: number; startupMs: number; child: ChildProcess }> {
  const spec = JSON.stringify({ challengers, dbPath: join(dir, 'bench.duckdb'), cacheDir: join(dir, 'models') });
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve', spec], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((ok, fail) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const m = /READY (\d+) (\d+)/.exec(buffered);
      if (m) ok({ port: Number(m[1]), startupMs: Number(m[2]), child });
    });
    child.once('exit', (code) => fail(new Error(`bench server exited with ${code} before it was ready`)));
  });
}

async function scenario(name: string, challengers: string[]): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'pw-bench-worker-'));
  const { port, startupMs, child } = await startServer(challengers, dir);
  const url = `http://127.0.0.1:${port}`;

  let seq = 0;
  const body = () => {
    const n = seq++;
    const line = 10 + (n % 20);
    const payload = { player_lookup: `player${n % PLAYERS}`, game_date: date, game_id: `${date.replaceAll('-', '')}_AAA_BBB`, has_prop_line: true, line_source: 'ACTUAL_PROP', actual_prop_line: line + 0.5, line_values: [line + 0.5] };
    return JSON.stringify({ message: { data: Buffer.from(JSON.stringify(payload)).toString('base64'), messageId: `${name}-${n}`, publishTime: new Date().toISOString() }, subscription: 'bench' });
  };
  const run = (secs: number) =>
    autocannon({
      url, connections, duration: secs,
      requests: [{ method: 'POST', path: '/predict', headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: body() }) }],
    });
  await run(2); // warm-up: slate load, JIT
  const r = await run(duration);
  const exited = new Promise((ok) => child.once('exit', ok));
  child.kill('SIGTERM');
  await exited;
  rmSync(dir, { recursive: true, force: true });
  return { name, models: 1 + challengers.length, startupMs, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, ok: r['2xx'], other: r.non2xx + r.errors + r.timeouts };
}

if (args[0] === '--serve') {
  await serve(JSON.parse(args[1]!) as { challengers: string[]; dbPath: string; cacheDir: string });
} else {
  const loadAtStart = loadavg()[0]!.toFixed(1);
  const results = [await scenario('champion only', []), await scenario('champion + 5 challengers', models.slice(1, 6))];
  const [solo, all] = results as [Result, Result];
  const table = [
    '| scenario | models | start-up ms | requests/s | p50 ms | p99 ms | 2xx | other |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map((r) => `| ${r.name} | ${r.models} | ${r.startupMs.toFixed(0)} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.ok} | ${r.other} |`),
  ].join('\n');
  const ratio = `Throughput ratio (6 models / 1): ${(all.rps / solo.rps).toFixed(2)}; p50 ratio ${(all.p50 / Math.max(solo.p50, 0.001)).toFixed(2)}.`;
  const cpu = cpus();
  const machine = `${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`;
  const section = [
    '## bench:worker',
    '',
    `\`npm run bench:worker\` — ${new Date().toISOString().slice(0, 10)}, ${machine}. POST /predict over a real socket,`,
    `${connections} connections, ${duration} s per scenario after a 2 s warm-up; each request a distinct message for one`,
    `of ${PLAYERS} players; the worker in its own process; embedded DuckDB file sink; native CatBoost evaluator; shared V9 fixture models.`,
    `1-minute load average at start: ${loadAtStart} (the machine may be shared; compare ratios, not absolutes).`,
    '',
    table,
    '',
    ratio,
    '',
  ].join('\n');
  console.log(section);

  if (!args.includes('--no-save')) {
    const file = join(ROOT, 'bench/RESULTS.md');
    const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n\n';
    const pattern = /## bench:worker\n[\s\S]*?(?=\n## |$)/;
    const next = pattern.test(current) ? current.replace(pattern, section.trimEnd() + '\n') : `${current.trimEnd()}\n\n${section}`;
    writeFileSync(file, next);
    console.log(`saved to ${file}`);
  }
}
