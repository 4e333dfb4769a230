/**
 * Parity with real CatBoost: every model of test/fixtures/models (trained by CatBoost 1.2.8,
 * see test/fixtures/README.md) evaluated from its .cbm and its JSON export must give CatBoost's
 * own RawFormulaVal for every probe row (borders, one float32 step either side, NaNs), on both
 * evaluation paths: the generated code (default) and the reference interpreter. The shared V9
 * models (../shared/fixtures, skipped when absent) are checked path against path on rows built
 * from each model's own borders.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { V9_FEATURE_NAMES } from '../../features/contract.js';
import { ObliviousEvaluator, loadNativeModel, parseCatBoostJson, parseCbm } from './index.js';
import type { ObliviousModel } from './model.js';
import { skipWithout } from '../../../test/helpers/machine.js';

const DIR = new URL('../../../test/fixtures/models/', import.meta.url);
const MANIFEST = new URL('manifest.json', DIR);
const TOLERANCE = 1e-9;

interface ManifestModel {
  name: string;
  trees: number;
  depths: number[];
  files: { cbm: { file: string }; json: { file: string } };
  rows: { file: string };
  expected: { file: string };
}

const haveFixtures = existsSync(MANIFEST);
if (!haveFixtures) console.warn(`skipping CatBoost parity tests: ${MANIFEST.pathname} is absent (run npm run fixtures)`);
const models: ManifestModel[] = haveFixtures ? (JSON.parse(readFileSync(MANIFEST, 'utf8')) as { models: ManifestModel[] }).models : [];

function readFixture(file: string): Uint8Array {
  const bytes = readFileSync(new URL(file, DIR));
  return new Uint8Array(file.endsWith('.gz') ? gunzipSync(bytes) : bytes);
}

function parseJsonFixture(file: string): ObliviousModel {
  return parseCatBoostJson(new TextDecoder().decode(readFixture(file)), file);
}

/** The probe CSV: header of feature names, empty cell = NaN, each cell a float32 in decimal. */
function readRows(file: string): { header: string[]; rows: Float64Array; n: number } {
  const lines = readFileSync(new URL(file, DIR), 'utf8').split('\n').filter((line) => line !== '');
  const header = lines[0].split(',');
  const n = lines.length - 1;
  const rows = new Float64Array(n * header.length);
  for (let r = 0; r < n; r++) {
    const cells = lines[r + 1].split(',');
    expect(cells.length).toBe(header.length);
    cells.forEach((cell, c) => (rows[r * header.length + c] = cell === '' ? Number.NaN : Number(cell)));
  }
  return { header, rows, n };
}

describe.skipIf(!haveFixtures)('parity with CatBoost predictions', () => {
  it('the manifest lists models', () => expect(models.length).toBeGreaterThan(0));

  describe.each(models)('$name', (model) => {
    const { header, rows, n } = readRows(model.rows.file);
    const expected = (JSON.parse(readFileSync(new URL(model.expected.file, DIR), 'utf8')) as { predictions: number[] }).predictions;

    it.each([
      ['cbm', 'wasm'],
      ['cbm', 'js'],
      ['cbm', 'interpreter'],
      ['json', 'wasm'],
      ['json', 'js'],
      ['json', 'interpreter'],
    ] as const)('from .%s (%s path) matches every row', (format, path) => {
      const loaded = loadNativeModel(readFixture(model.files[format].file), format, model.files[format].file);
      expect(loaded.engine).toBe('wasm'); // the default path
      const options = path === 'js' ? { wasm: false } : { compiled: false };
      const evaluator =
        path === 'wasm'
          ? loaded
          : new ObliviousEvaluator(format === 'cbm' ? parseCbm(readFixture(model.files.cbm.file), model.name) : parseJsonFixture(model.files.json.file), model.name, options);
      expect(evaluator.engine).toBe(path);
      expect(evaluator.featureNames).toEqual(V9_FEATURE_NAMES);
      expect(header).toEqual(V9_FEATURE_NAMES);
      expect(evaluator.treeCount).toBe(model.trees);
      expect([...new Set(evaluator.treeDepths)].sort()).toEqual([...model.depths].sort());
      expect(expected.length).toBe(n);

      const batch = evaluator.predict(rows, n);
      let worst = 0;
      let worstRow = -1;
      let exact = 0;
      for (let r = 0; r < n; r++) {
        const diff = Math.abs(batch[r] - expected[r]);
        if (!(diff <= worst)) [worst, worstRow] = [diff, r];
        if (batch[r] === expected[r]) exact++;
      }
      expect(worst, `row ${worstRow}: native ${batch[worstRow]} vs CatBoost ${expected[worstRow]}`).toBeLessThanOrEqual(TOLERANCE);
      // In practice the match is exact: same float32 comparisons, same summation order.
      expect(exact).toBe(n);

      // Row by row gives the batch's values.
      const single = new Float64Array(1);
      const width = header.length;
      for (let r = 0; r < n; r += 97) {
        expect(evaluator.predict(rows.subarray(r * width, (r + 1) * width), 1, single)[0]).toBe(batch[r]);
      }
      // Every batch size up to two blocks (the wasm path switches from rows one by one to
      // blocks of 16 at WASM_BLOCK_MIN_ROWS, with a partial last block).
      for (let size = 2; size <= 33 && size <= n; size++) {
        const first = (size * 37) % (n - size + 1);
        const part = evaluator.predict(rows.subarray(first * width, (first + size) * width), size);
        for (let r = 0; r < size; r++) expect(part[r], `batch of ${size}, row ${first + r}`).toBe(batch[first + r]);
      }
    });
  });
});

const SHARED_V9 = new URL('../../../../shared/fixtures/v9-models/', import.meta.url);
const sharedModels = existsSync(SHARED_V9) ? readdirSync(SHARED_V9).filter((f) => f.endsWith('.cbm')).sort() : [];
skipWithout('the shared V9 models', sharedModels.length > 0, `${SHARED_V9.pathname} with .cbm files (shared fixtures not checked out)`);

/**
 * Rows probing every border of the model: for each row, each used feature takes one of its
 * borders (cycling through them), or the float32 just below or above it; every 5th row has
 * NaN in a rotating column, and some rows are all NaN or ±inf.
 */
function borderRows(model: ObliviousModel): { rows: Float64Array; n: number } {
  const width = model.featureNames.length;
  const maxBorders = Math.max(...model.floatFeatures.map((f) => f.borders.length));
  const n = 3 * maxBorders + 3;
  const rows = new Float64Array(n * width);
  const below = (x: number) => Math.fround(x - Math.max(Math.abs(x) * 2 ** -24, 2 ** -149));
  const above = (x: number) => Math.fround(x + Math.max(Math.abs(x) * 2 ** -24, 2 ** -149));
  for (let r = 0; r < n - 3; r++) {
    for (const f of model.floatFeatures) {
      if (f.borders.length === 0) continue;
      const border = f.borders[(Math.floor(r / 3) + f.index) % f.borders.length];
      rows[r * width + f.index] = [border, below(border), above(border)][r % 3];
    }
    if (r % 5 === 0) rows[r * width + (r % width)] = Number.NaN;
  }
  rows.fill(Number.NaN, (n - 3) * width, (n - 2) * width);
  rows.fill(Infinity, (n - 2) * width, (n - 1) * width);
  rows.fill(-Infinity, (n - 1) * width, n * width);
  return { rows, n };
}

describe.skipIf(sharedModels.length === 0)('shared V9 models: generated WebAssembly and JavaScript equal the interpreter', () => {
  const probe = haveFixtures ? readRows('bench_d6_1000.rows.csv') : undefined;

  it.each(sharedModels)('%s', (file) => {
    const model = parseCbm(new Uint8Array(readFileSync(new URL(file, SHARED_V9))), file);
    const interpreter = new ObliviousEvaluator(model, file, { compiled: false });
    const sets = [borderRows(model)];
    if (probe && probe.header.length === model.featureNames.length) sets.push(probe);
    for (const [compiled, { rows, n }] of [new ObliviousEvaluator(model, file), new ObliviousEvaluator(model, file, { wasm: false })].flatMap((e) => sets.map((s) => [e, s] as const))) {
      const expected = interpreter.predict(rows, n);
      const actual = compiled.predict(rows, n);
      for (let r = 0; r < n; r++) expect(actual[r], `${file} row ${r}`).toBe(expected[r]);
      // Row by row (batch 1) too.
      const width = model.featureNames.length;
      const single = new Float64Array(1);
      for (let r = 0; r < n; r += 7) expect(compiled.predict(rows.subarray(r * width, (r + 1) * width), 1, single)[0]).toBe(expected[r]);
    }
  });
});
