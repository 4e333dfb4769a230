/**
 * @module models/load-predictor
 * `loadPredictor`: configured path → verified bytes (ModelStore) → a `Predictor` on the right
 * engine, checked against its declared feature set (incident 10.21: a 36-feature model in a
 * 33-feature slot). Format comes from the extension: .cbm and .json run on the TypeScript
 * CatBoost evaluator (`native`), .onnx on ONNX Runtime.
 *
 * Issue 7 (classes 2, 3): the training loss is read from the file's own metadata and decides what
 * `predict` returns (CatBoost's default predict(): exp() for Poisson/Tweedie, the raw sum for
 * RMSE, MAE, Quantile, …; models/prediction-type.ts); a loss whose output is not a point value is
 * refused. Native models' leaf values, scale and bias must be plausible for points, and every
 * model predicts probe rows inside the load (models/model-checks.ts); a model that fails either
 * is closed and refused before anyone sees it loaded.
 */
import { performance } from 'node:perf_hooks';
import { PwError, describeError, isPwError } from '../errors.js';
import { featureSetMismatch } from '../features/contract.js';
import { ObliviousEvaluator, parseCatBoostJson, parseCbm, type ObliviousModel } from './catboost/index.js';
import { checkOnnxMagnitudes, checkPointsMagnitudes, probeModel } from './model-checks.js';
import { applyPredictionType, defaultPredictionType, type PredictionType } from './prediction-type.js';
import type { ModelStore } from './model-store.js';
import { loadOnnxPredictor } from './onnx-predictor.js';
import type { Engine, ModelFormat, Predictor } from './predictor.js';

export type EngineChoice = 'auto' | Engine;

export interface LoadPredictorOptions {
  /** gs://bucket/object or a local path (relative to the store's cwd). */
  path: string;
  expectedSha256?: string | undefined;
  /** Declared feature names in model column order; the model must match exactly. */
  featureSet?: readonly string[] | undefined;
  engine: EngineChoice;
  store: ModelStore;
  /**
   * 'default' (default): what CatBoost's own predict() returns for the model's loss (points);
   * 'RawFormulaVal': the raw sum scale × Σ leaves + bias (`cli predict --prediction-type`).
   */
  predictionType?: 'default' | 'RawFormulaVal' | undefined;
}

/** Format from the file extension (of the object name for gs:// paths). */
export function modelFormatOf(path: string): ModelFormat {
  const match = /\.([A-Za-z0-9]+)$/.exec(path);
  const ext = match?.[1]?.toLowerCase();
  if (ext === 'cbm' || ext === 'json' || ext === 'onnx') return ext;
  throw new PwError(
    'PW_ERR_MODEL_UNSUPPORTED',
    undefined,
    path,
    `unknown model file extension '${match ? `.${match[1]}` : '(none)'}'; expected .cbm, .json or .onnx`,
  );
}

/** Which engine runs a file of this format; refuses combinations that cannot work. */
export function engineFor(path: string, format: ModelFormat, choice: EngineChoice): Engine {
  if (choice === 'auto') return format === 'onnx' ? 'onnx' : 'native';
  if (choice === 'native' && format === 'onnx') {
    throw new PwError('PW_ERR_MODEL_UNSUPPORTED', undefined, path, 'the native engine reads .cbm/.json; use --engine onnx (or auto) for .onnx files');
  }
  if (choice === 'onnx' && format !== 'onnx') {
    throw new PwError(
      'PW_ERR_MODEL_UNSUPPORTED',
      undefined,
      path,
      `ONNX Runtime cannot read .${format}; export to .onnx first (CatBoost: model.save_model('model.onnx', format='onnx')) or use the native engine`,
    );
  }
  return choice;
}

export async function loadPredictor(options: LoadPredictorOptions): Promise<Predictor> {
  const { path, store } = options;
  // Cheap checks before any fetch: a bad extension or engine never costs a download.
  const format = modelFormatOf(path);
  const engine = engineFor(path, format, options.engine);
  const fetched = await store.fetch(path, options.expectedSha256 === undefined ? {} : { expectedSha256: options.expectedSha256 });

  let raw: RawPredictor;
  if (engine === 'onnx') {
    const onnx = await loadOnnxPredictor({
      path,
      localPath: fetched.localPath,
      bytes: fetched.bytes,
      sha256: fetched.sha256,
      ...(options.featureSet ? { featureSet: options.featureSet } : {}),
    });
    raw = { predictor: onnx, loss: onnx.trainingLoss, onnx: { leafWeights: onnx.leafWeights, baseValues: onnx.baseValues } };
  } else {
    raw = loadNative(path, format as 'cbm' | 'json', fetched);
  }
  const base = raw.predictor;

  try {
    if (options.featureSet) {
      const problems = featureSetMismatch(base.featureNames, options.featureSet);
      if (problems.length > 0) throw new PwError('PW_ERR_MODEL_FEATURES', undefined, path, problems.join('; '));
    }
    const pointsType = defaultPredictionType(raw.loss, path);
    if (raw.model) checkPointsMagnitudes(raw.model, path, pointsType);
    if (raw.onnx) checkOnnxMagnitudes(raw.onnx.leafWeights, raw.onnx.baseValues, path);
    await probeModel(path, base.featureNames, (rows, n) => base.predict(rows, n), pointsType);
    const served: PredictionType = options.predictionType === 'RawFormulaVal' ? 'RawFormulaVal' : pointsType;
    return withPredictionType(base, raw.loss!, served);
  } catch (err) {
    await base.close();
    throw err;
  }
}

interface RawPredictor {
  /** Returns RawFormulaVal. */
  predictor: Omit<Predictor, 'loss' | 'predictionType'>;
  loss: string | undefined;
  /** The parsed trees (native engine), for the magnitude checks. */
  model?: ObliviousModel;
  /** The ONNX tree ensemble's leaf and base values, for the same checks. */
  onnx?: { leafWeights: readonly number[]; baseValues: readonly number[] };
}

/** The served predictor: `predict` applies `type` to the raw values. */
function withPredictionType(base: RawPredictor['predictor'], loss: string, type: PredictionType): Predictor {
  return {
    ...base,
    loss,
    predictionType: type,
    predict: async (rows, n) => applyPredictionType(await base.predict(rows, n), type),
    close: () => base.close(),
  };
}

function loadNative(
  path: string,
  format: 'cbm' | 'json',
  fetched: { localPath: string; sha256: string; sizeBytes: number; bytes: Uint8Array },
): RawPredictor {
  const started = performance.now();
  let parsed: ObliviousModel;
  let model: ObliviousEvaluator;
  try {
    parsed =
      format === 'cbm'
        ? parseCbm(fetched.bytes, path)
        : // JSON.parse rejects a byte-order mark, which some editors add; CatBoost never writes one.
          parseCatBoostJson(new TextDecoder('utf-8', { ignoreBOM: false }).decode(fetched.bytes), path);
    model = new ObliviousEvaluator(parsed, path);
  } catch (err) {
    // The evaluator throws coded errors; anything else (a parser bug on hostile bytes) still
    // surfaces as a format error naming the file, never as a crash.
    if (isPwError(err)) throw err;
    throw new PwError('PW_ERR_MODEL_FORMAT', { cause: err }, path, describeError(err));
  }
  const loadMs = performance.now() - started;
  const width = model.featureCount;
  const predictor: RawPredictor['predictor'] = {
    path,
    localPath: fetched.localPath,
    format,
    engine: 'native',
    sha256: fetched.sha256,
    sizeBytes: fetched.sizeBytes,
    featureNames: model.featureNames,
    treeCount: model.treeCount,
    treeDepths: model.treeDepths,
    loadMs,
    predict(rows: Float64Array, n: number): Promise<Float64Array> {
      // Shape errors reject (not throw) so callers see one failure path for both engines.
      if (!Number.isInteger(n) || n < 0 || rows.length !== n * width) {
        return Promise.reject(new PwError('PW_ERR_MODEL_INPUT', undefined, path, `expected ${n}×${width} values, got ${rows.length}`));
      }
      try {
        return Promise.resolve(model.predict(rows, n));
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    },
    close: () => Promise.resolve(),
  };
  return { predictor, loss: parsed.trainingLoss, model: parsed };
}
