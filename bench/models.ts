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
 * Engines: native (the default, generated-code CatBoost evaluator), native-interp (the same
 * engine's reference interpreter, `{ compiled: false }`, to show the gain) and onnx.
 * Method: one warm-up pass, then RUNS timed passes over all rows; the median pass gives µs/row.
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

/** One pass over all rows in batches of `batch`; returns elapsed ms. */
async function pass(p: Predictor, rows: Float64Array, n: number, batch: number): Promise<number> {
  const width = p.featureNames.length;
  const slices: Float64Array[] = [];
  for (let s = 0; s < n; s += batch) slices.push(rows.subarray(s * width, Math.min(n, s + batch) * width));
  const t0 = performance.now();
  let sink = 0;
  for (const slice of slices) {
    const out = await p.predict(slice, slice.length / width);
    sink += out[0]!;
  }
  const ms = performance.now() - t0;
  if (Number.isNaN(sink)) throw new Error('NaN prediction');
  return ms;
}

async function usPerRow(p: Predictor, rows: Float64Array, n: number, batch: number): Promise<number> {
  await pass(p, rows, n, batch); // warm-up (JIT, ORT allocations)
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) times.push(await pass(p, rows, n, batch));
  return (median(times) * 1000) / n;
}

type EngineLabel = 'native' | 'native-interp' | 'onnx';

/** The native engine's reference interpreter as a Predictor (bench only; the worker never uses it). */
function loadInterpreter(path: string): Predictor {
  const bytes = new Uint8Array(readFileSync(path));
  const t0 = performance.now();
  const evaluator = new ObliviousEvaluator(parseCbm(bytes, path), path, { compiled: false });
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
    last = engine === 'native-interp' ? loadInterpreter(path) : await loadPredictor({ path, engine, store, featureSet: V9_FEATURE_NAMES });
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
  for (const c of cases) {
    let nativeOut: Float64Array | undefined;
    for (const engine of ['native', 'native-interp', 'onnx'] as const) {
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
  }

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const lines: string[] = [];
  lines.push(`Machine: ${cpu} (${cpus().length} logical CPUs), ${platform()} ${release()}, Node ${process.version}`);
  lines.push(`Date: ${new Date().toISOString()}; rows: ${n} (synthetic player-games, seed 7); ${RUNS} timed passes per cell after 1 warm-up, median`);
  lines.push('');
  lines.push('| model | trees | engine | µs/row @1 | µs/row @32 | µs/row @500 | first load ms | first predict ms | load ms (fetch+parse) | parse ms | max abs diff vs native |');
  lines.push('|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    lines.push(
      `| ${r.model} | ${r.trees} | ${r.engine} | ${r.us[1]!.toFixed(2)} | ${r.us[32]!.toFixed(2)} | ${r.us[500]!.toFixed(2)} | ${r.firstLoadMs.toFixed(1)} | ${r.firstPredictMs.toFixed(2)} | ${r.loadMs.toFixed(1)} | ${r.parseMs.toFixed(1)} | ${r.maxDiff === undefined ? '' : r.maxDiff.toExponential(2)} |`,
    );
  }
  lines.push('');
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

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => rmSync(tmp, { recursive: true, force: true }));
