import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPwError } from '../../src/errors.js';
import { V9_FEATURE_NAMES } from '../../src/features/contract.js';
import { loadPredictor, modelFormatOf } from '../../src/models/load-predictor.js';
import { ModelStore } from '../../src/models/model-store.js';
import { SHARED_FIXTURES, haveSharedV9, tempDir, tinyCatBoostJson, tinyExpected, type TinyModelSpec } from './helpers.js';

let dir: string;
let cleanup: () => void;
let store: ModelStore;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  store = new ModelStore({ cwd: dir, cacheDir: join(dir, 'cache') });
});
afterEach(() => cleanup());

/** Shared V9 models: machine-dependent (test/helpers/machine.ts). */
const HAVE_SHARED_V9 = haveSharedV9();

const spec: TinyModelSpec = {
  featureNames: V9_FEATURE_NAMES,
  bias: 10.5,
  trees: [
    { feature: 0, leaves: [-1.25, 2.5] },
    { feature: 25, leaves: [0.125, -0.75] },
    { feature: 0, leaves: [0.5, 0.25] },
  ],
};

function writeModel(name: string, text: string | Uint8Array): string {
  writeFileSync(join(dir, name), text);
  return name;
}

const rejection = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

describe('loadPredictor', () => {
  it('loads a CatBoost JSON model on the native engine and fills every ModelInfo field', async () => {
    const text = tinyCatBoostJson(spec);
    const p = await loadPredictor({ path: writeModel('tiny.json', text), engine: 'auto', store, featureSet: V9_FEATURE_NAMES });
    expect(p).toMatchObject({
      path: 'tiny.json',
      localPath: join(dir, 'tiny.json'),
      format: 'json',
      engine: 'native',
      sha256: createHash('sha256').update(text).digest('hex'),
      sizeBytes: Buffer.byteLength(text),
      treeCount: 3,
    });
    expect(p.featureNames).toEqual(V9_FEATURE_NAMES);
    expect(p.treeDepths).toEqual([1, 1, 1]);
    expect(p.loadMs).toBeGreaterThanOrEqual(0);

    const rows = new Float64Array(2 * 33).fill(Number.NaN);
    rows[0] = 3; // row 0: points_avg_last_5 above the border
    rows[33 + 25] = 0.75; // row 1: vegas_points_line above, points_avg_last_5 missing
    const out = await p.predict(rows, 2);
    expect(Array.from(out)).toEqual([tinyExpected(spec, rows.subarray(0, 33)), tinyExpected(spec, rows.subarray(33))]);
    await p.close();
  });

  it('rejects a bad input shape with PW_ERR_MODEL_INPUT', async () => {
    const p = await loadPredictor({ path: writeModel('tiny.json', tinyCatBoostJson(spec)), engine: 'native', store });
    const err = await rejection(p.predict(new Float64Array(32), 1));
    expect(isPwError(err, 'PW_ERR_MODEL_INPUT')).toBe(true);
  });

  it('refuses an unknown extension before fetching anything', async () => {
    expect(() => modelFormatOf('model.pkl')).toThrow(/\.pkl.*expected \.cbm, \.json or \.onnx/);
    const err = await rejection(loadPredictor({ path: 'does-not-exist.bin', engine: 'auto', store }));
    expect(isPwError(err, 'PW_ERR_MODEL_UNSUPPORTED')).toBe(true); // not NOT_FOUND: no fetch happened
    expect((err as Error).message).toContain('does-not-exist.bin');
  });

  it('refuses engine/format combinations that cannot work, with a clear message', async () => {
    const onnxOnNative = await rejection(loadPredictor({ path: 'm.onnx', engine: 'native', store }));
    expect(isPwError(onnxOnNative, 'PW_ERR_MODEL_UNSUPPORTED')).toBe(true);
    const cbmOnOnnx = await rejection(loadPredictor({ path: 'm.cbm', engine: 'onnx', store }));
    expect(isPwError(cbmOnOnnx, 'PW_ERR_MODEL_UNSUPPORTED')).toBe(true);
    expect((cbmOnOnnx as Error).message).toMatch(/export to \.onnx first/);
  });

  it('turns a corrupt or truncated file into a PwError naming the file', async () => {
    const cases: Array<[string, Uint8Array | string]> = [
      ['garbage.cbm', new Uint8Array(64).map((_, i) => (i * 37) & 0xff)],
      ['empty.cbm', new Uint8Array(0)],
      ['broken.json', '{"features_info": {'],
      ['garbage.onnx', 'this is not protobuf at all'],
    ];
    if (HAVE_SHARED_V9) {
      const real = readFileSync(join(SHARED_FIXTURES, 'v9-models/catboost_v9_exp_A1_20260129_210936.cbm'));
      cases.push(['truncated.cbm', real.subarray(0, Math.floor(real.length / 2))]);
    }
    for (const [name, bytes] of cases) {
      const err = await rejection(loadPredictor({ path: writeModel(name, bytes), engine: 'auto', store }));
      expect(isPwError(err), `${name}: ${String(err)}`).toBe(true);
      expect(['PW_ERR_MODEL_FORMAT', 'PW_ERR_MODEL_UNSUPPORTED']).toContain((err as { code: string }).code);
      expect((err as Error).message).toContain(name);
    }
  });

  it('refuses a model whose features differ from the declared feature set (PW_ERR_MODEL_FEATURES)', async () => {
    // 34 features: the V9 set plus one, like the 36-feature model in a 33-feature slot (10.21).
    const wide = tinyCatBoostJson({ featureNames: [...V9_FEATURE_NAMES, 'extra_feature'], bias: 1 });
    const err = await rejection(loadPredictor({ path: writeModel('wide.json', wide), engine: 'auto', store, featureSet: V9_FEATURE_NAMES }));
    expect(isPwError(err, 'PW_ERR_MODEL_FEATURES')).toBe(true);
    expect((err as Error).message).toContain('wide.json');
    expect((err as Error).message).toContain('34 features');

    const swapped = [...V9_FEATURE_NAMES];
    [swapped[0], swapped[1]] = [swapped[1]!, swapped[0]!];
    const reordered = tinyCatBoostJson({ featureNames: swapped, bias: 1 });
    const err2 = await rejection(loadPredictor({ path: writeModel('swapped.json', reordered), engine: 'auto', store, featureSet: V9_FEATURE_NAMES }));
    expect(isPwError(err2, 'PW_ERR_MODEL_FEATURES')).toBe(true);
    expect((err2 as Error).message).toContain(`feature #0 is '${V9_FEATURE_NAMES[1]}'`);
  });

  it('refuses a declared sha256 that differs before parsing', async () => {
    const err = await rejection(
      loadPredictor({ path: writeModel('tiny.json', tinyCatBoostJson(spec)), engine: 'auto', store, expectedSha256: '0'.repeat(64) }),
    );
    expect(isPwError(err, 'PW_ERR_MODEL_SHA256')).toBe(true);
  });

  it.skipIf(!HAVE_SHARED_V9)('loads a real V9 model with its tree structure (shared fixtures)', async () => {
    const sharedStore = new ModelStore({ cwd: SHARED_FIXTURES });
    const p = await loadPredictor({ path: 'v9-models/catboost_v9_exp_B2_20260129_211911.cbm', engine: 'auto', store: sharedStore, featureSet: V9_FEATURE_NAMES });
    const meta = JSON.parse(readFileSync(join(SHARED_FIXTURES, 'v9-models/catboost_v9_exp_B2_20260129_211911_metadata.json'), 'utf8')) as { features: string[] };
    expect(p.featureNames).toEqual(meta.features);
    expect(p.treeDepths.length).toBe(p.treeCount);
    // B2 mixes depths (two depth-4 trees): the depths are read per tree, not assumed.
    expect(new Set(p.treeDepths)).toEqual(new Set([4, 6]));
  });
});
