/**
 * bench:worker — end-to-end push throughput of the BUILT worker (dist/, `tsc -p
 * tsconfig.build.json` first) over a real socket (autocannon): champion only vs champion + 5
 * challengers (the shared V9 fixture models), embedded DuckDB file sink, every request a distinct
 * Pub/Sub message for one of 400 seeded players, logging at info to a file (as in production).
 *
 * Per scenario, in a fresh process over a fresh database:
 *   - cold start: process spawn → first 200 from GET /ready (six cached models, built server);
 *   - the first 30 s after /ready (no warm-up run), then a steady-state window: requests/s,
 *     p50/p99 latency, server CPU per request (the worker process, all its threads, from
 *     /proc/<pid>/stat), peak RSS (/proc/<pid>/status, sampled every 100 ms);
 *   - afterwards the database is opened and checked: every acknowledged (204) message has its
 *     `written` outcome and one row per model (an ack means committed);
 *   - log lines per message (the log file's line count / messages);
 *   - server CPU per request by thread (/proc/<pid>/task: event loop, storage thread, libuv pool, V8 helpers).
 * Then an open-loop scenario (six models, fresh process): requests SENT at fixed rates whatever the
 * responses (vegeta, bench/open-loop.ts), each rate for --rate-secs: the latency at a given rate,
 * stalls included, which the closed loop's 20 connections cannot show (see bench/README.md).
 * Prints the table and writes it into bench/RESULTS.md (`--no-save` to skip).
 * Usage: npm run bench:worker [-- --first 30 --steady 15 --connections 20 --rates 500,1000,1500,2000
 *   --rate-secs 10 --no-save --no-build --inline --only-open]  (--rates 0: no open loop)
 * (--inline: DuckDB on the event loop, EMBEDDED_STORAGE_THREAD=false, for comparison.)
 * (PW_BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' passes flags to the worker's node.)
 * Linux only (/proc). Takes about 2 × (first + steady + 10) s + rates × rate-secs + 10 s, plus the build.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { VEGETA_MODULE, findVegeta, openLoop } from './open-loop.js';
import { openDuckDbStorage } from '../src/storage/duckdb/index.js';
import { V9_FEATURE_NAMES } from '../src/features/contract.js';
import { todayIn } from '../src/worker/slate-date.js';
import { WORKER_NODE_FLAGS } from '../src/worker/node-flags.js';
import type { FeatureStoreRow } from '../src/storage/tables/feature-store.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = join(ROOT, '../shared/fixtures/v9-models');
const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const firstSecs = opt('--first', 30);
const steadySecs = opt('--steady', 15);
const connections = opt('--connections', 20);
/** The open-loop scenario: these rates (requests/s, ascending), `--rate-secs` each; `--rates 0` skips it. */
const openRates = (args.includes('--rates') ? args[args.indexOf('--rates') + 1]! : '500,1000,1500,2000').split(',').map(Number).filter((r) => r > 0);
const rateSecs = opt('--rate-secs', 10);
const PLAYERS = 400;
const CLK_TCK = 100; // Linux USER_HZ: /proc/<pid>/stat times are in 1/100 s

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

/** utime + stime, in seconds, from a /proc stat file (a process's: all its threads; or one thread's). */
function statCpuSeconds(statFile: string): number {
  const stat = readFileSync(statFile, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** CPU seconds of a process, all threads. */
const cpuSeconds = (pid: number): number => statCpuSeconds(`/proc/${pid}/stat`);

/**
 * CPU seconds per thread group of a process (utime + stime of /proc/<pid>/task/<tid>/stat, by the
 * thread's name: MainThread = the event loop, duckdb-storage = the storage thread, libuv-worker =
 * DuckDB statements run through the async API, V8Worker = V8's GC and compiler helpers).
 */
function threadCpuSeconds(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      byName.set(name, (byName.get(name) ?? 0) + statCpuSeconds(`/proc/${pid}/task/${tid}/stat`));
    } catch {
      // the thread ended
    }
  }
  return byName;
}

/** The thread groups bench:worker reports, in order; anything else is "other". */
const THREAD_GROUPS = ['MainThread', 'duckdb-storage', 'libuv-worker', 'V8Worker'] as const;

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

/** One measured window: rates in requests/s, latencies in ms, CPU in µs per served request. */
interface Window {
  label: string; sent: number; rps: number; p50: number; p99: number; ok: number; other: number; cpuUsPerReq: number;
  /** µs of CPU per served request by thread group (THREAD_GROUPS, then 'other'). */
  threadUsPerReq: Record<string, number>;
}
/**
 * A window to run: closed loop (autocannon keeps `connections` requests in flight) when `rate` is
 * absent, else open loop (vegeta sends `rate` requests/s whatever the responses).
 */
interface Step { label: string; secs: number; rate?: number }
interface Result {
  name: string; models: number; coldStartMs: number; windows: Window[]; peakRssMb: number;
  requests: number; acked: number; outcomesStored: number; rowsStored: number; logLinesPerMessage: number;
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = performance.now() + 60_000;
  for (;;) {
    if (exited) throw new Error('the worker exited before /ready');
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('the worker was not ready within 60 s');
    }
    try {
      const res = await fetch(`${url}/ready`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function scenario(name: string, challengers: string[], steps: Step[], storageThread = !args.includes('--inline')): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'pw-bench-worker-'));
  const dbPath = join(dir, 'prediction-worker.duckdb'); // openStorage's file under WORKER_DATA_DIR = dir
  const seed = await openDuckDbStorage({ path: dbPath });
  await seed.features.upsert(featureRows());
  await seed.close();
  const port = 20000 + Math.floor(Math.random() * 20000);
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(dir, 'worker.log');
  const spec = JSON.stringify({ champion: models[0], challengers, storageThread, dataDir: dir, cacheDir: join(dir, 'models'), port, logFile, root: ROOT });

  const t0 = performance.now();
  const nodeArgs = process.env.PW_BENCH_NODE_ARGS ? process.env.PW_BENCH_NODE_ARGS.split(' ') : [];
  // The flags the image and npm start give the worker (Dockerfile CMD).
  const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, ...nodeArgs, join(ROOT, 'bench/worker-serve.mjs'), spec], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  await waitReady(url, child);
  const coldStartMs = performance.now() - t0;
  const pid = child.pid!;
  let peakRssMb = rssMb(pid);
  const sampler = setInterval(() => {
    try {
      peakRssMb = Math.max(peakRssMb, rssMb(pid));
    } catch {
      // exited
    }
  }, 100);

  let seq = 0;
  const body = () => {
    const n = seq++;
    const line = 10 + (n % 20);
    const payload = { player_lookup: `player${n % PLAYERS}`, game_date: date, game_id: `${date.replaceAll('-', '')}_AAA_BBB`, has_prop_line: true, line_source: 'ACTUAL_PROP', actual_prop_line: line + 0.5, line_values: [line + 0.5] };
    return JSON.stringify({ message: { data: Buffer.from(JSON.stringify(payload)).toString('base64'), messageId: `${name}-${n}`, publishTime: new Date().toISOString() }, subscription: 'bench' });
  };
  const run = async ({ label, secs, rate }: Step): Promise<Window> => {
    const cpu0 = cpuSeconds(pid);
    const threads0 = threadCpuSeconds(pid);
    const seq0 = seq;
    const served = (n: number) => (n > 0 ? ((cpuSeconds(pid) - cpu0) * 1e6) / n : 0);
    const byThread = (n: number): Record<string, number> => {
      const now = threadCpuSeconds(pid);
      const out: Record<string, number> = Object.fromEntries([...THREAD_GROUPS, 'other'].map((g) => [g, 0]));
      for (const [name, secs] of now) {
        const group = (THREAD_GROUPS as readonly string[]).includes(name) ? name : 'other';
        out[group]! += n > 0 ? ((secs - (threads0.get(name) ?? 0)) * 1e6) / n : 0;
      }
      return out;
    };
    if (rate !== undefined) {
      const r = await openLoop(vegeta!, { url: `${url}/predict`, rate, secs, body });
      const ok = Object.entries(r.statusCodes).reduce((n, [code, count]) => n + (code.startsWith('2') ? count : 0), 0);
      const answered = r.requests - (r.statusCodes['0'] ?? 0);
      return { label, sent: r.requests, rps: r.throughput, p50: r.p50, p99: r.p99, ok, other: r.requests - ok, cpuUsPerReq: served(answered), threadUsPerReq: byThread(answered) };
    }
    const r = await autocannon({
      url, connections, duration: secs,
      requests: [{ method: 'POST', path: '/predict', headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: body() }) }],
    });
    return {
      label, sent: seq - seq0, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, ok: r['2xx'], other: r.non2xx + r.errors + r.timeouts,
      cpuUsPerReq: served(r['2xx'] + r.non2xx), threadUsPerReq: byThread(r['2xx'] + r.non2xx),
    };
  };
  const windows: Window[] = [];
  for (const step of steps) windows.push(await run(step));
  clearInterval(sampler);
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((ok) => child.once('exit', (code, signal) => ok([code, signal])));
  child.kill('SIGTERM');
  const [exitCode, exitSignal] = await exited;
  // The worker closes gracefully on SIGTERM (its ingest log applied); anything else is a failure.
  if (exitCode !== 0) throw new Error(`${name}: the worker exited with ${exitSignal ?? `code ${exitCode}`} after SIGTERM (log: ${logFile})`);

  // An acknowledgement means committed: every 204 has its outcome and one row per model.
  const check = await openDuckDbStorage({ path: dbPath, readOnly: true });
  const outcomes = (await check.outcomes.forDate(date)).filter((o) => o.outcome === 'written');
  const rows = await check.predictions.allPredictions(date);
  await check.close();
  const logLines = readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes('"message_id"')).length;
  rmSync(dir, { recursive: true, force: true });
  const acked = windows.reduce((n, w) => n + w.ok, 0);
  return {
    name, models: 1 + challengers.length, coldStartMs, windows, peakRssMb, requests: windows.reduce((n, w) => n + w.sent, 0), acked,
    outcomesStored: outcomes.length, rowsStored: rows.length, logLinesPerMessage: acked > 0 ? logLines / acked : 0,
  };
}

if (!args.includes('--no-build')) {
  console.error('building dist/ (tsc -p tsconfig.build.json) …');
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
}
const loadAtStart = loadavg()[0]!.toFixed(1);
const vegeta = openRates.length > 0 ? findVegeta() : undefined;
const closedSteps: Step[] = [{ label: `first ${firstSecs} s after /ready`, secs: firstSecs }, { label: `steady (next ${steadySecs} s)`, secs: steadySecs }];
const onlyOpen = args.includes('--only-open'); // experiments: the open-loop scenario alone, printed as JSON, nothing saved
const results = onlyOpen ? [] : [await scenario('champion only', [], closedSteps), await scenario('champion + 5 challengers', models.slice(1, 6), closedSteps)];
const open = vegeta
  ? await scenario('champion + 5 challengers, open loop', models.slice(1, 6), openRates.map((rate) => ({ label: `${rate} req/s sent`, secs: rateSecs, rate })))
  : undefined;
if (open) results.push(open);
if (onlyOpen) {
  console.log(JSON.stringify(open, null, 1));
  process.exit(0);
}
const [solo, all] = results as [Result, Result];
const met = (ok: boolean) => (ok ? 'met' : '**not met**');
/** Every 204 has its outcome and rows; more may be stored (requests in flight when a window closed). */
const committed = (r: Result) => r.outcomesStored >= r.acked && r.rowsStored === r.outcomesStored * r.models;
const win = (w: Window) => `${w.rps.toFixed(0)} | ${w.p50} | ${w.p99} | ${w.cpuUsPerReq.toFixed(0)}`;
const lines = [
  '| scenario | models | cold start ms | window | req/s | p50 ms | p99 ms | server CPU µs/req |',
  '|---|---:|---:|---|---:|---:|---:|---:|',
];
for (const r of [solo, all]) r.windows.forEach((w, i) => lines.push(`| ${r.name} | ${r.models} | ${i === 0 ? r.coldStartMs.toFixed(0) : ''} | ${w.label} | ${win(w)} |`));
const openLines = open
  ? [
      '| window (fresh process, from /ready) | sent | answered 2xx per s | p50 ms | p99 ms | server CPU µs/req |',
      '|---|---:|---:|---:|---:|---:|',
      ...open.windows.map((w) => `| ${w.label} | ${w.sent} | ${w.rps.toFixed(0)} | ${w.p50} | ${w.p99} | ${w.cpuUsPerReq.toFixed(0)} |`),
    ]
  : [openRates.length === 0 ? 'Not run (`--rates 0`).' : 'Not run: vegeta was not found and Go was not there to build it (`go install ' + VEGETA_MODULE + '`).'];
const threadLines = [
  '| scenario | window | event loop (MainThread) | storage thread | libuv pool (DuckDB statements) | V8 helpers (GC, compiler) | other | total |',
  '|---|---|---:|---:|---:|---:|---:|---:|',
  ...results.flatMap((r) =>
    r.windows.map((w) => {
      const t = w.threadUsPerReq;
      const cells = [...THREAD_GROUPS, 'other'].map((g) => (t[g] ?? 0).toFixed(0));
      return `| ${r.name} | ${w.label} | ${cells.join(' | ')} | ${w.cpuUsPerReq.toFixed(0)} |`;
    }),
  ),
];
const integrity = results.map(
  (r) =>
    `| ${r.name} | ${r.requests} | ${r.peakRssMb.toFixed(0)} | ${r.acked} | ${r.outcomesStored} | ${r.rowsStored} | ${committed(r) ? 'yes' : '**NO**'} | ${r.logLinesPerMessage.toFixed(2)} |`,
);
const [first, steady] = all.windows as [Window, Window];
const [soloFirst, soloSteady] = solo.windows as [Window, Window];
const atTarget = open?.windows.find((w) => w.label === '2000 req/s sent');
const underSlo = open?.windows.filter((w) => w.p99 <= 20 && w.other === 0).at(-1);
const ratioFirst = first.rps / soloFirst.rps;
const ratioSteady = steady.rps / soloSteady.rps;
const cpu = cpus();
const machine = `${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`;
const section = [
  '## bench:worker',
  '',
  `\`npm run bench:worker\` — ${new Date().toISOString().slice(0, 16)}Z, ${machine}; 1-minute load average at start ${loadAtStart}`,
  `(a shared machine: compare ratios within one run). The built worker (dist/) in its own process, POST /predict over a real`,
  `socket, ${connections} connections, each request a distinct message for one of ${PLAYERS} players; embedded DuckDB file sink`,
  `(${args.includes('--inline') ? 'on the event loop (--inline)' : 'on its storage thread, through the ingest log'}); native CatBoost evaluator; shared V9 fixture models; log level info to a file;`,
  `\`node ${WORKER_NODE_FLAGS.join(' ')}\` as in the image. No warm-up run: the first window starts at /ready.`,
  '',
  ...lines,
  '',
  `Open loop (vegeta, ${VEGETA_MODULE.split('@')[1]}): requests sent at a fixed rate whatever the responses, ${rateSecs} s per rate, rates in this order, six models;`,
  'the latency of a request at that rate, stalls included (the closed-loop p99 above is the queue of 20 connections at saturation).',
  '',
  ...openLines,
  '',
  'Server CPU per request by thread, µs (/proc/<pid>/task, 10 ms ticks; the threads of the worker process only):',
  '',
  ...threadLines,
  '',
  '| scenario | requests sent | peak RSS MB | acked (2xx) | written outcomes stored | prediction rows stored | every ack committed (stored ≥ acked; rows = 6 or 1 per outcome) | log lines per message |',
  '|---|---:|---:|---:|---:|---:|---|---:|',
  ...integrity,
  '',
  `Throughput ratio, 6 models / 1: first ${firstSecs} s ${ratioFirst.toFixed(2)}, steady ${ratioSteady.toFixed(2)}.`,
  '',
  'Targets (champion + 5 challengers, this run):',
  '',
  '| target | measured | |',
  '|---|---:|---|',
  `| ≥ 2,000 req/s, first ${firstSecs} s after /ready | ${first.rps.toFixed(0)} | ${met(first.rps >= 2000)} |`,
  `| ≥ 2,000 req/s, steady state | ${steady.rps.toFixed(0)} | ${met(steady.rps >= 2000)} |`,
  `| p99 ≤ 20 ms, first ${firstSecs} s / steady (closed loop, ${connections} connections, at saturation) | ${first.p99} / ${steady.p99} ms | ${met(first.p99 <= 20 && steady.p99 <= 20)} |`,
  `| p99 ≤ 20 ms at 2,000 req/s sent (open loop) | ${atTarget ? `${atTarget.p99} ms` : 'not run'} | ${met(atTarget !== undefined && atTarget.p99 <= 20 && atTarget.other === 0)} |`,
  `| (the highest rate sent with p99 ≤ 20 ms, every request answered 2xx) | ${underSlo ? underSlo.label : open ? 'none' : 'not run'} | |`,
  `| six models ≥ 85 % of champion-only throughput (first / steady) | ${(100 * ratioFirst).toFixed(0)} % / ${(100 * ratioSteady).toFixed(0)} % | ${met(ratioFirst >= 0.85 && ratioSteady >= 0.85)} |`,
  `| cold start ≤ 1 s to /ready (built server, six models) | ${all.coldStartMs.toFixed(0)} ms | ${met(all.coldStartMs <= 1000)} |`,
  ...[all, open].filter((r) => r !== undefined).map(
    (r) => `| RSS ≤ 250 MB through ≥ 50,000 requests (${r.name}) | ${r.peakRssMb.toFixed(0)} MB over ${r.requests} requests | ${met(r.peakRssMb <= 250 && r.requests >= 50000)} |`,
  ),
  `| every acknowledgement means committed | ${all.outcomesStored} outcomes ≥ ${all.acked} acks | ${met(committed(all))} |`,
  `| one log line per message | ${all.logLinesPerMessage.toFixed(2)} | ${met(all.logLinesPerMessage <= 1.01)} |`,
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
