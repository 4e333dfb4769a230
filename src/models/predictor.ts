/**
 * @module models/predictor
 * One loaded model. `predict` takes rows in the model's own feature order (NaN = missing) and
 * returns CatBoost's RawFormulaVal per row as float64.
 */

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
}

export interface Predictor extends ModelInfo {
  /**
   * Predict a batch. `rows` is row-major: `rows.length === n * featureNames.length`.
   * Resolves to n RawFormulaVal values. Rejects with PwError('PW_ERR_MODEL_INPUT') on a bad shape.
   * Async because ONNX Runtime is; the native evaluator resolves immediately.
   */
  predict(rows: Float64Array, n: number): Promise<Float64Array>;
  /** Release native resources (ONNX sessions). Idempotent. */
  close(): Promise<void>;
}
