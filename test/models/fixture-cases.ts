/**
 * The project's CatBoost-generated golden fixtures (test/fixtures/models, made by
 * test/fixtures/make_fixtures.py): `<stem>.cbm|.json|.onnx`, `<stem>.rows.csv` (header = feature
 * names, empty cell = NaN) and `<stem>.expected.json` (CatBoost's RawFormulaVal per row).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from '../../src/cli/csv.js';
import { PROJECT_MODEL_FIXTURES } from './helpers.js';

/**
 * |ONNX − CatBoost| bound for RawFormulaVal. ORT's TreeEnsembleRegressor accumulates the leaf
 * values in float32. Measured max |diff|: 1.2e-5 to 2.1e-5 on the fixtures (80-250 trees),
 * 4.1e-5 on the 1000-tree bench model and 3.4e-5 on the shared V9 A3 (997 trees) exported to
 * ONNX (bench/RESULTS.md). 1e-4 leaves headroom and is far below anything that moves a points
 * prediction (0.01 points).
 */
export const ONNX_TOLERANCE = 1e-4;
/** Native evaluator: CatBoost's own arithmetic, bit for bit in practice. */
export const NATIVE_TOLERANCE = 1e-9;

export interface FixtureModel {
  stem: string;
  dir: string;
  /** Model files present for this stem, by format. */
  files: Partial<Record<'cbm' | 'json' | 'onnx', string>>;
  rowsCsv: string;
  featureNames: string[];
  rows: number[][];
  expected: number[];
}

export function fixtureModels(dir = PROJECT_MODEL_FIXTURES): FixtureModel[] {
  if (!existsSync(dir)) return [];
  const names = new Set(readdirSync(dir));
  const out: FixtureModel[] = [];
  for (const name of [...names].sort()) {
    const m = /^(.*)\.expected\.json$/.exec(name);
    if (!m) continue;
    const stem = m[1]!;
    const doc = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { rows_file: string; feature_names: string[]; predictions: number[] };
    if (!names.has(doc.rows_file)) continue;
    const records = parseCsv(readFileSync(join(dir, doc.rows_file), 'utf8'));
    const rows = records.slice(1).map((r) => r.fields.map((f) => (f.trim() === '' || f.trim().toLowerCase() === 'nan' ? Number.NaN : Number(f))));
    const files: FixtureModel['files'] = {};
    for (const ext of ['cbm', 'json', 'onnx'] as const) if (names.has(`${stem}.${ext}`)) files[ext] = join(dir, `${stem}.${ext}`);
    out.push({ stem, dir, files, rowsCsv: join(dir, doc.rows_file), featureNames: doc.feature_names, rows, expected: doc.predictions });
  }
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
