/**
 * @module models/catboost/json-reader
 * Reads CatBoost's JSON model export (`save_model(..., format="json")`) into an `ObliviousModel`.
 *
 * Mirrors CatBoost's own importer (model_export/json_model_helpers.cpp): borders come from
 * `features_info.float_features` (each one float32), a split is its `split_index` into the binary
 * features those borders define, leaves are `leaf_values`, and `scale_and_bias` is
 * `[scale, [bias...]]` (older exports: `[scale, bias]`). A split's `float_feature_index` and
 * `border`, when present, must agree with its `split_index`. Categorical features, CTRs, text or
 * embedding features, several dimensions and non-symmetric trees (`trees`) are refused.
 */
import { z } from 'zod';
import { PwError, pwError } from '../../errors.js';
import { lossFromParams } from '../prediction-type.js';
import { type ObliviousFloatFeature, type ObliviousModel, NAN_VALUE_TREATMENTS, MAX_TREE_DEPTH, validateObliviousModel } from './model.js';

const FloatFeatureJson = z.object({
  borders: z.array(z.number()).nullish(),
  feature_index: z.number().int().nonnegative(),
  flat_feature_index: z.number().int().nonnegative().optional(),
  has_nans: z.boolean().optional(),
  nan_value_treatment: z.enum(NAN_VALUE_TREATMENTS).optional(),
  feature_id: z.string().optional(),
  feature_name: z.string().optional(),
});

const SplitJson = z.object({
  split_index: z.number().int().nonnegative(),
  split_type: z.string().optional(),
  float_feature_index: z.number().int().optional(),
  border: z.number().optional(),
});

const TreeJson = z.object({
  splits: z.array(SplitJson).nullish(),
  leaf_values: z.array(z.number()),
});

const ModelJson = z.object({
  features_info: z.object({ float_features: z.array(FloatFeatureJson).optional() }).passthrough(),
  oblivious_trees: z.array(TreeJson).optional(),
  trees: z.unknown().optional(),
  ctr_data: z.unknown().optional(),
  scale_and_bias: z.tuple([z.number(), z.union([z.number(), z.array(z.number())])]).optional(),
});

/** True for JSON values that carry something: not null, not [], not {}. */
function isFilled(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** Parses a CatBoost JSON model. `name` (file name or model id) goes into every error message. */
export function parseCatBoostJson(text: string, name: string): ObliviousModel {
  const formatError = (reason: string, cause?: unknown) => new PwError('PW_ERR_MODEL_FORMAT', cause === undefined ? undefined : { cause }, name, reason);
  let trainingLoss: string | undefined;
  const unsupported = (what: string) => pwError('PW_ERR_MODEL_UNSUPPORTED', name, trainingLoss ? `${what}; loss_function ${trainingLoss}` : what);

  if (text.trim() === '') throw formatError('the file is empty');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw formatError(`not valid JSON: ${(err as Error).message}`, err);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw formatError('not a CatBoost JSON model (top level is not an object)');
  const top = raw as Record<string, unknown>;
  trainingLoss = lossFromParams((top.model_info as { params?: unknown } | null | undefined)?.params);

  // Refusals first, on the raw document: they must name the feature, whatever else it holds.
  const info = (typeof top.features_info === 'object' && top.features_info !== null ? top.features_info : {}) as Record<string, unknown>;
  const refusals: Array<[unknown, string]> = [
    [info.categorical_features, 'categorical features (features_info.categorical_features)'],
    [info.ctrs, 'CTR features (features_info.ctrs)'],
    [top.ctr_data, 'CTR data (ctr_data)'],
    [info.text_features, 'text features (features_info.text_features)'],
    [info.embedding_features, 'embedding features (features_info.embedding_features)'],
  ];
  for (const [value, what] of refusals) if (isFilled(value)) throw unsupported(what);
  if (top.oblivious_trees === undefined && top.trees !== undefined) {
    throw unsupported('non-symmetric trees ("trees" instead of "oblivious_trees": Depthwise / Lossguide grow policy)');
  }

  const parsed = ModelJson.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw formatError(`not a CatBoost JSON model: ${issue.path.join('.') || '(root)'}: ${issue.message}`, parsed.error);
  }
  const json = parsed.data;
  if (json.oblivious_trees === undefined) throw formatError('no oblivious_trees');

  const floatJson = json.features_info.float_features ?? [];
  const floatFeatures: ObliviousFloatFeature[] = [];
  const namesByColumn = new Map<number, string>();
  floatJson.forEach((feature, f) => {
    const flatIndex = feature.flat_feature_index ?? feature.feature_index;
    if (flatIndex !== feature.feature_index) {
      throw unsupported(`float feature #${f} has feature_index ${feature.feature_index} but flat_feature_index ${flatIndex} (mixed feature types)`);
    }
    if (flatIndex >= floatJson.length) throw formatError(`float feature #${f} has feature_index ${flatIndex}, outside 0..${floatJson.length - 1}`);
    const label = feature.feature_id || feature.feature_name || String(flatIndex);
    namesByColumn.set(flatIndex, label);
    floatFeatures.push({
      index: flatIndex,
      // CatBoost reads each border as float (FromJson<float>).
      borders: Float32Array.from(feature.borders ?? []),
      hasNans: feature.has_nans ?? false,
      nanValueTreatment: feature.nan_value_treatment ?? 'AsIs',
    });
  });
  const featureCount = floatFeatures.reduce((max, feature) => Math.max(max, feature.index + 1), 0);
  const featureNames = Array.from({ length: featureCount }, (_, column) => namesByColumn.get(column) ?? String(column));

  // Binary feature k -> (float feature, border), to cross-check each split's own description.
  const binaryFeature: Array<{ feature: number; border: number }> = [];
  floatFeatures.forEach((feature, f) => {
    for (let b = 0; b < feature.borders.length; b++) binaryFeature.push({ feature: f, border: feature.borders[b] });
  });

  const treeDepths: number[] = [];
  const treeSplits: number[] = [];
  const leafValues: number[] = [];
  json.oblivious_trees.forEach((tree, t) => {
    const splits = tree.splits ?? [];
    const depth = splits.length;
    if (depth > MAX_TREE_DEPTH) throw formatError(`tree #${t} has depth ${depth}`);
    const leaves = 2 ** depth;
    if (tree.leaf_values.length !== leaves) {
      if (tree.leaf_values.length % leaves === 0 && tree.leaf_values.length > leaves) {
        throw unsupported(`${tree.leaf_values.length / leaves} dimensions (tree #${t} has ${tree.leaf_values.length} leaf values for depth ${depth}); only 1 is supported`);
      }
      throw formatError(`tree #${t} has ${tree.leaf_values.length} leaf values for depth ${depth}`);
    }
    splits.forEach((split, j) => {
      if (split.split_type !== undefined && split.split_type !== 'FloatFeature') {
        throw unsupported(`${split.split_type} splits (tree #${t})`);
      }
      const target = binaryFeature[split.split_index];
      if (target === undefined) throw formatError(`tree #${t} split #${j} has split_index ${split.split_index}, but the model has ${binaryFeature.length} borders`);
      if (split.float_feature_index !== undefined && split.float_feature_index !== target.feature) {
        throw formatError(`tree #${t} split #${j}: split_index ${split.split_index} is a border of float feature ${target.feature}, not ${split.float_feature_index}`);
      }
      if (split.border !== undefined && Math.fround(split.border) !== target.border) {
        throw formatError(`tree #${t} split #${j}: border ${split.border} differs from border ${target.border} at split_index ${split.split_index}`);
      }
      treeSplits.push(split.split_index);
    });
    treeDepths.push(depth);
    for (const value of tree.leaf_values) leafValues.push(value);
  });

  let scale = 1;
  let bias = 0;
  if (json.scale_and_bias !== undefined) {
    const [scaleValue, biasValue] = json.scale_and_bias;
    scale = scaleValue;
    if (typeof biasValue === 'number') {
      bias = biasValue;
    } else if (biasValue.length > 1) {
      throw unsupported(`${biasValue.length} bias values in scale_and_bias, i.e. several dimensions`);
    } else {
      bias = biasValue[0] ?? 0;
    }
  }

  const model: ObliviousModel = {
    featureNames,
    floatFeatures,
    treeDepths,
    treeSplits,
    leafValues: Float64Array.from(leafValues),
    scale,
    bias,
    trainingLoss,
  };
  validateObliviousModel(model, name);
  return model;
}
