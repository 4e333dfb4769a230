/**
 * The six real V9 models (../shared/fixtures/v9-models, read in place) against CatBoost itself:
 * rows probing every split border (exactly on it, one float32 step above and below), NaN and
 * ±inf rows and synthetic rows are written to a temp dir, CatBoost's Python `predict`
 * (RawFormulaVal) scores them, and the native evaluator must match to the bit. Nothing derived
 * from the shared models is written into the repository.
 *
 * Needs a Python with `catboost` (CATBOOST_PYTHON, else test/fixtures/.work/venv, else python3);
 * .ci/run installs it. Under CI=true a missing oracle fails the suite instead of skipping.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCbm, ObliviousEvaluator } from '../../src/models/catboost/index.js';
import { generateSeason } from '../../src/synthetic/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const V9_DIR = join(ROOT, '../shared/fixtures/v9-models');
const SCRIPT = join(ROOT, 'test/ci/catboost_predict.py');

function findPython(): string | undefined {
  const candidates = [process.env.CATBOOST_PYTHON, join(ROOT, 'test/fixtures/.work/venv/bin/python'), 'python3'].filter(Boolean) as string[];
  return candidates.find((py) => spawnSync(py, ['-c', 'import catboost'], { stdio: 'ignore' }).status === 0);
}

const python = findPython();
const haveModels = existsSync(V9_DIR);
if (process.env.CI === 'true' && (!python || !haveModels)) {
  throw new Error(`CI needs the CatBoost oracle: python with catboost ${python ? 'found' : 'NOT found'}, V9 models ${haveModels ? 'found' : 'NOT found'} at ${V9_DIR}`);
}

/** float32 neighbours of a float32 value. */
function nextFloat32(x: number, up: boolean): number {
  const f = new Float32Array([x]);
  const i = new Int32Array(f.buffer);
  if (x === 0) i[0] = up ? 1 : -2147483647;
  else if ((x > 0) === up) i[0]! += 1;
  else i[0]! -= 1;
  return f[0]!;
}

/** Probe rows: for every border of every feature, on / above / below it (others from a base row), plus NaN/inf rows. */
function probeRows(model: ReturnType<typeof parseCbm>, base: number[][]): number[][] {
  const width = model.featureNames.length;
  const rows: number[][] = [...base];
  let k = 0;
  for (const feature of model.floatFeatures) {
    for (let b = 0; b < feature.borders.length; b++) {
      const border = feature.borders[b]!;
      for (const value of [border, nextFloat32(border, true), nextFloat32(border, false)]) {
        const row = [...base[k++ % base.length]!];
        row[feature.index] = value;
        rows.push(row);
      }
    }
  }
  for (let c = 0; c < width; c++) {
    const row = [...base[c % base.length]!];
    row[c] = Number.NaN;
    rows.push(row);
  }
  rows.push(Array(width).fill(Number.NaN), Array(width).fill(Infinity), Array(width).fill(-Infinity));
  return rows;
}

const cell = (v: number) => (Number.isNaN(v) ? '' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : String(Math.fround(v)));

const tmp = mkdtempSync(join(tmpdir(), 'pw-v9-parity-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!python || !haveModels)('V9 models: native evaluator == CatBoost predict', () => {
  const season = generateSeason({ seed: 9, startDate: '2026-01-05', days: 3 });
  const base = season.days.flatMap((d) => d.playerGames.map((pg) => pg.features));
  const models = haveModels ? readdirSync(V9_DIR).filter((f) => f.endsWith('.cbm')).sort() : [];

  it.each(models)('%s', (file) => {
    const path = join(V9_DIR, file);
    const model = parseCbm(new Uint8Array(readFileSync(path)), file);
    const rows = probeRows(model, base);
    const csvPath = join(tmp, `${file}.csv`);
    writeFileSync(csvPath, [model.featureNames.join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n');
    const outPath = join(tmp, `${file}.json`);
    execFileSync(python!, [SCRIPT, path, csvPath, outPath], { stdio: ['ignore', 'ignore', 'inherit'] });
    const expected = (JSON.parse(readFileSync(outPath, 'utf8')) as { predictions: number[] }).predictions;
    expect(expected).toHaveLength(rows.length);

    const flat = Float64Array.from(rows.flat().map((v) => (Number.isNaN(v) ? v : Math.fround(v))));
    const paths = [
      { label: 'WebAssembly (default)', options: {} },
      { label: 'generated JavaScript', options: { wasm: false } },
      { label: 'interpreter', options: { compiled: false } },
    ];
    for (const { label, options } of paths) {
      const evaluator = new ObliviousEvaluator(model, file, options);
      const got = evaluator.predict(flat, rows.length);
      let mismatches = 0;
      for (let i = 0; i < rows.length; i++) if (got[i] !== expected[i]) mismatches++;
      expect(mismatches, `${label}: rows differing from CatBoost`).toBe(0);
      // One row at a time too (the worker's case; the WebAssembly path walks a single row differently).
      const width = model.featureNames.length;
      const one = new Float64Array(1);
      let singleMismatches = 0;
      for (let i = 0; i < rows.length; i++) if (evaluator.predict(flat.subarray(i * width, (i + 1) * width), 1, one)[0] !== expected[i]) singleMismatches++;
      expect(singleMismatches, `${label}, one row at a time: rows differing from CatBoost`).toBe(0);
    }
  });
});
