/**
 * @module models/catboost
 * The native CatBoost engine: readers for .cbm and CatBoost JSON, and the oblivious-tree
 * evaluator. `loadNativeModel` is the one entry the model loader uses.
 */
import { pwError } from '../../errors.js';
import { parseCbm } from './cbm-reader.js';
import { ObliviousEvaluator } from './evaluator.js';
import { parseCatBoostJson } from './json-reader.js';

export { parseCbm } from './cbm-reader.js';
export { parseCatBoostJson } from './json-reader.js';
export { ObliviousEvaluator } from './evaluator.js';
export type { ObliviousModel, ObliviousFloatFeature, NanValueTreatment } from './model.js';

/** Parses model bytes in the given format and builds its evaluator (errors name `name`). */
export function loadNativeModel(bytes: Uint8Array, format: 'cbm' | 'json', name: string): ObliviousEvaluator {
  switch (format) {
    case 'cbm':
      return new ObliviousEvaluator(parseCbm(bytes, name), name);
    case 'json':
      // JSON.parse rejects a byte-order mark, which some editors add; CatBoost never writes one.
      return new ObliviousEvaluator(parseCatBoostJson(new TextDecoder('utf-8', { ignoreBOM: false }).decode(bytes), name), name);
    default:
      throw pwError('PW_ERR_MODEL_UNSUPPORTED', name, `model format ${String(format)} (native engine reads cbm and json)`);
  }
}
