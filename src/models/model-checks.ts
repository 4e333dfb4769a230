/**
 * @module models/model-checks
 * Load-time checks that a model is a points model (issue 7, class 3), run inside the load before
 * the model is reported loaded:
 * - `checkPointsMagnitudes`: every leaf value, the scale and the bias are finite and no single
 *   tree (scale × leaf) nor the bias exceeds MAX_ABS_LEAF_CONTRIBUTION points; the model's whole
 *   output range (bias + scale × Σ per-tree extreme leaves) is finite. A corrupted byte in a
 *   double (−4.4e182) is caught here, before any row is predicted.
 * - `probeModel`: the model predicts PROBE_ROWS (typical feature rows) and each answer, in
 *   points, must be a plausible prediction (src/predictions/plausible.ts). A model that cannot
 *   predict at all (an ONNX classifier, a wrong output shape) fails here, not on the first push.
 * Both throw PwError('PW_ERR_MODEL_OUTPUT') naming the model and the reason.
 */
import { PwError, describeError, isPwError, pwError } from '../errors.js';
import { FEATURE_DEFAULTS, isV9FeatureName } from '../features/contract.js';
import { MAX_ABS_LEAF_CONTRIBUTION, implausiblePrediction } from '../predictions/plausible.js';
import type { ObliviousModel } from './catboost/model.js';
import { applyPredictionType, type PredictionType } from './prediction-type.js';

/** Refuses non-finite or absurd leaf values, scale or bias (see the module comment). */
export function checkPointsMagnitudes(model: ObliviousModel, name: string, type: PredictionType): void {
  const fail = (reason: string): never => {
    throw pwError('PW_ERR_MODEL_OUTPUT', name, reason);
  };
  const { scale, bias, leafValues, treeDepths } = model;
  if (!Number.isFinite(scale)) fail(`scale ${scale} is not finite`);
  if (!Number.isFinite(bias) || Math.abs(bias) > MAX_ABS_LEAF_CONTRIBUTION) fail(`bias ${bias} is not a plausible points offset`);
  let low = bias;
  let high = bias;
  let offset = 0;
  for (let t = 0; t < treeDepths.length; t++) {
    const leaves = 2 ** treeDepths[t]!;
    let min = Infinity;
    let max = -Infinity;
    for (let l = offset; l < offset + leaves; l++) {
      const v = leafValues[l]!;
      if (!Number.isFinite(v)) fail(`tree #${t} has leaf value ${v}`);
      const contribution = scale * v;
      if (Math.abs(contribution) > MAX_ABS_LEAF_CONTRIBUTION) {
        fail(`tree #${t} has leaf value ${v} (× scale ${scale}): no points model moves a prediction by that much`);
      }
      if (contribution < min) min = contribution;
      if (contribution > max) max = contribution;
    }
    offset += leaves;
    low += min;
    high += max;
  }
  if (!Number.isFinite(low) || !Number.isFinite(high)) fail(`output range [${low}, ${high}] is not finite`);
  if (type === 'Exponent' && (high > 709 || low < -745)) fail(`log-scale output range [${low}, ${high}] overflows exp()`);
}

/**
 * The same refusal for an ONNX tree ensemble, from its `target_weights` (leaf values) and
 * `base_values` (bias): each finite and within MAX_ABS_LEAF_CONTRIBUTION.
 */
export function checkOnnxMagnitudes(leafWeights: readonly number[], baseValues: readonly number[], name: string): void {
  for (let i = 0; i < baseValues.length; i++) {
    const b = baseValues[i]!;
    if (!Number.isFinite(b) || Math.abs(b) > MAX_ABS_LEAF_CONTRIBUTION) throw pwError('PW_ERR_MODEL_OUTPUT', name, `base value ${b} is not a plausible points offset`);
  }
  for (let i = 0; i < leafWeights.length; i++) {
    const w = leafWeights[i]!;
    if (!Number.isFinite(w) || Math.abs(w) > MAX_ABS_LEAF_CONTRIBUTION) {
      throw pwError('PW_ERR_MODEL_OUTPUT', name, `leaf weight #${i} is ${w}: no points model moves a prediction by that much`);
    }
  }
}

/** A typical role player and a star, by feature name; features without a value are NaN. */
const PROBE_PROFILES: ReadonlyArray<Readonly<Record<string, number>>> = [
  { ...FEATURE_DEFAULTS },
  {
    ...FEATURE_DEFAULTS,
    points_avg_last_5: 31,
    points_avg_last_10: 29.5,
    points_avg_season: 28,
    points_std_last_10: 7,
    minutes_avg_last_10: 36,
    ppm_avg_last_10: 0.8,
    avg_points_vs_opponent: 30,
    games_vs_opponent: 4,
    vegas_points_line: 29.5,
    vegas_opening_line: 28.5,
    vegas_line_move: 1,
    has_vegas_line: 1,
    pct_paint: 0.35,
    pct_mid_range: 0.2,
    pct_three: 0.35,
  },
];

/**
 * Probe rows (row-major) for a model with these feature names: the profiles above for V9 names,
 * and a row of zeros for any other set (CLI tools on foreign models).
 */
export function probeRows(featureNames: readonly string[]): { rows: Float64Array; n: number } {
  const known = featureNames.some(isV9FeatureName);
  const profiles = known ? PROBE_PROFILES : [{} as Record<string, number>];
  const rows = new Float64Array(profiles.length * featureNames.length);
  profiles.forEach((profile, r) => {
    featureNames.forEach((name, c) => {
      rows[r * featureNames.length + c] = known ? (profile[name] ?? Number.NaN) : 0;
    });
  });
  return { rows, n: profiles.length };
}

/**
 * Predicts the probe rows with `predictRaw` (RawFormulaVal), applies `type` and checks every
 * answer is one plausible points value. Throws PW_ERR_MODEL_OUTPUT (or the predictor's own
 * PW_ERR_MODEL_UNSUPPORTED for a wrong output shape).
 */
export async function probeModel(
  name: string,
  featureNames: readonly string[],
  predictRaw: (rows: Float64Array, n: number) => Promise<Float64Array>,
  type: PredictionType,
): Promise<void> {
  const { rows, n } = probeRows(featureNames);
  let out: Float64Array;
  try {
    out = applyPredictionType(Float64Array.from(await predictRaw(rows, n)), type);
  } catch (err) {
    if (isPwError(err, 'PW_ERR_MODEL_UNSUPPORTED')) throw err;
    throw new PwError('PW_ERR_MODEL_OUTPUT', { cause: err }, name, `cannot predict the load-time probe rows: ${describeError(err)}`);
  }
  if (out.length !== n) throw pwError('PW_ERR_MODEL_OUTPUT', name, `${out.length} values for ${n} probe rows`);
  for (let i = 0; i < n; i++) {
    const problem = implausiblePrediction(out[i]!);
    if (problem) throw pwError('PW_ERR_MODEL_OUTPUT', name, `probe row ${i + 1}: ${problem}`);
  }
}
