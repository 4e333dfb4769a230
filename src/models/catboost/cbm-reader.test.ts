import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isPwError } from '../../errors.js';
import { V9_FEATURE_NAMES } from '../../features/contract.js';
import { parseCbm } from './cbm-reader.js';
import { ObliviousEvaluator } from './evaluator.js';
import { skipWithout } from '../../../test/helpers/machine.js';
import { loadNativeModel } from './index.js';
import { buildCbmFile, smallModelCore, type SmallModel } from './testing/cbm-builder.js';
import { expectPwError } from './testing/expect-pw-error.js';


// Two features (f0: borders 0 and 10, f1: border 5), trees of depth 2 and 1.
const SMALL: SmallModel = {
  features: [
    { borders: [0, 10], name: 'alpha' },
    { borders: [5], name: 'beta' },
  ],
  treeSizes: [2, 1],
  treeSplits: [0, 2, 1],
  leafValues: [1, 2, 4, 8, 16, 32],
  multiBias: [100],
};

describe('parseCbm on a small built model', () => {
  it('reads names, depths and evaluates leaves by split bits, with MultiBias as the bias', () => {
    const evaluator = loadNativeModel(buildCbmFile(smallModelCore(SMALL).core), 'cbm', 'small.cbm');
    expect(evaluator.featureNames).toEqual(['alpha', 'beta']);
    expect(evaluator.treeDepths).toEqual([2, 1]);
    // row (1, 6): tree 0 bits (f0>0)=1, (f1>5)=1 -> leaf 3 = 8; tree 1 (f0>10)=0 -> 16.
    // row (11, 0): tree 0 -> leaf 1 = 2; tree 1 -> 32.
    expect(Array.from(evaluator.predict(Float64Array.of(1, 6, 11, 0), 2))).toEqual([100 + 8 + 16, 100 + 2 + 32]);
  });

  it('uses Bias when MultiBias is absent, applies Scale, and names unnamed features by index', () => {
    const model = { ...SMALL, multiBias: undefined, bias: 0.5, scale: 2, features: SMALL.features.map((f) => ({ borders: f.borders })) };
    const evaluator = loadNativeModel(buildCbmFile(smallModelCore(model).core), 'cbm', 'small.cbm');
    expect(evaluator.featureNames).toEqual(['0', '1']);
    expect(evaluator.predict(Float64Array.of(1, 6), 1)[0]).toBe(2 * (8 + 16) + 0.5);
  });

  it.each([
    ['categorical features', 4],
    ['one-hot categorical features', 6],
    ['CTR features', 7],
    ['text features', 12],
    ['estimated (text/embedding) features', 13],
    ['embedding features', 18],
  ])('refuses %s', (what, fieldId) => {
    const { core, trees } = smallModelCore(SMALL);
    trees[fieldId] = { tables: [{ 0: { int32: 0 } }] };
    expectPwError(() => parseCbm(buildCbmFile(core), 'cat.cbm'), 'PW_ERR_MODEL_UNSUPPORTED', 'cat.cbm', what);
  });

  it('refuses several dimensions, non-symmetric trees and data after the core', () => {
    const multi = smallModelCore({ ...SMALL, approxDimension: 3 });
    expectPwError(() => parseCbm(buildCbmFile(multi.core), 'm.cbm'), 'PW_ERR_MODEL_UNSUPPORTED', 'm.cbm', 'ApproxDimension 3');
    const multiBias = smallModelCore({ ...SMALL, multiBias: [1, 2] });
    expectPwError(() => parseCbm(buildCbmFile(multiBias.core), 'm.cbm'), 'PW_ERR_MODEL_UNSUPPORTED', 'MultiBias');
    const asym = smallModelCore(SMALL);
    asym.trees[10] = { int32s: [0x00010002] };
    expectPwError(() => parseCbm(buildCbmFile(asym.core), 'n.cbm'), 'PW_ERR_MODEL_UNSUPPORTED', 'n.cbm', 'non-symmetric');
    const parts = smallModelCore(SMALL);
    parts.core[3] = { strings: ['static_provider_v1'] };
    expectPwError(() => parseCbm(buildCbmFile(parts.core), 'p.cbm'), 'PW_ERR_MODEL_UNSUPPORTED', 'model parts');
    const trailing = buildCbmFile(smallModelCore(SMALL).core, new Uint8Array(16));
    expectPwError(() => parseCbm(trailing, 't.cbm'), 'PW_ERR_MODEL_UNSUPPORTED', 't.cbm', '16 bytes after the model core');
  });

  it('refuses inconsistent trees as format errors', () => {
    const badSplit = smallModelCore({ ...SMALL, treeSplits: [0, 3, 1] });
    expectPwError(() => parseCbm(buildCbmFile(badSplit.core), 'b.cbm'), 'PW_ERR_MODEL_FORMAT', 'b.cbm', 'binary feature 3');
    const fewLeaves = smallModelCore({ ...SMALL, leafValues: [1, 2, 3] });
    expectPwError(() => parseCbm(buildCbmFile(fewLeaves.core), 'b.cbm'), 'PW_ERR_MODEL_FORMAT', '6 leaf values');
    const version = smallModelCore(SMALL);
    version.core[0] = { string: 'FlabuffersModel_v2' };
    expectPwError(() => parseCbm(buildCbmFile(version.core), 'v.cbm'), 'PW_ERR_MODEL_UNSUPPORTED', 'FlabuffersModel_v2');
  });
});

describe('parseCbm on broken files', () => {
  const valid = buildCbmFile(smallModelCore(SMALL).core);

  it('names the file and the first failed check', () => {
    expectPwError(() => parseCbm(new Uint8Array(0), 'e.cbm'), 'PW_ERR_MODEL_FORMAT', 'e.cbm', 'empty');
    expectPwError(() => parseCbm(new TextEncoder().encode('{"json": true}'), 'w.cbm'), 'PW_ERR_MODEL_FORMAT', 'w.cbm', 'CBM1 magic');
    expectPwError(() => parseCbm(valid.subarray(0, 6), 'h.cbm'), 'PW_ERR_MODEL_FORMAT', 'header');
    expectPwError(() => parseCbm(valid.subarray(0, valid.length - 1), 'l.cbm'), 'PW_ERR_MODEL_FORMAT', 'l.cbm', 'truncated');
    const badRoot = valid.slice();
    new DataView(badRoot.buffer).setUint32(8, 0x7ffffff0, true);
    expectPwError(() => parseCbm(badRoot, 'r.cbm'), 'PW_ERR_MODEL_FORMAT', 'r.cbm', 'verification');
  });

  it('throws a PwError, never anything else, for every truncation and every flipped byte', () => {
    for (let length = 0; length < valid.length; length++) {
      expectThrowsPwError(valid.subarray(0, length));
    }
    for (let offset = 0; offset < valid.length; offset++) {
      for (const value of [0x00, 0xff, valid[offset] ^ 0x80]) {
        const bytes = valid.slice();
        bytes[offset] = value;
        parseOrPwError(bytes);
      }
    }
  });
});

/** Parsing either succeeds (the byte was harmless) or throws a PwError of the model family. */
function parseOrPwError(bytes: Uint8Array): void {
  try {
    new ObliviousEvaluator(parseCbm(bytes, 'x.cbm'), 'x.cbm').predict(new Float64Array(64), 64 / 2);
  } catch (err) {
    if (!isPwError(err, 'PW_ERR_MODEL_FORMAT') && !isPwError(err, 'PW_ERR_MODEL_UNSUPPORTED') && !isPwError(err, 'PW_ERR_MODEL_INPUT')) throw err;
  }
}

function expectThrowsPwError(bytes: Uint8Array): void {
  let thrown: unknown;
  try {
    parseCbm(bytes, 'x.cbm');
  } catch (err) {
    thrown = err;
  }
  expect(isPwError(thrown, 'PW_ERR_MODEL_FORMAT'), `length ${bytes.length}: ${String(thrown)}`).toBe(true);
}

// ---- the six real V9 models of the shared fixtures (read in place, never copied) ----

const V9_DIR = new URL('../../../../shared/fixtures/v9-models/', import.meta.url);
const haveV9 = !skipWithout('the shared V9 models', existsSync(V9_DIR), `${V9_DIR.pathname} (shared fixtures not checked out)`);

const V9 = [
  { file: 'catboost_v9_exp_A1_20260129_210936.cbm', trees: 334, bias: 10.437385559082031 },
  { file: 'catboost_v9_exp_A2_20260129_211005.cbm', trees: 788, bias: 10.63320255279541 },
  { file: 'catboost_v9_exp_A3_20260129_211030.cbm', trees: 997, bias: 10.712448120117188 },
  { file: 'catboost_v9_exp_B1_20260129_211849.cbm', trees: 788, bias: 10.63320255279541 },
  { file: 'catboost_v9_exp_B2_20260129_211911.cbm', trees: 548, bias: 10.70416259765625, depth4: [24, 208] },
  { file: 'catboost_v9_exp_B3_20260129_211928.cbm', trees: 590, bias: 10.860467910766602 },
];

const readV9 = (file: string) => new Uint8Array(readFileSync(new URL(file, V9_DIR)));

describe.skipIf(!haveV9)('the real V9 models', () => {
  it.each(V9)('$file loads with its trees, depths, names and MultiBias bias', ({ file, trees, bias, depth4 }) => {
    const model = parseCbm(readV9(file), file);
    const evaluator = new ObliviousEvaluator(model, file);
    expect(evaluator.treeCount).toBe(trees);
    const shallow = evaluator.treeDepths.flatMap((depth, t) => (depth === 6 ? [] : [t]));
    expect(shallow).toEqual(depth4 ?? []);
    for (const t of shallow) expect(evaluator.treeDepths[t]).toBe(4);
    expect(evaluator.featureNames).toEqual(V9_FEATURE_NAMES);
    expect(model.bias).toBe(bias);
    expect(model.scale).toBe(1);
  });

  it('A2 and B1 predict identically, batched or row by row', () => {
    const a2 = loadNativeModel(readV9(V9[1].file), 'cbm', 'A2');
    const b1 = loadNativeModel(readV9(V9[3].file), 'cbm', 'B1');
    const n = 200;
    const rows = new Float64Array(n * 33);
    let seed = 7;
    for (let i = 0; i < rows.length; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      rows[i] = i % 17 === 0 ? Number.NaN : (seed / 2147483648) * 40 - 5;
    }
    const batch = a2.predict(rows, n);
    expect(Array.from(b1.predict(rows, n))).toEqual(Array.from(batch));
    const single = new Float64Array(1);
    for (let r = 0; r < n; r += 37) expect(a2.predict(rows.subarray(r * 33, r * 33 + 33), 1, single)[0]).toBe(batch[r]);
    // The bias is included: an all-low row sits near it, not near 0.
    expect(a2.predict(new Float64Array(33).fill(-1e9), 1)[0]).toBeGreaterThan(1);
  });

  it('every truncation and many flipped bytes of A1 give a PwError', () => {
    const a1 = readV9(V9[0].file);
    const offsets = new Set<number>([0, 1, 3, 4, 7, 8, 9, 12, a1.length - 1]);
    for (let k = 0; offsets.size < 200; k++) offsets.add(Math.floor(((k * 2654435761) % 4294967296) / 4294967296 * a1.length));
    for (const offset of offsets) {
      expectThrowsPwError(a1.subarray(0, offset));
      for (const value of [0x00, 0xff, a1[offset] ^ 0x55]) {
        const bytes = a1.slice();
        bytes[offset] = value;
        parseOrPwError(bytes);
      }
    }
  });
});
