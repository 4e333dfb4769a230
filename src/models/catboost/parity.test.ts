/**
 * Parity with real CatBoost: every model of test/fixtures/models (trained by CatBoost 1.2.8,
 * see test/fixtures/README.md) evaluated from its .cbm and its JSON export must give CatBoost's
 * own RawFormulaVal for every probe row (borders, one float32 step either side, NaNs).
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { V9_FEATURE_NAMES } from '../../features/contract.js';
import { loadNativeModel } from './index.js';

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

    it.each(['cbm', 'json'] as const)('from .%s matches every row', (format) => {
      const evaluator = loadNativeModel(readFixture(model.files[format].file), format, model.files[format].file);
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
    });
  });
});
