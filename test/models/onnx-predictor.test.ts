import { describe, expect, it } from 'vitest';
import { isPwError } from '../../src/errors.js';
import { loadPredictor } from '../../src/models/load-predictor.js';
import { ModelStore } from '../../src/models/model-store.js';
import { ONNX_TOLERANCE, fixtureModels, maxAbsDiff } from './fixture-cases.js';

const store = new ModelStore();
const withOnnx = fixtureModels().filter((f) => f.files.onnx && f.files.cbm);
// Keep the suite quick: the smallest two models plus the NaN-trained one when present.
const cases = withOnnx.filter((f) => ['rmse_d4', 'q43_d6', 'nan_min_d6'].includes(f.stem));
const first = cases[0] ?? withOnnx[0];

describe.skipIf(!first)('ONNX predictor on CatBoost exports (test/fixtures/models)', () => {
  for (const fixture of cases.length > 0 ? cases : first ? [first] : []) {
    it(`${fixture.stem}: matches CatBoost within ${ONNX_TOLERANCE} and reports the same trees as the native model`, async () => {
      const onnx = await loadPredictor({ path: fixture.files.onnx!, engine: 'auto', store, featureSet: fixture.featureNames });
      const native = await loadPredictor({ path: fixture.files.cbm!, engine: 'auto', store });
      expect(onnx).toMatchObject({ format: 'onnx', engine: 'onnx', featureNames: fixture.featureNames, treeCount: native.treeCount });
      expect(onnx.treeDepths).toEqual(native.treeDepths);
      expect(onnx.sha256).toMatch(/^[0-9a-f]{64}$/);

      const flat = Float64Array.from(fixture.rows.flat());
      const out = await onnx.predict(flat, fixture.rows.length);
      expect(out).toBeInstanceOf(Float64Array);
      expect(maxAbsDiff(out, fixture.expected)).toBeLessThanOrEqual(ONNX_TOLERANCE);
      await onnx.close();
    });
  }

  it('gives the same values one row at a time, concurrently, as in one batch (buffer reuse is safe)', async () => {
    const fixture = first!;
    const p = await loadPredictor({ path: fixture.files.onnx!, engine: 'onnx', store, featureSet: fixture.featureNames });
    const width = fixture.featureNames.length;
    const rows = fixture.rows.slice(0, 40);
    const batch = await p.predict(Float64Array.from(rows.flat()), rows.length);
    const singles = await Promise.all(rows.map((r) => p.predict(Float64Array.from(r), 1)));
    expect(singles.map((s) => s[0])).toEqual(Array.from(batch));
    // Two concurrent batches of the same size must not share a buffer mid-run.
    const [a, b] = await Promise.all([
      p.predict(Float64Array.from(rows.slice(0, 20).flat()), 20),
      p.predict(Float64Array.from(rows.slice(20, 40).flat()), 20),
    ]);
    expect([...a, ...b]).toEqual(Array.from(batch));
    expect(await p.predict(new Float64Array(0), 0)).toHaveLength(0);
    const bad = await p.predict(new Float64Array(width - 1), 1).catch((e: unknown) => e);
    expect(isPwError(bad, 'PW_ERR_MODEL_INPUT')).toBe(true);
    await p.close();
    await p.close(); // idempotent
    const closed = await p.predict(Float64Array.from(rows[0]!), 1).catch((e: unknown) => e);
    expect(isPwError(closed, 'PW_ERR_MODEL_INPUT')).toBe(true);
  });

  it('names columns by position without a feature set, and refuses a feature set of another width', async () => {
    const fixture = first!;
    const plain = await loadPredictor({ path: fixture.files.onnx!, engine: 'auto', store });
    expect(plain.featureNames).toEqual(fixture.featureNames.map((_, i) => String(i)));
    await plain.close();
    const err = await loadPredictor({ path: fixture.files.onnx!, engine: 'auto', store, featureSet: [...fixture.featureNames, 'one_more'] }).catch(
      (e: unknown) => e,
    );
    expect(isPwError(err, 'PW_ERR_MODEL_FEATURES')).toBe(true);
    expect((err as Error).message).toMatch(new RegExp(`${fixture.stem}\\.onnx.*takes ${fixture.featureNames.length} features`));
  });
});
