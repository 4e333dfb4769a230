/**
 * Issue 7, classes 2 and 3: what a model's output means (its training loss) and load-time checks
 * that a model is a points model. Fixtures: test/fixtures/models/loss/ (made by
 * test/fixtures/make_fixtures.py `make_loss_fixtures`, CatBoost 1.2.8's own answers).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPwError, type ErrorCode } from '../../src/errors.js';
import { V9_FEATURE_INDEX, V9_FEATURE_NAMES } from '../../src/features/contract.js';
import { parseCbm } from '../../src/models/catboost/index.js';
import { loadPredictor } from '../../src/models/load-predictor.js';
import { createModelSet } from '../../src/models/model-set-loader.js';
import { ModelStore } from '../../src/models/model-store.js';
import { defaultPredictionType, lossFromParams } from '../../src/models/prediction-type.js';
import { parseRegistry } from '../../config/registry.js';
import { parseCsv } from '../../src/cli/csv.js';
import { ONNX_TOLERANCE } from './fixture-cases.js';
import { FakeObjects, PROJECT_MODEL_FIXTURES, recordingLogger, registryEntry, tempDir, tinyCatBoostJson } from './helpers.js';

const LOSS_DIR = join(PROJECT_MODEL_FIXTURES, 'loss');

let dir: string;
let cleanup: () => void;
let store: ModelStore;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  store = new ModelStore({ cwd: dir, cacheDir: join(dir, 'cache') });
});
afterEach(() => cleanup());

interface LossExpected {
  loss: string;
  default_prediction_type: string;
  rows_file: string;
  predictions: number[];
  raw_predictions: number[];
}

function fixture(stem: string): { expected: LossExpected; rows: Float64Array; n: number } {
  const expected = JSON.parse(readFileSync(join(LOSS_DIR, `${stem}.expected.json`), 'utf8')) as LossExpected;
  const records = parseCsv(readFileSync(join(LOSS_DIR, expected.rows_file), 'utf8')).slice(1);
  const rows = Float64Array.from(records.flatMap((r) => r.fields.map((f) => (f === '' ? Number.NaN : Number(f)))));
  return { expected, rows, n: records.length };
}

const rejection = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
async function expectRefused(p: Promise<unknown>, code: ErrorCode, ...parts: string[]): Promise<void> {
  const err = await rejection(p);
  expect(isPwError(err, code), `expected ${code}, got ${String(err)}`).toBe(true);
  for (const part of parts) expect((err as Error).message).toContain(part);
}

function writeModel(name: string, text: string | Uint8Array): string {
  writeFileSync(join(dir, name), text);
  return name;
}

describe('class 2: the training loss decides what predict() returns', () => {
  it.each([
    ['poisson_d4', 'cbm', 'Exponent'],
    ['poisson_d4', 'json', 'Exponent'],
    ['tweedie_d4', 'cbm', 'Exponent'],
    ['tweedie_d4', 'json', 'Exponent'],
    ['mae_d4', 'cbm', 'RawFormulaVal'],
  ] as const)('%s.%s: equals CatBoost predict() (default %s), and RawFormulaVal on request', async (stem, ext, type) => {
    const { expected, rows, n } = fixture(stem);
    expect(expected.default_prediction_type).toBe(type);
    const path = join(LOSS_DIR, `${stem}.${ext}`);
    const p = await loadPredictor({ path, engine: 'auto', store, featureSet: V9_FEATURE_NAMES });
    expect(p.predictionType).toBe(type);
    expect(p.loss.split(':')[0]).toBe(expected.loss.split(':')[0]);
    const got = await p.predict(rows, n);
    for (let i = 0; i < n; i++) expect(Math.abs(got[i]! - expected.predictions[i]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected.predictions[i]!)));
    if (type === 'Exponent') {
      // Points, not log-points: the values the issue found stored as ~3 are 12-32 here.
      expect(Math.max(...got)).toBeGreaterThan(10);
    }
    const raw = await loadPredictor({ path, engine: 'auto', store, predictionType: 'RawFormulaVal' });
    expect(raw.predictionType).toBe('RawFormulaVal');
    const gotRaw = await raw.predict(rows, n);
    for (let i = 0; i < n; i++) expect(Math.abs(gotRaw[i]! - expected.raw_predictions[i]!)).toBeLessThanOrEqual(1e-9);
  });

  it('poisson_d4.onnx: ONNX Runtime gives the raw sum; the loss from metadata_props makes it points', async () => {
    const { expected, rows, n } = fixture('poisson_d4');
    const p = await loadPredictor({ path: join(LOSS_DIR, 'poisson_d4.onnx'), engine: 'auto', store, featureSet: V9_FEATURE_NAMES });
    expect(p.predictionType).toBe('Exponent');
    const got = await p.predict(rows, n);
    for (let i = 0; i < n; i++) expect(Math.abs(got[i]! - expected.predictions[i]!) / expected.predictions[i]!).toBeLessThan(ONNX_TOLERANCE);
    await p.close();
  });

  it.each([
    ['logloss_d3.cbm', 'PW_ERR_MODEL_UNSUPPORTED', 'Logloss'],
    ['logloss_d3.json', 'PW_ERR_MODEL_UNSUPPORTED', 'Logloss'],
    ['uncertainty_d3.cbm', 'PW_ERR_MODEL_UNSUPPORTED', 'RMSEWithUncertainty'],
    ['uncertainty_d3.json', 'PW_ERR_MODEL_UNSUPPORTED', 'RMSEWithUncertainty'],
    // A classifier exported to ONNX: label + probabilities, not one float per row.
    ['logloss_d3.onnx', 'PW_ERR_MODEL_UNSUPPORTED', 'one float tensor output'],
  ] as const)('refuses %s at load with %s naming %s', async (file, code, part) => {
    await expectRefused(loadPredictor({ path: join(LOSS_DIR, file), engine: 'auto', store, featureSet: V9_FEATURE_NAMES }), code, part);
  });

  it('refuses every non-point loss and a model with no recorded loss; maps the point losses', () => {
    for (const loss of ['Logloss', 'CrossEntropy', 'MultiClass', 'MultiClassOneVsAll', 'RMSEWithUncertainty', 'MultiRMSE', 'YetiRank', 'QueryRMSE', 'SurvivalAft', 'Cox', 'LogLinQuantile:alpha=0.5', 'SomethingNew']) {
      let err: unknown;
      try {
        defaultPredictionType(loss, 'm.cbm');
      } catch (e) {
        err = e;
      }
      expect(isPwError(err, 'PW_ERR_MODEL_UNSUPPORTED'), loss).toBe(true);
      expect((err as Error).message).toContain(loss);
      expect((err as Error).message).not.toContain('\n');
    }
    expect(() => defaultPredictionType(undefined, 'm.cbm')).toThrow(/no training loss/);
    for (const loss of ['RMSE', 'MAE', 'Quantile:alpha=0.43', 'Expectile:alpha=0.5', 'Huber:delta=1', 'MAPE', 'LogCosh']) expect(defaultPredictionType(loss, 'm')).toBe('RawFormulaVal');
    for (const loss of ['Poisson', 'Tweedie:variance_power=1.5']) expect(defaultPredictionType(loss, 'm')).toBe('Exponent');
    expect(lossFromParams('{"loss_function":{"type":"Tweedie","params":{"__params_key_order":"x","variance_power":"1.5"}}}')).toBe('Tweedie:variance_power=1.5');
    expect(lossFromParams({ loss_function: { type: 'RMSE', params: {} } })).toBe('RMSE');
  });

  it('a hand-made model without loss metadata is refused, not served as points', async () => {
    const path = writeModel('noloss.json', tinyCatBoostJson({ featureNames: V9_FEATURE_NAMES, bias: 12, loss: null }));
    await expectRefused(loadPredictor({ path, engine: 'auto', store }), 'PW_ERR_MODEL_UNSUPPORTED', 'no training loss');
  });
});

describe('class 3: a model that loads must predict points', () => {
  it('refuses non-finite or absurd leaf values and bias before predicting anything', async () => {
    const huge = writeModel('huge.json', tinyCatBoostJson({ featureNames: V9_FEATURE_NAMES, bias: 10, trees: [{ feature: 0, leaves: [0, -4.4e182] }] }));
    await expectRefused(loadPredictor({ path: huge, engine: 'auto', store }), 'PW_ERR_MODEL_OUTPUT', 'leaf value -4.4e+182');
    const bias = writeModel('bias.json', tinyCatBoostJson({ featureNames: V9_FEATURE_NAMES, bias: 5e4 }));
    await expectRefused(loadPredictor({ path: bias, engine: 'auto', store }), 'PW_ERR_MODEL_OUTPUT', 'bias 50000');
  });

  it('the demo champion with 8 corrupted bytes in one leaf value and no declared sha256 is refused', async () => {
    const bytes = new Uint8Array(readFileSync(join(import.meta.dirname, '../../models/catboost_v9_demo_champion.cbm')));
    const leaves = parseCbm(bytes, 'champion').leafValues;
    // Find leaf #5's eight bytes in the file and overwrite them with another double.
    const target = new Uint8Array(new Float64Array([leaves[5]!]).buffer);
    let at = -1;
    for (let i = 0; i + 8 <= bytes.length && at < 0; i++) if (target.every((b, k) => bytes[i + k] === b)) at = i;
    expect(at).toBeGreaterThan(0);
    bytes.set(new Uint8Array(new Float64Array([-4.4e182]).buffer), at);
    const path = writeModel('corrupt_champion.cbm', bytes);
    await expectRefused(loadPredictor({ path, engine: 'auto', store, featureSet: V9_FEATURE_NAMES }), 'PW_ERR_MODEL_OUTPUT', 'corrupt_champion.cbm');
  });

  it('predicts probe rows inside the load: an implausible answer refuses the model', async () => {
    // Every leaf is small, but the bias puts every prediction at 900 points.
    const path = writeModel('nine_hundred.json', tinyCatBoostJson({ featureNames: V9_FEATURE_NAMES, bias: 900 }));
    await expectRefused(loadPredictor({ path, engine: 'auto', store }), 'PW_ERR_MODEL_OUTPUT', 'probe row 1', 'plausible points range');
    // Exponent model whose log-scale output exp()s to 1e5 points.
    const poisson = writeModel('poisson_big.json', tinyCatBoostJson({ featureNames: V9_FEATURE_NAMES, bias: 12, loss: 'Poisson' }));
    await expectRefused(loadPredictor({ path: poisson, engine: 'auto', store }), 'PW_ERR_MODEL_OUTPUT', 'probe row 1');
  });

  it('an out-of-range prediction on one message is that model failing, not a row', async () => {
    // Plausible on the probe rows (injury_risk 0 there), 510 points when injury_risk is 1.
    const injury = V9_FEATURE_INDEX.injury_risk;
    writeModel('champ.json', tinyCatBoostJson({ featureNames: V9_FEATURE_NAMES, bias: 10, trees: [{ feature: injury, leaves: [0, 500] }] }));
    writeModel('ok.json', tinyCatBoostJson({ featureNames: V9_FEATURE_NAMES, bias: 20 }));
    const set = await createModelSet({
      championPath: 'champ.json',
      registry: parseRegistry({ catboost_v9_ok: registryEntry('ok.json') }),
      store,
      engine: 'auto',
      logger: recordingLogger(),
    });
    expect(set.champion).toBeDefined();
    const row = new Float64Array(V9_FEATURE_NAMES.length).fill(1);
    const [champion, ok] = await set.predictAll(row);
    expect(champion!.ok).toBe(false);
    expect(!champion!.ok && isPwError(champion!.error, 'PW_ERR_MODEL_OUTPUT')).toBe(true);
    expect(!champion!.ok && champion!.error.message).toContain('510');
    expect(ok).toMatchObject({ ok: true, value: 20 });
    row[injury] = 0;
    expect((await set.predictAll(row))[0]).toMatchObject({ ok: true, value: 10 });
    await set.close();
  });

  it('outside local mode a gs:// model without a declared sha256 is refused (champion and challengers)', async () => {
    const objects = new FakeObjects();
    const text = new TextEncoder().encode(tinyCatBoostJson({ featureNames: V9_FEATURE_NAMES, bias: 15 }));
    objects.put('bucket', 'champ.json', text);
    objects.put('bucket', 'chal.json', text);
    const remoteStore = new ModelStore({ cwd: dir, cacheDir: join(dir, 'cache'), objects });
    const options = {
      championPath: 'gs://bucket/champ.json',
      registry: parseRegistry({ catboost_v9_remote: registryEntry('gs://bucket/chal.json') }),
      store: remoteStore,
      engine: 'auto' as const,
      logger: recordingLogger(),
    };
    const strict = await createModelSet({ ...options, requireSha256ForRemote: true });
    expect(strict.champion).toBeUndefined();
    expect(strict.status().map((s) => [s.systemId, s.state, s.errorCode])).toEqual([
      ['catboost_v9', 'failed', 'PW_ERR_MODEL_UNVERIFIED'],
      ['catboost_v9_remote', 'failed', 'PW_ERR_MODEL_UNVERIFIED'],
    ]);
    expect(objects.downloads).toBe(0);
    const local = await createModelSet({ ...options, requireSha256ForRemote: false });
    expect(local.loaded.map((m) => m.systemId)).toEqual(['catboost_v9', 'catboost_v9_remote']);
    await local.close();
  });
});

describe('cli predict prints what CatBoost predict() prints', () => {
  async function cliPredict(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const { main } = await import('../../src/cli/index.js');
    let stdout = '';
    let stderr = '';
    const code = await main(['predict', ...args], { out: (t) => void (stdout += t), err: (t) => void (stderr += t), env: { MODEL_CACHE_DIR: join(dir, 'cache') }, cwd: LOSS_DIR });
    return { code, stdout, stderr };
  }

  it('default = Exponent for Poisson; --prediction-type RawFormulaVal = the raw sum', async () => {
    const { expected } = fixture('poisson_d4');
    const byDefault = await cliPredict(['--model', 'poisson_d4.cbm', '--input', 'poisson_d4.rows.csv']);
    expect(byDefault.code).toBe(0);
    const values = byDefault.stdout.trimEnd().split('\n').map(Number);
    expect(values).toHaveLength(expected.predictions.length);
    values.forEach((v, i) => expect(Math.abs(v - expected.predictions[i]!)).toBeLessThanOrEqual(1e-9 * expected.predictions[i]!));
    const raw = await cliPredict(['--model', 'poisson_d4.cbm', '--input', 'poisson_d4.rows.csv', '--prediction-type', 'RawFormulaVal']);
    raw.stdout.trimEnd().split('\n').map(Number).forEach((v, i) => expect(Math.abs(v - expected.raw_predictions[i]!)).toBeLessThanOrEqual(1e-12));
    const bad = await cliPredict(['--model', 'poisson_d4.cbm', '--input', 'poisson_d4.rows.csv', '--prediction-type', 'Probability']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--prediction-type must be one of');
  });

  it('a Logloss model: one line on stderr naming the loss, nothing on stdout', async () => {
    const r = await cliPredict(['--model', 'logloss_d3.cbm', '--input', 'poisson_d4.rows.csv']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/PW_ERR_MODEL_UNSUPPORTED.*Logloss/);
  });
});

describe('class 3 for ONNX: leaf values and base values are checked too', () => {
  it('reads CatBoost ONNX target_weights / base_values (= the .json leaves and bias, in float32)', async () => {
    const { readOnnxModelInfo } = await import('../../src/models/onnx-model-info.js');
    const info = readOnnxModelInfo(new Uint8Array(readFileSync(join(PROJECT_MODEL_FIXTURES, 'rmse_d4.onnx'))));
    const json = JSON.parse(readFileSync(join(PROJECT_MODEL_FIXTURES, 'rmse_d4.json'), 'utf8')) as { oblivious_trees: Array<{ leaf_values: number[] }>; scale_and_bias: [number, number[]] };
    const leaves = json.oblivious_trees.flatMap((t) => t.leaf_values);
    expect(info.leafWeights).toHaveLength(leaves.length);
    expect([...info.leafWeights].sort((a, b) => a - b)).toEqual(leaves.map((v) => Math.fround(v)).sort((a, b) => a - b));
    expect(info.baseValues).toEqual([Math.fround(json.scale_and_bias[1][0]!)]);
  });

  it('an .onnx file with one corrupted leaf weight is refused at load', async () => {
    const { readOnnxModelInfo } = await import('../../src/models/onnx-model-info.js');
    const bytes = new Uint8Array(readFileSync(join(PROJECT_MODEL_FIXTURES, 'rmse_d4.onnx')));
    const weight = readOnnxModelInfo(bytes).leafWeights[7]!;
    const target = new Uint8Array(new Float32Array([weight]).buffer);
    let at = -1;
    for (let i = 0; i + 4 <= bytes.length && at < 0; i++) if (target.every((b, k) => bytes[i + k] === b)) at = i;
    expect(at).toBeGreaterThan(0);
    bytes.set(new Uint8Array(new Float32Array([-4.4e30]).buffer), at);
    const path = writeModel('corrupt.onnx', bytes);
    await expectRefused(loadPredictor({ path, engine: 'auto', store, featureSet: V9_FEATURE_NAMES }), 'PW_ERR_MODEL_OUTPUT', 'leaf weight', 'corrupt.onnx');
  });
});
