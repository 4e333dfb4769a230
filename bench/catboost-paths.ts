/**
 * `npx tsx bench/catboost-paths.ts`: the native CatBoost evaluator's two paths — generated code
 * (default) and the reference interpreter — on the same model and rows, interleaved in one
 * process so a shared machine's load affects both alike. CPU time (process.cpuUsage), median of
 * BENCH_RUNS passes per cell, at batch 1, 32 and 500; plus build (parse + codegen + compile) and
 * first-call time. Models: test/fixtures/models/bench_d6_1000.cbm and, when ../shared is present,
 * V9 A3. Rows: bench_d6_1000.rows.csv. Also checks that both paths agree on every row.
 * Prints a table; writes nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ObliviousEvaluator, parseCbm } from '../src/models/catboost/index.js';

const ROOT = resolve(import.meta.dirname, '..');
const MODELS = [
  { name: 'bench_d6_1000', path: join(ROOT, 'test/fixtures/models/bench_d6_1000.cbm') },
  { name: 'V9 A3', path: resolve(ROOT, '../shared/fixtures/v9-models/catboost_v9_exp_A3_20260129_211030.cbm') },
];
const BATCHES = [1, 32, 500];
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

const cpuMicros = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;

function readRows(path: string): { rows: Float64Array; n: number; width: number } {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
  const width = lines[0]!.split(',').length;
  const n = lines.length - 1;
  const rows = new Float64Array(n * width);
  for (let r = 0; r < n; r++) lines[r + 1]!.split(',').forEach((cell, c) => (rows[r * width + c] = cell === '' ? Number.NaN : Number(cell)));
  return { rows, n, width };
}

/** CPU µs per row for one pass over all rows in batches of `batch`. */
function pass(evaluator: ObliviousEvaluator, rows: Float64Array, n: number, width: number, batch: number, out: Float64Array): number {
  const t0 = cpuMicros();
  for (let s = 0; s < n; s += batch) {
    const m = Math.min(batch, n - s);
    evaluator.predict(rows.subarray(s * width, (s + m) * width), m, out);
  }
  return (cpuMicros() - t0) / n;
}

const { rows, n, width } = readRows(join(ROOT, 'test/fixtures/models/bench_d6_1000.rows.csv'));
const out = new Float64Array(n);
const lines = ['| model | path | build ms | first predict ms | µs/row @1 | @32 | @500 |', '|---|---|---:|---:|---:|---:|---:|'];
const ratios: string[] = [];
for (const { name, path } of MODELS) {
  if (!existsSync(path)) {
    console.error(`${path} absent: skipping ${name}`);
    continue;
  }
  const bytes = new Uint8Array(readFileSync(path));
  const paths = [
    { label: 'wasm', options: {} },
    { label: 'interpreter', options: { compiled: false } },
    { label: 'js', options: { wasm: false } },
  ].map(({ label, options }) => {
    const t0 = performance.now();
    const evaluator = new ObliviousEvaluator(parseCbm(bytes, name), name, options);
    const buildMs = performance.now() - t0;
    const t1 = performance.now();
    evaluator.predict(rows.subarray(0, width), 1);
    return { label, evaluator, buildMs, firstMs: performance.now() - t1, us: {} as Record<number, number[]> };
  });
  const reference = paths[1]!.evaluator.predict(rows, n);
  for (const p of [paths[0]!, paths[2]!]) {
    const compiled = p.evaluator.predict(rows, n);
    for (let r = 0; r < n; r++) if (compiled[r] !== reference[r]) throw new Error(`${name}: ${p.label} differs on row ${r}`);
    const one = new Float64Array(1);
    for (let r = 0; r < n; r += 3) if (p.evaluator.predict(rows.subarray(r * width, (r + 1) * width), 1, one)[0] !== reference[r]) throw new Error(`${name}: ${p.label} differs on row ${r} alone`);
  }
  for (const batch of BATCHES) {
    for (const p of paths) pass(p.evaluator, rows, n, width, batch, out); // warm-up
    for (let k = 0; k < RUNS; k++) for (const p of paths) (p.us[batch] ??= []).push(pass(p.evaluator, rows, n, width, batch, out));
  }
  for (const p of paths) {
    lines.push(`| ${name} | ${p.label} | ${p.buildMs.toFixed(1)} | ${p.firstMs.toFixed(2)} | ${BATCHES.map((b) => median(p.us[b]!).toFixed(2)).join(' | ')} |`);
  }
  ratios.push(`| ${name} | ${BATCHES.map((b) => (median(paths[1]!.us[b]!) / median(paths[0]!.us[b]!)).toFixed(2)).join(' | ')} |`);
}
console.log(`rows: ${n}; CPU time, median of ${RUNS} interleaved passes; Node ${process.version}\n`);
console.log(lines.join('\n'));
console.log('\nSpeed-up (interpreter / compiled):\n\n| model | @1 | @32 | @500 |\n|---|---:|---:|---:|');
console.log(ratios.join('\n'));
