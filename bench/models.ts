/**
 * `npm run bench:models`: per-row cost of the native CatBoost evaluator and of ONNX Runtime on the
 * same model and the same rows, in one run, at batch sizes 1, 32 and 500, plus load time.
 *
 * Models:
 *  - test/fixtures/models/bench_d6_1000 (1000 trees, depth 6; CatBoost's .cbm and its .onnx
 *    export, the latter stored gzipped and unpacked into a temp dir here);
 *  - the largest shared V9 model (../shared/fixtures/v9-models A3, 997 trees): native always;
 *    ONNX too when a Python with catboost is available (PW_BENCH_CATBOOST_PYTHON, or the fixture
 *    venv test/fixtures/.work/venv) to export it into a temp dir. Nothing is written to the repo
 *    except bench/RESULTS.md.
 * Rows: 2000 synthetic player-games (src/synthetic, seed 7; allowed NaNs included), the same for every model.
 * Engines: native (the default: the CatBoost evaluator's WebAssembly path), native-js (its
 * generated-JavaScript path, `{ wasm: false }`), native-interp (its reference interpreter,
 * `{ compiled: false }`), onnx, and catboost-lib: CatBoost's own library (Python `predict` on
 * float32 numpy arrays, RawFormulaVal, thread_count=1) when a Python with catboost is found,
 * timed inside Python on the same rows and batches.
 * Warm-up: for native and native-js, a fresh Node process loads A3 and times its first 5,000
 * single-row predictions, then 5,000 more after 20,000 (steady state): the ratio is the cliff.
 * Method: one warm-up pass, then RUNS timed passes over all rows (each repeated for ≥ 100 ms);
 * the median pass gives µs/row of CPU time (Node's main thread / Python's process_time), steadier
 * than wall time on a shared machine. The warm-up child times its calls by wall clock.
 * Load: the first load of a model is reported on its own, because V8 caches compiled
 * `new Function` sources, which makes later loads of the same model cheaper.
 * Also reports max |ONNX − native| on those rows (native equals CatBoost, see the golden tests).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import { parseCsv } from '../src/cli/csv.js';
import { generateSeason } from '../src/synthetic/index.js';
import { V9_FEATURE_NAMES } from '../src/features/contract.js';
import { ObliviousEvaluator, parseCbm } from '../src/models/catboost/index.js';
import { loadPredictor } from '../src/models/load-predictor.js';
import { ModelStore } from '../src/models/model-store.js';
import type { Predictor } from '../src/models/predictor.js';

const ROOT = resolve(import.meta.dirname, '..');
const FIXTURES = join(ROOT, 'test/fixtures/models');
const SHARED_A3 = resolve(ROOT, '../shared/fixtures/v9-models/catboost_v9_exp_A3_20260129_211030.cbm');
const BATCHES = [1, 32, 500] as const;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const LOAD_RUNS = Number(process.env.BENCH_LOAD_RUNS ?? 3);

const tmp = mkdtempSync(join(tmpdir(), 'pw-bench-models-'));
const store = new ModelStore({ cacheDir: join(tmp, 'cache') });

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The rows the worker meets: synthetic player-games (src/synthetic, fixed seed), with the missing
 * values the contract allows. The fixture's probe rows are for parity, not speed: values one
 * float32 step from a border near 0 are subnormal, and subnormal arithmetic is many times slower
 * on x86, which would measure the CPU's slow path instead of the evaluator.
 */
function benchRows(count: number): { rows: Float64Array; n: number } {
  const days = generateSeason({ seed: 7, startDate: '2026-01-05', days: 40 }).days;
  const vectors = days.flatMap((d) => d.playerGames.map((pg) => pg.features)).slice(0, count);
  return { rows: Float64Array.from(vectors.flat()), n: vectors.length };
}

/**
 * CPU time of the calling thread in ms (user + system; process.threadCpuUsage, Node ≥ 23.9, else
 * the whole process): steadier than wall time on a shared machine, and free of V8's background
 * compiler and GC threads, which the evaluator does not wait for.
 */
function cpuMs(): number {
  const thread = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage;
  const u = thread ? thread() : process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * A timed pass runs for at least this long (wall clock), repeating the rows: the thread CPU clock
 * ticks in steps of up to 4 ms on some kernels (getrusage RUSAGE_THREAD), which a single 2 ms
 * pass over 2,000 rows would round to 0 or 4 ms.
 */
const MIN_PASS_MS = 100;

/** One timed pass: all rows in batches of `batch`, repeated for ≥ MIN_PASS_MS; returns CPU µs per row. */
async function pass(p: Predictor, rows: Float64Array, n: number, batch: number): Promise<number> {
  const width = p.featureNames.length;
  const slices: Float64Array[] = [];
  for (let s = 0; s < n; s += batch) slices.push(rows.subarray(s * width, Math.min(n, s + batch) * width));
  const t0 = cpuMs();
  const w0 = performance.now();
  let sink = 0;
  let done = 0;
  do {
    for (const slice of slices) {
      const out = await p.predict(slice, slice.length / width);
      sink += out[0]!;
    }
    done += n;
  } while (performance.now() - w0 < MIN_PASS_MS);
  const ms = cpuMs() - t0;
  if (Number.isNaN(sink)) throw new Error('NaN prediction');
  return (ms * 1000) / done;
}

async function usPerRow(p: Predictor, rows: Float64Array, n: number, batch: number): Promise<number> {
  await pass(p, rows, n, batch); // warm-up (JIT, ORT allocations)
  const perRow: number[] = [];
  for (let r = 0; r < RUNS; r++) perRow.push(await pass(p, rows, n, batch));
  return median(perRow);
}

type EngineLabel = 'native' | 'native-js' | 'native-interp' | 'onnx' | 'catboost-lib';

/** The native engine's interpreter or JS path as a Predictor (bench only; the worker never uses them). */
function loadInterpreter(path: string, options: { compiled?: boolean; wasm?: boolean } = { compiled: false }): Predictor {
  const bytes = new Uint8Array(readFileSync(path));
  const t0 = performance.now();
  const evaluator = new ObliviousEvaluator(parseCbm(bytes, path), path, options);
  const loadMs = performance.now() - t0;
  return {
    path,
    localPath: path,
    format: 'cbm',
    engine: 'native',
    sha256: '',
    sizeBytes: bytes.length,
    featureNames: evaluator.featureNames,
    treeCount: evaluator.treeCount,
    treeDepths: evaluator.treeDepths,
    loadMs,
    loss: 'RMSE',
    predictionType: 'RawFormulaVal',
    predict: (rows, n) => Promise.resolve(evaluator.predict(rows, n)),
    close: () => Promise.resolve(),
  };
}

async function loadTimed(
  path: string,
  engine: EngineLabel,
  firstRow: Float64Array,
): Promise<{ predictor: Predictor; loadMs: number; parseMs: number; firstLoadMs: number; firstPredictMs: number }> {
  const totals: number[] = [];
  const parses: number[] = [];
  let last: Predictor | undefined;
  let firstPredictMs = 0;
  for (let i = 0; i < LOAD_RUNS; i++) {
    await last?.close();
    const t0 = performance.now();
    last =
      engine === 'native-interp'
        ? loadInterpreter(path)
        : engine === 'native-js'
          ? loadInterpreter(path, { wasm: false })
          : await loadPredictor({ path, engine: engine === 'onnx' ? 'onnx' : 'native', store, featureSet: V9_FEATURE_NAMES });
    totals.push(performance.now() - t0);
    parses.push(last.loadMs);
    if (i === 0) {
      // V8 compiles lazily: the first call pays for compiling (native) or warming (ORT).
      const t1 = performance.now();
      await last.predict(firstRow, 1);
      firstPredictMs = performance.now() - t1;
    }
  }
  return { predictor: last!, loadMs: median(totals), parseMs: median(parses), firstLoadMs: totals[0]!, firstPredictMs };
}

/** A Python that can `import catboost`, if any (for exporting the shared model to ONNX). */
function catboostPython(): string | undefined {
  const candidates = [process.env.PW_BENCH_CATBOOST_PYTHON, join(ROOT, 'test/fixtures/.work/venv/bin/python'), 'python3'].filter(Boolean) as string[];
  for (const py of candidates) {
    try {
      execFileSync(py, ['-c', 'import catboost'], { stdio: 'ignore' });
      return py;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

function exportOnnx(py: string, cbm: string, onnx: string): void {
  const script = 'import sys, catboost\nm = catboost.CatBoost()\nm.load_model(sys.argv[1])\nm.save_model(sys.argv[2], format="onnx")\n';
  execFileSync(py, ['-c', script, cbm, onnx], { stdio: 'ignore' });
}

/**
 * CatBoost's own library on the same rows: µs/row at each batch (median of RUNS passes after one
 * warm-up, timed inside Python with process_time: CPU) and its predictions (for the parity column).
 */
function catboostLibrary(py: string, cbm: string, rows: Float64Array, n: number, width: number): { us: Record<number, number>; out: Float64Array } {
  const input = join(tmp, 'rows.f64');
  const output = join(tmp, 'pred.f64');
  writeFileSync(input, Buffer.from(rows.buffer, rows.byteOffset, n * width * 8));
  const script = `
import sys, json, time, statistics, numpy as np, catboost
cbm, inp, out, n, width, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
X = np.fromfile(inp, dtype=np.float64).reshape(n, width).astype(np.float32)
m = catboost.CatBoost(); m.load_model(cbm)
res = {}
for batch in (1, 32, 500):
    slices = [X[s:s + batch] for s in range(0, n, batch)]
    def one_pass():
        t0 = time.process_time()
        for sl in slices: m.predict(sl, prediction_type='RawFormulaVal', thread_count=1)
        return time.process_time() - t0
    one_pass()
    res[batch] = statistics.median([one_pass() for _ in range(runs)]) * 1e6 / n
np.asarray(m.predict(X, prediction_type='RawFormulaVal', thread_count=1), dtype=np.float64).tofile(out)
print(json.dumps(res))
`;
  const printed = execFileSync(py, ['-c', script, cbm, input, output, String(n), String(width), String(RUNS)], { encoding: 'utf8' });
  const parsed = JSON.parse(printed.trim().split('\n').pop()!) as Record<string, number>;
  const buf = readFileSync(output);
  const out = new Float64Array(buf.buffer, buf.byteOffset, n).slice();
  return { us: { 1: parsed['1']!, 32: parsed['32']!, 500: parsed['500']! }, out };
}

interface FirstCalls {
  engine: string;
  firstUs: number;
  steadyUs: number;
  firstCallMs: number;
}

/**
 * In a fresh process (nothing compiled or tiered up yet): load the model, time its first 5,000
 * single-row predictions (mean µs per call, through the Predictor as the worker calls it), then
 * 20,000 more, then 5,000 timed again (steady state).
 */
async function firstCallsChild(engine: 'native' | 'native-js', path: string): Promise<void> {
  const { rows, n } = benchRows(2000);
  const width = V9_FEATURE_NAMES.length;
  const predictor = engine === 'native' ? await loadPredictor({ path, engine: 'native', store, featureSet: V9_FEATURE_NAMES }) : loadInterpreter(path, { wasm: false });
  const one = (i: number) => predictor.predict(rows.subarray((i % n) * width, ((i % n) + 1) * width), 1);
  // Wall time: 5,000 calls take ~10 ms, finer than the thread CPU clock's steps on some kernels
  // (see MIN_PASS_MS), and these calls cannot be repeated (they are the first ones).
  const timed = async (from: number, count: number) => {
    const t0 = performance.now();
    for (let i = from; i < from + count; i++) await one(i);
    return ((performance.now() - t0) * 1000) / count;
  };
  const t0 = performance.now();
  await one(0);
  const firstCallMs = performance.now() - t0;
  const firstUs = await timed(1, 5000);
  await timed(5001, 20000);
  const steadyUs = await timed(25001, 5000);
  process.stdout.write(JSON.stringify({ engine, firstUs, steadyUs, firstCallMs } satisfies FirstCalls) + '\n');
}

function firstCalls(engine: 'native' | 'native-js', path: string): FirstCalls {
  const printed = execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/models.ts'), '--first-calls', engine, path], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(printed.trim().split('\n').pop()!) as FirstCalls;
}

interface ModelCase {
  name: string;
  native: string;
  onnx?: string | undefined;
  note?: string;
}

interface Row {
  model: string;
  trees: number;
  engine: EngineLabel;
  us: Record<number, number>;
  loadMs: number;
  parseMs: number;
  firstLoadMs: number;
  firstPredictMs: number;
  maxDiff?: number;
}

async function main(): Promise<void> {
  const cases: ModelCase[] = [];
  const benchCbm = join(FIXTURES, 'bench_d6_1000.cbm');
  if (existsSync(benchCbm)) {
    let onnx: string | undefined = join(FIXTURES, 'bench_d6_1000.onnx');
    if (!existsSync(onnx)) {
      const gz = `${onnx}.gz`;
      onnx = existsSync(gz) ? join(tmp, 'bench_d6_1000.onnx') : undefined;
      if (onnx) writeFileSync(onnx, gunzipSync(readFileSync(gz)));
    }
    cases.push({ name: 'bench_d6_1000 (fixture)', native: benchCbm, onnx });
  } else {
    console.error('test/fixtures/models/bench_d6_1000.cbm missing: run `npm run fixtures` first');
  }
  if (existsSync(SHARED_A3)) {
    const py = catboostPython();
    let onnx: string | undefined;
    if (py) {
      onnx = join(tmp, 'catboost_v9_exp_A3.onnx');
      try {
        exportOnnx(py, SHARED_A3, onnx);
      } catch {
        onnx = undefined;
      }
    }
    cases.push({ name: 'V9 A3 (shared)', native: SHARED_A3, onnx, note: onnx ? 'ONNX exported to a temp dir' : 'native only (no CatBoost Python to export ONNX)' });
  } else {
    console.error('../shared/fixtures absent: skipping the shared V9 A3 model');
  }
  if (cases.length === 0) throw new Error('no benchmark model found');
  const { rows, n } = benchRows(2000);

  const results: Row[] = [];
  const py = catboostPython();
  for (const c of cases) {
    let nativeOut: Float64Array | undefined;
    for (const engine of ['native', 'native-js', 'native-interp', 'onnx'] as const) {
      const path = engine === 'onnx' ? c.onnx : c.native;
      if (!path) continue;
      const { predictor, loadMs, parseMs, firstLoadMs, firstPredictMs } = await loadTimed(path, engine, rows.subarray(0, V9_FEATURE_NAMES.length));
      const us: Record<number, number> = {};
      for (const b of BATCHES) us[b] = await usPerRow(predictor, rows, n, b);
      const out = await predictor.predict(rows, n);
      let maxDiff: number | undefined;
      if (engine === 'native') nativeOut = out;
      else if (nativeOut) maxDiff = out.reduce((m, v, i) => Math.max(m, Math.abs(v - nativeOut![i]!)), 0);
      results.push({ model: c.name, trees: predictor.treeCount, engine, us, loadMs, parseMs, firstLoadMs, firstPredictMs, ...(maxDiff === undefined ? {} : { maxDiff }) });
      await predictor.close();
      process.stderr.write(`done: ${c.name} ${engine}\n`);
    }
    if (py && nativeOut) {
      const lib = catboostLibrary(py, c.native, rows, n, V9_FEATURE_NAMES.length);
      const maxDiff = lib.out.reduce((m, v, i) => Math.max(m, Math.abs(v - nativeOut![i]!)), 0);
      results.push({ model: c.name, trees: results.find((r) => r.model === c.name)!.trees, engine: 'catboost-lib', us: lib.us, loadMs: NaN, parseMs: NaN, firstLoadMs: NaN, firstPredictMs: NaN, maxDiff });
      process.stderr.write(`done: ${c.name} catboost-lib\n`);
    }
  }
  const warm = existsSync(SHARED_A3) ? (['native', 'native-js'] as const).map((e) => firstCalls(e, SHARED_A3)) : [];

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const lines: string[] = [];
  lines.push(`Machine: ${cpu} (${cpus().length} logical CPUs), ${platform()} ${release()}, Node ${process.version}`);
  lines.push(`Date: ${new Date().toISOString()}; rows: ${n} (synthetic player-games, seed 7); ${RUNS} timed passes per cell after 1 warm-up, median CPU time of passes of ≥ 100 ms (Node: the main thread, process.threadCpuUsage; Python: process_time, one CatBoost thread)`);
  lines.push('');
  lines.push('| model | trees | engine | µs/row @1 | µs/row @32 | µs/row @500 | first load ms | first predict ms | load ms (fetch+parse) | parse ms | max abs diff vs native |');
  lines.push('|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    lines.push(
      `| ${r.model} | ${r.trees} | ${r.engine} | ${r.us[1]!.toFixed(2)} | ${r.us[32]!.toFixed(2)} | ${r.us[500]!.toFixed(2)} | ${fmt(r.firstLoadMs, 1)} | ${fmt(r.firstPredictMs, 2)} | ${fmt(r.loadMs, 1)} | ${fmt(r.parseMs, 1)} | ${r.maxDiff === undefined ? '' : r.maxDiff === 0 ? '0 (identical)' : r.maxDiff.toExponential(2)} |`,
    );
  }
  lines.push('');
  lines.push('Ratio native / CatBoost\'s library (µs/row; ≤ 1 means the native evaluator is at least as fast):');
  lines.push('');
  lines.push('| model | @1 | @32 | @500 |');
  lines.push('|---|---:|---:|---:|');
  for (const c of cases) {
    const nat = results.find((r) => r.model === c.name && r.engine === 'native');
    const lib = results.find((r) => r.model === c.name && r.engine === 'catboost-lib');
    lines.push(nat && lib ? `| ${c.name} | ${BATCHES.map((b) => (nat.us[b]! / lib.us[b]!).toFixed(2)).join(' | ')} |` : `| ${c.name} | – | – | – |`);
  }
  if (!py) lines.push('', 'No Python with catboost found (PW_BENCH_CATBOOST_PYTHON, test/fixtures/.work/venv, python3): no catboost-lib row.');
  lines.push('');
  if (warm.length > 0) {
    lines.push('Warm-up on V9 A3, each in a fresh process: mean wall-clock µs per single-row prediction (through the Predictor, as the worker calls it) over the first 5,000 after load, and over 5,000 after 25,000 (steady):');
    lines.push('');
    lines.push('| engine | first call ms | first 5,000: µs/row | steady: µs/row | first / steady |');
    lines.push('|---|---:|---:|---:|---:|');
    for (const w of warm) lines.push(`| ${w.engine} | ${w.firstCallMs.toFixed(2)} | ${w.firstUs.toFixed(2)} | ${w.steadyUs.toFixed(2)} | ${(w.firstUs / w.steadyUs).toFixed(2)} |`);
    lines.push('');
  }
  {
    // The issue-10 targets on V9 A3, from this run's figures.
    const a3 = cases.find((c) => c.native === SHARED_A3)?.name;
    const nat = results.find((r) => r.model === a3 && r.engine === 'native');
    const lib = results.find((r) => r.model === a3 && r.engine === 'catboost-lib');
    const w = warm.find((x) => x.engine === 'native');
    const mark = (ok: boolean | undefined) => (ok === undefined ? 'not measured' : ok ? 'met' : '**not met**');
    lines.push('Targets (V9 A3, this run):');
    lines.push('');
    lines.push('| target | measured | |');
    lines.push('|---|---:|---|');
    lines.push(`| native ≤ 2 µs/row at batch 1 | ${nat ? nat.us[1]!.toFixed(2) : '–'} µs | ${mark(nat && nat.us[1]! <= 2)} |`);
    lines.push(`| native at batch 500 at least as fast as CatBoost's library (ratio ≤ 1) | ${nat && lib ? (nat.us[500]! / lib.us[500]!).toFixed(2) : '–'} | ${mark(nat && lib ? nat.us[500]! <= lib.us[500]! : undefined)} |`);
    lines.push(`| first 5,000 single-row predictions ≤ 2 × steady state | ${w ? (w.firstUs / w.steadyUs).toFixed(2) : '–'} × | ${mark(w && w.firstUs <= 2 * w.steadyUs)} |`);
    lines.push(`| bit-identical to CatBoost | max diff ${lib?.maxDiff ?? '–'} | ${mark(lib ? lib.maxDiff === 0 : undefined)} |`);
    lines.push('');
  }
  lines.push('Ratio native-interp / native (µs/row; the generated code\'s speed-up over the interpreter):');
  lines.push('');
  lines.push('| model | @1 | @32 | @500 |');
  lines.push('|---|---:|---:|---:|');
  for (const c of cases) {
    const nat = results.find((r) => r.model === c.name && r.engine === 'native');
    const interp = results.find((r) => r.model === c.name && r.engine === 'native-interp');
    if (nat && interp) lines.push(`| ${c.name} | ${BATCHES.map((b) => (interp.us[b]! / nat.us[b]!).toFixed(2)).join(' | ')} |`);
  }
  lines.push('');
  lines.push('Ratio native / ONNX (µs/row; < 1 means native is faster):');
  lines.push('');
  lines.push('| model | @1 | @32 | @500 |');
  lines.push('|---|---:|---:|---:|');
  for (const c of cases) {
    const nat = results.find((r) => r.model === c.name && r.engine === 'native');
    const ort = results.find((r) => r.model === c.name && r.engine === 'onnx');
    if (!nat || !ort) {
      lines.push(`| ${c.name} | – | – | – |`);
      continue;
    }
    lines.push(`| ${c.name} | ${BATCHES.map((b) => (nat.us[b]! / ort.us[b]!).toFixed(2)).join(' | ')} |`);
  }
  for (const c of cases) if (c.note) lines.push('', `${c.name}: ${c.note}.`);
  const table = lines.join('\n');
  console.log(table);

  writeResultsSection(join(ROOT, 'bench/RESULTS.md'), table);
}

/**
 * Replace (or append) this bench's section of bench/RESULTS.md, leaving other benches' sections
 * untouched.
 */
function writeResultsSection(file: string, table: string): void {
  const start = '<!-- bench:models start -->';
  const end = '<!-- bench:models end -->';
  const section = `${start}\n## bench:models\n\nGenerated by \`npm run bench:models\` (bench/models.ts); method in bench/README.md.\n\n${table}\n${end}`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  const a = current.indexOf(start);
  const b = current.indexOf(end);
  const next = a >= 0 && b > a ? current.slice(0, a) + section + current.slice(b + end.length) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}

const fmt = (v: number, digits: number) => (Number.isNaN(v) ? '' : v.toFixed(digits));

const firstCallsArg = process.argv.indexOf('--first-calls');
(firstCallsArg >= 0 ? firstCallsChild(process.argv[firstCallsArg + 1] as 'native' | 'native-js', process.argv[firstCallsArg + 2]!) : main())
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => rmSync(tmp, { recursive: true, force: true }));
