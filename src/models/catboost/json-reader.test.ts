import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadNativeModel } from './index.js';
import { parseCatBoostJson } from './json-reader.js';
import { expectPwError } from './testing/expect-pw-error.js';
import { skipWithout } from '../../../test/helpers/machine.js';


/** A two-feature depth-2 + depth-1 model in CatBoost's JSON export shape. */
function smallJson(): Record<string, any> {
  return {
    model_info: {},
    features_info: {
      float_features: [
        { borders: [0, 10], feature_index: 0, flat_feature_index: 0, has_nans: false, nan_value_treatment: 'AsIs', feature_id: 'alpha' },
        { borders: [1.5499999523162842], feature_index: 1, flat_feature_index: 1, has_nans: true, nan_value_treatment: 'AsTrue', feature_id: '' },
      ],
    },
    oblivious_trees: [
      {
        leaf_values: [1, 2, 4, 8],
        splits: [
          { border: 0, float_feature_index: 0, split_index: 0, split_type: 'FloatFeature' },
          { border: 1.5499999523162842, float_feature_index: 1, split_index: 2, split_type: 'FloatFeature' },
        ],
      },
      { leaf_values: [16, 32], splits: [{ border: 10, float_feature_index: 0, split_index: 1, split_type: 'FloatFeature' }] },
    ],
    scale_and_bias: [1, [100]],
  };
}

describe('parseCatBoostJson', () => {
  it('reads borders as float32, splits by split_index, names and the bias array', () => {
    const evaluator = loadNativeModel(new TextEncoder().encode(JSON.stringify(smallJson())), 'json', 'small.json');
    expect(evaluator.featureNames).toEqual(['alpha', '1']);
    expect(evaluator.treeDepths).toEqual([2, 1]);
    // The border is float32(1.55) = 1.54999995...: the double 1.55 is above it, Math.fround(1.55) is not.
    const out = evaluator.predict(Float64Array.of(1, 1.55, 1, 1.5500001, 1, Number.NaN), 3);
    expect(Array.from(out)).toEqual([100 + 2 + 16, 100 + 8 + 16, 100 + 8 + 16]);
  });

  it('accepts the older scalar bias form of scale_and_bias', () => {
    const json = smallJson();
    json.scale_and_bias = [2, 0.25];
    expect(parseCatBoostJson(JSON.stringify(json), 'old.json')).toMatchObject({ scale: 2, bias: 0.25 });
  });

  it.each([
    ['categorical features', (j: Record<string, any>) => (j.features_info.categorical_features = [{ feature_index: 0, flat_feature_index: 2, feature_id: 'team' }])],
    ['CTR data', (j: Record<string, any>) => (j.ctr_data = { '{"identifier":[]}': { hash_map: [], hash_stride: 2 } })],
    ['CTR features', (j: Record<string, any>) => (j.features_info.ctrs = [{ borders: [0.5] }])],
    ['text features', (j: Record<string, any>) => (j.features_info.text_features = [{ feature_index: 0 }])],
    ['2 dimensions', (j: Record<string, any>) => (j.oblivious_trees[1].leaf_values = [1, 2, 3, 4])],
    ['bias values', (j: Record<string, any>) => (j.scale_and_bias = [1, [0.5, 0.25]])],
    ['non-symmetric trees', (j: Record<string, any>) => { j.trees = [{ value: 1 }]; delete j.oblivious_trees; }],
    ['OnlineCtr splits', (j: Record<string, any>) => (j.oblivious_trees[1].splits[0].split_type = 'OnlineCtr')],
  ])('refuses %s with PW_ERR_MODEL_UNSUPPORTED naming it', (what, mutate) => {
    const json = smallJson();
    mutate(json);
    expectPwError(() => parseCatBoostJson(JSON.stringify(json), 'x.json'), 'PW_ERR_MODEL_UNSUPPORTED', 'x.json', what);
  });

  it('treats an empty ctr_data (float-only export) as no CTRs', () => {
    const json = smallJson();
    json.ctr_data = {};
    expect(parseCatBoostJson(JSON.stringify(json), 'x.json').treeDepths).toEqual([2, 1]);
  });

  it.each([
    ['empty', '  ', 'empty'],
    ['not JSON', '{"features_info": ', 'not valid JSON'],
    ['not a model', '[1, 2]', 'not a CatBoost JSON model'],
    ['no trees', JSON.stringify({ features_info: { float_features: [] } }), 'oblivious_trees'],
  ])('refuses %s input with PW_ERR_MODEL_FORMAT', (_label, text, part) => {
    expectPwError(() => parseCatBoostJson(text, 'bad.json'), 'PW_ERR_MODEL_FORMAT', 'bad.json', part);
  });

  it('refuses splits that disagree with their split_index', () => {
    const wrongFeature = smallJson();
    wrongFeature.oblivious_trees[0].splits[0].float_feature_index = 1;
    expectPwError(() => parseCatBoostJson(JSON.stringify(wrongFeature), 'x.json'), 'PW_ERR_MODEL_FORMAT', 'float feature 0, not 1');
    const wrongBorder = smallJson();
    wrongBorder.oblivious_trees[1].splits[0].border = 11;
    expectPwError(() => parseCatBoostJson(JSON.stringify(wrongBorder), 'x.json'), 'PW_ERR_MODEL_FORMAT', 'border 11');
    const outOfRange = smallJson();
    outOfRange.oblivious_trees[1].splits[0].split_index = 3;
    expectPwError(() => parseCatBoostJson(JSON.stringify(outOfRange), 'x.json'), 'PW_ERR_MODEL_FORMAT', 'split_index 3');
  });
});

// ---- CatBoost's own JSON model with its Java test's exact answers (shared fixtures, read in place) ----

const JSON_DIR = new URL('../../../../shared/fixtures/catboost-json/', import.meta.url);
const haveJson = !skipWithout('the shared CatBoost JSON fixtures', existsSync(JSON_DIR), `${JSON_DIR.pathname}, shared fixtures not checked out`);

describe.skipIf(!haveJson)('numeric_only_model.json known answers', () => {
  it('reproduces every expected RawFormulaVal bit for bit', () => {
    const model = readFileSync(new URL('numeric_only_model.json', JSON_DIR), 'utf8');
    const expected = JSON.parse(readFileSync(new URL('numeric_only_expected.json', JSON_DIR), 'utf8')) as {
      feature_names: string[];
      cases: Array<{ inputs: number[][]; expected: number[] }>;
    };
    const evaluator = loadNativeModel(new TextEncoder().encode(model), 'json', 'numeric_only_model.json');
    expect(evaluator.featureNames).toEqual(expected.feature_names);
    expect(evaluator.treeDepths).toEqual([1, 2, 2, 1, 1]);
    for (const testCase of expected.cases) {
      // The inputs are Java float literals: float32 values.
      const rows = Float64Array.from(testCase.inputs.flat(), (x) => Math.fround(x));
      const out = evaluator.predict(rows, testCase.inputs.length);
      testCase.expected.forEach((value, r) => expect(out[r]).toBe(value));
    }
  });
});
