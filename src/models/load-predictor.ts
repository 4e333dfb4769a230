/**
 * @module models/load-predictor
 * `loadPredictor`: configured path → verified bytes (ModelStore) → a `Predictor` on the right
 * engine, checked against its declared feature set (incident 10.21: a 36-feature model in a
 * 33-feature slot). Format comes from the extension: .cbm and .json run on the TypeScript
 * CatBoost evaluator (`native`), .onnx on ONNX Runtime.
 */
import { performance } from 'node:perf_hooks';
import { PwError, describeError, isPwError } from '../errors.js';
import { featureSetMismatch } from '../features/contract.js';
import { loadNativeModel } from './catboost/index.js';
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

  let predictor: Predictor;
  if (engine === 'onnx') {
    predictor = await loadOnnxPredictor({
      path,
      localPath: fetched.localPath,
      bytes: fetched.bytes,
      sha256: fetched.sha256,
      ...(options.featureSet ? { featureSet: options.featureSet } : {}),
    });
  } else {
    predictor = loadNative(path, format as 'cbm' | 'json', fetched);
  }

  if (options.featureSet) {
    const problems = featureSetMismatch(predictor.featureNames, options.featureSet);
    if (problems.length > 0) {
      await predictor.close();
      throw new PwError('PW_ERR_MODEL_FEATURES', undefined, path, problems.join('; '));
    }
  }
  return predictor;
}

function loadNative(
  path: string,
  format: 'cbm' | 'json',
  fetched: { localPath: string; sha256: string; sizeBytes: number; bytes: Uint8Array },
): Predictor {
  const started = performance.now();
  let model: ReturnType<typeof loadNativeModel>;
  try {
    model = loadNativeModel(fetched.bytes, format, path);
  } catch (err) {
    // The evaluator throws coded errors; anything else (a parser bug on hostile bytes) still
    // surfaces as a format error naming the file, never as a crash.
    if (isPwError(err)) throw err;
    throw new PwError('PW_ERR_MODEL_FORMAT', { cause: err }, path, describeError(err));
  }
  const loadMs = performance.now() - started;
  const width = model.featureCount;
  return {
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
}
