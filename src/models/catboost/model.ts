/**
 * @module models/catboost/model
 * `ObliviousModel`: the plain data both readers (.cbm and CatBoost JSON) produce and the
 * evaluator consumes, plus the one validation both readers share, so a model from either file
 * is checked by the same rules before anything evaluates it.
 */
import { pwError } from '../../errors.js';

/** CatBoost's ENanValueTreatment: what a NaN input becomes before comparing with borders. */
export const NAN_VALUE_TREATMENTS = ['AsIs', 'AsFalse', 'AsTrue'] as const;
export type NanValueTreatment = (typeof NAN_VALUE_TREATMENTS)[number];

export interface ObliviousFloatFeature {
  /** Column of this feature in an input row. */
  index: number;
  /** Ascending float32 borders; each is one binary feature `x > border`. */
  borders: ArrayLike<number>;
  /** CatBoost applies `nanValueTreatment` only when this is true (otherwise NaN is compared as is). */
  hasNans: boolean;
  nanValueTreatment: NanValueTreatment;
}

export interface ObliviousModel {
  /** Input column names, in column order; their count is the row width. */
  featureNames: readonly string[];
  /**
   * Float features in CatBoost's order. Their borders, concatenated in this order, define the
   * binary-feature index space that `treeSplits` refers to.
   */
  floatFeatures: readonly ObliviousFloatFeature[];
  /** Depth of each tree, in model order. */
  treeDepths: ArrayLike<number>;
  /** Binary-feature index of each split, tree after tree; split j of a tree is leaf-index bit j. */
  treeSplits: ArrayLike<number>;
  /** 2^depth leaf values per tree, tree after tree (float64). */
  leafValues: ArrayLike<number>;
  scale: number;
  bias: number;
  /**
   * The training loss from the file's own metadata (`.cbm` InfoMap `params`, JSON
   * `model_info.params`), e.g. 'Quantile:alpha=0.43'; undefined when the file records none.
   * models/prediction-type.ts decides from it what predict() returns.
   */
  trainingLoss?: string | undefined;
}

/** CatBoost's own depth limit; also keeps 2^depth small. */
export const MAX_TREE_DEPTH = 16;
/** CatBoost caps border_count at 65535; more means a damaged file. */
export const MAX_BORDERS_PER_FEATURE = 65535;

/** Total number of binary features (all borders of all float features). */
export function binaryFeatureCount(model: ObliviousModel): number {
  let count = 0;
  for (const feature of model.floatFeatures) count += feature.borders.length;
  return count;
}

/**
 * Checks the structural invariants the evaluator relies on; throws PW_ERR_MODEL_FORMAT naming
 * the model and the first broken rule.
 */
export function validateObliviousModel(model: ObliviousModel, name: string): void {
  const fail = (reason: string): never => {
    throw pwError('PW_ERR_MODEL_FORMAT', name, reason);
  };
  const featureCount = model.featureNames.length;
  if (model.floatFeatures.length === 0) fail('the model has no float features');
  const seenColumns = new Set<number>();
  model.floatFeatures.forEach((feature, f) => {
    if (!Number.isInteger(feature.index) || feature.index < 0 || feature.index >= featureCount) {
      fail(`float feature #${f} has column ${feature.index}, outside 0..${featureCount - 1}`);
    }
    if (seenColumns.has(feature.index)) fail(`two float features use column ${feature.index}`);
    seenColumns.add(feature.index);
    if (!NAN_VALUE_TREATMENTS.includes(feature.nanValueTreatment)) {
      fail(`float feature #${f} has an unknown NaN treatment ${String(feature.nanValueTreatment)}`);
    }
    const borders = feature.borders;
    if (borders.length > MAX_BORDERS_PER_FEATURE) fail(`float feature #${f} has ${borders.length} borders`);
    for (let b = 0; b < borders.length; b++) {
      const border = borders[b];
      if (Number.isNaN(border) || Math.fround(border) !== border) fail(`float feature #${f} border #${b} (${border}) is not a float32 number`);
      // The evaluator turns each value into a bin index by binary search, which needs order.
      if (b > 0 && !(border > borders[b - 1])) fail(`float feature #${f} borders are not strictly ascending at #${b}`);
    }
  });
  const binaryFeatures = binaryFeatureCount(model);
  let splitCount = 0;
  let leafCount = 0;
  for (let t = 0; t < model.treeDepths.length; t++) {
    const depth = model.treeDepths[t];
    if (!Number.isInteger(depth) || depth < 0 || depth > MAX_TREE_DEPTH) fail(`tree #${t} has depth ${depth}`);
    splitCount += depth;
    leafCount += 2 ** depth;
  }
  if (model.treeSplits.length !== splitCount) {
    fail(`the trees need ${splitCount} splits but the model has ${model.treeSplits.length}`);
  }
  for (let s = 0; s < model.treeSplits.length; s++) {
    const split = model.treeSplits[s];
    if (!Number.isInteger(split) || split < 0 || split >= binaryFeatures) {
      fail(`split #${s} refers to binary feature ${split}, but the model has ${binaryFeatures}`);
    }
  }
  if (model.leafValues.length !== leafCount) {
    fail(`the trees need ${leafCount} leaf values but the model has ${model.leafValues.length}`);
  }
  if (!Number.isFinite(model.scale)) fail(`scale ${model.scale} is not finite`);
  if (!Number.isFinite(model.bias)) fail(`bias ${model.bias} is not finite`);
}

/**
 * The features that have at least one border ("used"), laid out as flat arrays once at load;
 * both evaluators binarise from it. `nanValue` is what a NaN input becomes before comparing,
 * per CatBoost's quantization.h: the treatment applies only to features that had NaNs (HasNans).
 */
export interface UsedFeatures {
  count: number;
  /** Input column of each used feature. */
  column: Int32Array;
  /** NaN (AsIs), -inf (AsFalse) or +inf (AsTrue). */
  nanValue: Float64Array;
  /** First binary feature of each used feature, and how many borders it has. */
  start: Int32Array;
  borderCount: Int32Array;
  /** Every border in binary-feature order (float32 values held exactly as doubles). */
  borders: Float64Array;
  /** Binary feature k → the used feature it belongs to, and its rank among that feature's borders. */
  binarySlot: Int32Array;
  binaryRank: Int32Array;
}

export function usedFeatures(model: ObliviousModel): UsedFeatures {
  const column: number[] = [];
  const nanValue: number[] = [];
  const start: number[] = [];
  const borderCount: number[] = [];
  const borders: number[] = [];
  const binarySlot: number[] = [];
  const binaryRank: number[] = [];
  for (const feature of model.floatFeatures) {
    const count = feature.borders.length;
    if (count === 0) continue;
    const slot = column.length;
    column.push(feature.index);
    const treatment = feature.hasNans ? feature.nanValueTreatment : 'AsIs';
    nanValue.push(treatment === 'AsTrue' ? Infinity : treatment === 'AsFalse' ? -Infinity : Number.NaN);
    start.push(borders.length);
    borderCount.push(count);
    for (let b = 0; b < count; b++) {
      borders.push(feature.borders[b]);
      binarySlot.push(slot);
      binaryRank.push(b);
    }
  }
  return {
    count: column.length,
    column: Int32Array.from(column),
    nanValue: Float64Array.from(nanValue),
    start: Int32Array.from(start),
    borderCount: Int32Array.from(borderCount),
    borders: Float64Array.from(borders),
    binarySlot: Int32Array.from(binarySlot),
    binaryRank: Int32Array.from(binaryRank),
  };
}
