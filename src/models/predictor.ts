/**
 * @module models/predictor
 * One loaded model. `predict` takes rows in the model's own feature order (NaN = missing) and
 * returns, per row as float64, what CatBoost's default predict() returns for the model's training
 * loss (`predictionType`: RawFormulaVal for RMSE/MAE/Quantile/…, Exponent for Poisson/Tweedie),
 * unless the loader was asked for RawFormulaVal (models/prediction-type.ts).
 */
import type { PredictionType } from './prediction-type.js';

export type ModelFormat = 'cbm' | 'json' | 'onnx';
export type Engine = 'native' | 'onnx';

export interface ModelInfo {
  /** Where the file came from: gs://bucket/object or a local path, as configured. */
  path: string;
  /** The local file that was loaded (cache entry for gs://). */
  localPath: string;
  format: ModelFormat;
  engine: Engine;
  /** Full SHA-256 of the file bytes, 64 lowercase hex. */
  sha256: string;
  sizeBytes: number;
  /** Feature names in model column order. */
  featureNames: readonly string[];
  treeCount: number;
  /** Depth of each tree, in model order. */
  treeDepths: readonly number[];
  /** Milliseconds spent parsing/initialising (not fetching). */
  loadMs: number;
  /** Training loss from the model's metadata, e.g. 'RMSE', 'Tweedie:variance_power=1.5'. */
  loss: string;
  /** The transform `predict` applies to the raw sum. */
  predictionType: PredictionType;
}

export interface Predictor extends ModelInfo {
  /**
   * Predict a batch. `rows` is row-major: `rows.length === n * featureNames.length`.
   * Resolves to n values of `predictionType`. Rejects with PwError('PW_ERR_MODEL_INPUT') on a bad shape.
   * Async because ONNX Runtime is; the native evaluator resolves immediately.
   */
  predict(rows: Float64Array, n: number): Promise<Float64Array>;
  /** Release native resources (ONNX sessions). Idempotent. */
  close(): Promise<void>;
}
