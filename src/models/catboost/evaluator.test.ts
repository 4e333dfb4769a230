import { describe, expect, it } from 'vitest';
import { isPwError } from '../../errors.js';
import { type EvaluatorOptions, ObliviousEvaluator } from './evaluator.js';
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

/** Both paths must behave identically: generated code (default) and the reference interpreter. */
const PATHS: { path: string; options: EvaluatorOptions }[] = [
  { path: 'WebAssembly (default)', options: {} },
  { path: 'generated JavaScript', options: { wasm: false } },
  { path: 'interpreter', options: { compiled: false } },
  // Tiny chunks and blocks: trees and rows cross chunk and block boundaries.
  { path: 'generated JavaScript, 1 tree per chunk, 2 rows per block', options: { wasm: false, treesPerChunk: 1, blockRows: 2 } },
];

/**
 * Straightforward reference: every split as `fround(x) > border` (NaN treatment per feature),
 * leaf index Σ bit_j << j, leaves summed in tree order from 0.0, then scale * sum + bias.
 */
function referencePredict(model: ObliviousModel, row: ArrayLike<number>): number {
  const binary: { column: number; border: number; nanValue: number }[] = [];
  for (const f of model.floatFeatures) {
    const treatment = f.hasNans ? f.nanValueTreatment : 'AsIs';
    const nanValue = treatment === 'AsTrue' ? Infinity : treatment === 'AsFalse' ? -Infinity : Number.NaN;
    for (let b = 0; b < f.borders.length; b++) binary.push({ column: f.index, border: f.borders[b], nanValue });
  }
  let sum = 0;
  let split = 0;
  let leaf = 0;
  for (let t = 0; t < model.treeDepths.length; t++) {
    const depth = model.treeDepths[t];
    let index = 0;
    for (let j = 0; j < depth; j++) {
      const { column, border, nanValue } = binary[model.treeSplits[split + j]];
      let x = Math.fround(row[column]);
      if (Number.isNaN(x)) x = nanValue;
      if (x > border) index |= 1 << j;
    }
    sum += model.leafValues[leaf + index];
    split += depth;
    leaf += 2 ** depth;
  }
  return model.scale * sum + model.bias;
}

/** Deterministic pseudo-random numbers (tests must not depend on Math.random). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

it('compiles by default; { compiled: false } selects the interpreter', () => {
  expect(new ObliviousEvaluator(oneFeature('AsIs')).isCompiled).toBe(true);
  expect(new ObliviousEvaluator(oneFeature('AsIs')).engine).toBe('wasm');
  expect(new ObliviousEvaluator(oneFeature('AsIs'), 'm', { wasm: false }).engine).toBe('js');
  expect(new ObliviousEvaluator(oneFeature('AsIs'), 'm', { compiled: false }).isCompiled).toBe(false);
});

/** A random model: `features` columns (each with up to `maxBorders` borders), trees of the given depths. */
function randomModel(seed: number, features: number, depths: number[], maxBorders: number): ObliviousModel {
  const random = lcg(seed);
  const treatments: NanValueTreatment[] = ['AsIs', 'AsFalse', 'AsTrue'];
  const floatFeatures = Array.from({ length: features }, (_, f) => {
    const count = f % 7 === 3 ? 0 : f === 0 ? maxBorders : 1 + Math.floor(random() * maxBorders);
    const borders = new Set<number>();
    while (borders.size < count) borders.add(Math.fround((random() - 0.5) * 40));
    return { index: f, borders: [...borders].sort((a, b) => a - b), hasNans: f % 2 === 0, nanValueTreatment: treatments[f % 3]! };
  });
  const binaryCount = floatFeatures.reduce((n, f) => n + f.borders.length, 0);
  const treeSplits = depths.flatMap((d) => Array.from({ length: d }, () => Math.floor(random() * binaryCount)));
  const leafValues = depths.flatMap((d) => Array.from({ length: 2 ** d }, () => (random() - 0.5) * 3));
  return { featureNames: floatFeatures.map((_, i) => `f${i}`), floatFeatures, treeDepths: depths, treeSplits, leafValues, scale: 0.75, bias: 3 };
}

function randomRows(seed: number, features: number, n: number): Float64Array {
  const random = lcg(seed);
  return Float64Array.from({ length: n * features }, () => (random() < 0.1 ? Number.NaN : (random() - 0.5) * 50));
}

describe('WebAssembly path: shapes and limits', () => {
  const expectReference = (model: ObliviousModel, engine: string) => {
    const width = model.featureNames.length;
    const evaluator = new ObliviousEvaluator(model, 'random');
    expect(evaluator.engine).toBe(engine);
    for (const n of [1, 2, 3, 4, 5, 16, 17, 40]) {
      const rows = randomRows(n, width, n);
      const out = evaluator.predict(rows, n);
      for (let r = 0; r < n; r++) expect(out[r], `batch ${n} row ${r}`).toBe(referencePredict(model, rows.subarray(r * width, (r + 1) * width)));
    }
  };

  it('many features (more than 64: the general one-row walk), depths 0 to 8 mixed, groups of 16 trees not full', () => {
    const depths = Array.from({ length: 61 }, (_, t) => [6, 0, 8, 1, 7, 3, 6, 2][t % 8]!);
    expectReference(randomModel(11, 80, depths, 40), 'wasm'); // 69 used features: 5 bins vectors
  });

  it('each bins-vector count 1–4 (1–64 features) takes the unrolled one-row walk', () => {
    for (const features of [5, 20, 40, 64]) expectReference(randomModel(features, features, Array.from({ length: 20 }, () => 6), 30), 'wasm');
  });

  it('255 borders on a feature still fit; 256 borders or depth 9 fall back to generated JavaScript', () => {
    expectReference(randomModel(3, 4, [6, 6, 2], 255), 'wasm');
    expectReference(randomModel(4, 4, [6, 6, 2], 256), 'js');
    expectReference(randomModel(5, 4, [6, 9, 2], 20), 'js');
  });
});

describe.each(PATHS)('ObliviousEvaluator ($path)', ({ options }) => {
  const predictOne = (model: ObliviousModel, x: number) => new ObliviousEvaluator(model, 'model', options).predict(Float64Array.of(x), 1)[0];

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
    const evaluator = new ObliviousEvaluator(model, 'model', options);
    // row (999, 1, 1.5): tree0 bit a>0.5=1 -> 0.2; tree1 (depth 0) -> 0.3; tree2 bits b>1=1, b>2=0, a>0.5=1 -> leaf 0b101 = 5 -> 6.
    const out = evaluator.predict(Float64Array.of(999, 1, 1.5, -999, 0, 0), 2);
    expect(out[0]).toBe(0.5 * (0 + 0.2 + 0.3 + 6) + 3);
    expect(out[1]).toBe(0.5 * (0 + 0.1 + 0.3 + 1) + 3);
  });

  it('gives the same value per row in a batch as alone, reusing a passed output array', () => {
    const evaluator = new ObliviousEvaluator(oneFeature('AsTrue'), 'model', options);
    const rows = Float64Array.of(-3, 0.5, Number.NaN, 7, -1);
    const out = new Float64Array(8).fill(99);
    expect(evaluator.predict(rows, 5, out)).toBe(out);
    for (let r = 0; r < 5; r++) expect(out[r]).toBe(evaluator.predict(rows.subarray(r, r + 1), 1)[0]);
  });

  it('matches a straightforward reference on a B2-like model (depth 6 and 4 trees, every NaN treatment, infinite borders)', () => {
    const random = lcg(7);
    const treatments: NanValueTreatment[] = ['AsIs', 'AsFalse', 'AsTrue'];
    const floatFeatures = Array.from({ length: 6 }, (_, f) => {
      // Ascending float32 borders; feature 5 has none (unused column), feature 4 ends in +inf.
      const count = f === 5 ? 0 : 3 + Math.floor(random() * 30);
      const borders = new Set<number>();
      while (borders.size < count) borders.add(Math.fround((random() - 0.5) * 20));
      const sorted = [...borders].sort((a, b) => a - b);
      if (f === 4) sorted[sorted.length - 1] = Infinity;
      if (f === 3) sorted[0] = -Infinity;
      return { index: 5 - f, borders: sorted, hasNans: f % 2 === 0, nanValueTreatment: treatments[f % 3] };
    });
    const binaryCount = floatFeatures.reduce((n, f) => n + f.borders.length, 0);
    const treeDepths = Array.from({ length: 150 }, (_, t) => (t === 24 || t === 108 ? 4 : 6));
    const treeSplits = treeDepths.flatMap((d) => Array.from({ length: d }, () => Math.floor(random() * binaryCount)));
    const leafValues = treeDepths.flatMap((d) => Array.from({ length: 2 ** d }, () => (random() - 0.5) * 3));
    const model: ObliviousModel = { featureNames: ['a', 'b', 'c', 'd', 'e', 'f'], floatFeatures, treeDepths, treeSplits, leafValues, scale: 1.25, bias: 10.5 };

    // Rows: random values, every border exactly, one float32 step either side, NaN, ±inf.
    const specials = [Number.NaN, Infinity, -Infinity, 0, -0];
    const rows: number[] = [];
    for (let r = 0; r < 400; r++) {
      for (let c = 0; c < 6; c++) {
        const feature = floatFeatures.find((f) => f.index === c)!;
        const pick = random();
        if (pick < 0.15) rows.push(specials[Math.floor(random() * specials.length)]);
        else if (pick < 0.6 && feature.borders.length > 0) {
          const border = feature.borders[Math.floor(random() * feature.borders.length)];
          const step = Math.abs(border) * 2 ** -23 || 2 ** -149;
          rows.push(border + [-step, 0, step][Math.floor(random() * 3)]);
        } else rows.push((random() - 0.5) * 25);
      }
    }
    const out = new ObliviousEvaluator(model, 'b2-like', options).predict(Float64Array.from(rows), 400);
    for (let r = 0; r < 400; r++) expect(out[r], `row ${r}`).toBe(referencePredict(model, rows.slice(r * 6, r * 6 + 6)));
  });

  it('rejects a batch whose length is not n × featureCount', () => {
    const evaluator = new ObliviousEvaluator(oneFeature('AsIs'), 'm1', options);
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
    expect(() => new ObliviousEvaluator(descending, 'd', options)).toThrow(/ascending/);
    const notFloat32 = { ...oneFeature('AsIs'), floatFeatures: [{ index: 0, borders: [0.1, 0.2, 0.3], hasNans: false, nanValueTreatment: 'AsIs' as const }] };
    expect(() => new ObliviousEvaluator(notFloat32, 'f', options)).toThrow(/float32/);
  });
});
