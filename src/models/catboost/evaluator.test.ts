import { describe, expect, it } from 'vitest';
import { isPwError } from '../../errors.js';
import { ObliviousEvaluator } from './evaluator.js';
import type { NanValueTreatment, ObliviousModel } from './model.js';

/** One feature with borders -1, 0, 1 and one depth-2 tree on borders 0 and 2: leaf = bits. */
function oneFeature(nanValueTreatment: NanValueTreatment, hasNans = true): ObliviousModel {
  return {
    featureNames: ['x'],
    floatFeatures: [{ index: 0, borders: [-1, 0, 1], hasNans, nanValueTreatment }],
    treeDepths: [2],
    treeSplits: [0, 2],
    leafValues: [10, 11, 12, 13],
    scale: 1,
    bias: 0,
  };
}

const predictOne = (model: ObliviousModel, x: number) => new ObliviousEvaluator(model).predict(Float64Array.of(x), 1)[0];

describe('ObliviousEvaluator', () => {
  it('compares x > border strictly, bit j from split j', () => {
    const model = oneFeature('AsIs');
    expect(predictOne(model, -2)).toBe(10);
    expect(predictOne(model, -1)).toBe(10); // equal to the border: not greater
    expect(predictOne(model, -0.5)).toBe(11);
    expect(predictOne(model, 1)).toBe(11);
    expect(predictOne(model, 1.5)).toBe(13);
    expect(predictOne(model, Infinity)).toBe(13);
    expect(predictOne(model, -Infinity)).toBe(10);
  });

  it('NaN: AsIs and AsFalse go below every border, AsTrue above every border', () => {
    expect(predictOne(oneFeature('AsIs'), Number.NaN)).toBe(10);
    expect(predictOne(oneFeature('AsFalse'), Number.NaN)).toBe(10);
    expect(predictOne(oneFeature('AsTrue'), Number.NaN)).toBe(13);
  });

  it('NaN: the treatment applies only when the feature had NaNs (HasNans)', () => {
    expect(predictOne(oneFeature('AsTrue', false), Number.NaN)).toBe(10);
  });

  it('rounds inputs to float32 before comparing', () => {
    const model: ObliviousModel = { ...oneFeature('AsIs'), floatFeatures: [{ index: 0, borders: [Math.fround(0.9)], hasNans: false, nanValueTreatment: 'AsIs' }], treeSplits: [0, 0] };
    // 0.9 > float32(0.9) as doubles, but float32(0.9) is not greater than itself.
    expect(0.9 > Math.fround(0.9)).toBe(true);
    expect(predictOne(model, 0.9)).toBe(10);
    expect(predictOne(model, 0.9000001)).toBe(13);
  });

  it('sums trees in order then applies scale and bias; mixes depths; ignores unused columns', () => {
    const model: ObliviousModel = {
      featureNames: ['unused', 'a', 'b'],
      floatFeatures: [
        { index: 0, borders: [], hasNans: false, nanValueTreatment: 'AsIs' },
        { index: 1, borders: [0.5], hasNans: false, nanValueTreatment: 'AsIs' },
        { index: 2, borders: [1, 2], hasNans: false, nanValueTreatment: 'AsIs' },
      ],
      treeDepths: [1, 0, 3],
      treeSplits: [0, 1, 2, 0],
      leafValues: [0.1, 0.2, 0.3, 1, 2, 3, 4, 5, 6, 7, 8],
      scale: 0.5,
      bias: 3,
    };
    const evaluator = new ObliviousEvaluator(model);
    // row (999, 1, 1.5): tree0 bit a>0.5=1 -> 0.2; tree1 (depth 0) -> 0.3; tree2 bits b>1=1, b>2=0, a>0.5=1 -> leaf 0b101 = 5 -> 6.
    const out = evaluator.predict(Float64Array.of(999, 1, 1.5, -999, 0, 0), 2);
    expect(out[0]).toBe(0.5 * (0 + 0.2 + 0.3 + 6) + 3);
    expect(out[1]).toBe(0.5 * (0 + 0.1 + 0.3 + 1) + 3);
  });

  it('gives the same value per row in a batch as alone, reusing a passed output array', () => {
    const evaluator = new ObliviousEvaluator(oneFeature('AsTrue'));
    const rows = Float64Array.of(-3, 0.5, Number.NaN, 7, -1);
    const out = new Float64Array(8).fill(99);
    expect(evaluator.predict(rows, 5, out)).toBe(out);
    for (let r = 0; r < 5; r++) expect(out[r]).toBe(evaluator.predict(rows.subarray(r, r + 1), 1)[0]);
  });

  it('rejects a batch whose length is not n × featureCount', () => {
    const evaluator = new ObliviousEvaluator(oneFeature('AsIs'), 'm1');
    let thrown: unknown;
    try {
      evaluator.predict(new Float64Array(3), 2);
    } catch (err) {
      thrown = err;
    }
    expect(isPwError(thrown, 'PW_ERR_MODEL_INPUT')).toBe(true);
    expect((thrown as Error).message).toContain('m1');
  });

  it('refuses a model whose borders are not ascending float32 values', () => {
    const descending = { ...oneFeature('AsIs'), floatFeatures: [{ index: 0, borders: [1, 0, 2], hasNans: false, nanValueTreatment: 'AsIs' as const }] };
    expect(() => new ObliviousEvaluator(descending, 'd')).toThrow(/ascending/);
    const notFloat32 = { ...oneFeature('AsIs'), floatFeatures: [{ index: 0, borders: [0.1, 0.2, 0.3], hasNans: false, nanValueTreatment: 'AsIs' as const }] };
    expect(() => new ObliviousEvaluator(notFloat32, 'f')).toThrow(/float32/);
  });
});
