/**
 * @module models/prediction-type
 * What a model's output means, from the training loss in its own metadata, and the one transform
 * that turns CatBoost's RawFormulaVal into points.
 *
 * Rule (CatBoost 1.2.8 `CatBoostRegressor.predict`, python-package catboost/core.py
 * `_get_default_prediction_type`): the default `predict()` of a regressor is `Exponent` (exp of
 * RawFormulaVal) when the loss starts with `Poisson` or `Tweedie`, `RMSEWithUncertainty` for that
 * loss, and `RawFormulaVal` otherwise. We serve only losses whose default prediction is ONE point
 * value per row: the identity losses below and the two Exponent losses. Everything else
 * (classification, ranking, uncertainty, multi-target, survival, unknown, or no loss recorded at
 * all) is refused at load with PW_ERR_MODEL_UNSUPPORTED naming the loss: a log-odds or
 * log-points number stored as `predicted_points` is a plausible wrong number (issue 7, class 2).
 *
 * Where the loss is recorded: `.cbm` InfoMap key `params` (a JSON text), CatBoost JSON export
 * `model_info.params` (an object), ONNX export `metadata_props` key `params` (a JSON text); in
 * each, `loss_function.type` (e.g. `Quantile`, with `alpha` in `loss_function.params`).
 */
import { pwError } from '../errors.js';

/** What `predict` returns: CatBoost's default predict() (points) or the raw sum. */
export type PredictionType = 'RawFormulaVal' | 'Exponent';

/** Losses whose default predict() is the raw sum, in points (CatBoost regression losses). */
export const IDENTITY_LOSSES: ReadonlySet<string> = new Set([
  'RMSE',
  'MAE',
  'Quantile',
  'Expectile',
  'Huber',
  'MAPE',
  'LogCosh',
  'Lq',
  'FairLoss',
]);
/** Losses whose default predict() is exp(RawFormulaVal). */
export const EXPONENT_LOSSES: ReadonlySet<string> = new Set(['Poisson', 'Tweedie']);

/** 'Quantile:alpha=0.43' → 'Quantile'; a params object `{type: 'Quantile', …}` → 'Quantile'. */
export function lossName(loss: string): string {
  return loss.split(':')[0]!.trim();
}

/**
 * The training loss recorded in a model's `params` (JSON text or already-parsed object), as
 * CatBoost writes it: `{"loss_function": {"type": "Tweedie", "params": {"variance_power": "1.5"}}}`
 * → 'Tweedie:variance_power=1.5'. Undefined when absent or unreadable.
 */
export function lossFromParams(params: unknown): string | undefined {
  let value = params;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const lf = (value as Record<string, unknown>).loss_function;
  if (typeof lf === 'string') return lf;
  if (typeof lf !== 'object' || lf === null) return undefined;
  const type = (lf as Record<string, unknown>).type;
  if (typeof type !== 'string' || type === '') return undefined;
  const p = (lf as Record<string, unknown>).params;
  const args =
    typeof p === 'object' && p !== null
      ? Object.entries(p as Record<string, unknown>)
          .filter(([k]) => !k.startsWith('__'))
          .map(([k, v]) => `${k}=${String(v)}`)
      : [];
  return args.length > 0 ? `${type}:${args.join(',')}` : type;
}

/**
 * The transform CatBoost's default predict() applies for `loss`. Throws PW_ERR_MODEL_UNSUPPORTED
 * naming the loss for every loss whose output is not one point value per row, and when no loss
 * is recorded (`loss` undefined).
 */
export function defaultPredictionType(loss: string | undefined, model: string): PredictionType {
  if (loss === undefined) {
    throw pwError('PW_ERR_MODEL_UNSUPPORTED', model, 'no training loss in the model metadata (params.loss_function); cannot tell what its output means');
  }
  const name = lossName(loss);
  if (IDENTITY_LOSSES.has(name)) return 'RawFormulaVal';
  if (EXPONENT_LOSSES.has(name)) return 'Exponent';
  throw pwError('PW_ERR_MODEL_UNSUPPORTED', model, `loss_function ${loss}: its prediction is not a point value (served losses: ${[...IDENTITY_LOSSES, ...EXPONENT_LOSSES].join(', ')})`);
}

/** Applies `type` in place to raw values and returns them (Exponent = Math.exp, as CatBoost). */
export function applyPredictionType(values: Float64Array, type: PredictionType): Float64Array {
  if (type === 'Exponent') for (let i = 0; i < values.length; i++) values[i] = Math.exp(values[i]!);
  return values;
}
