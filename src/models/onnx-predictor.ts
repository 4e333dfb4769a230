/**
 * @module models/onnx-predictor
 * A `Predictor` over onnxruntime-node for .onnx exports of CatBoost models.
 *
 * - One single-threaded session per model (intra/inter-op 1 thread, no spin-waiting): the worker
 *   runs several models on a small Cloud Run CPU, and spinning threads would only steal it.
 * - Input is float32 (ORT's TreeEnsemble takes float tensors; CatBoost compares in float32 too).
 *   One input buffer per batch size is kept and reused, so a steady stream of single rows
 *   allocates nothing per call on our side.
 * - Feature names: CatBoost's ONNX export does not carry them. Checked on CatBoost 1.2.8 exports
 *   (test/fixtures/models/*.onnx): the input is one float tensor `features` [N, 33] and
 *   `metadata_props` holds only catboost_version_info, train_finish_time, output_options,
 *   training, model_guid and params, none of which lists the names. So the names are the
 *   declared feature set (whose length must equal the input width), else the column numbers
 *   '0', '1', … (CatBoost's own names for unnamed features).
 * - treeCount/treeDepths are read from the TreeEnsemble node's attributes (onnx-model-info.ts);
 *   0/[] when the graph has no tree ensemble.
 * - Parity: ORT sums leaf values in float32, so results differ from CatBoost's float64 sum;
 *   bench/README.md and test/models/onnx-predictor.test.ts state the measured bound.
 */
import { performance } from 'node:perf_hooks';
import { PwError, describeError } from '../errors.js';
import { readOnnxModelInfo, type OnnxModelInfo } from './onnx-model-info.js';
import type { ModelInfo, Predictor } from './predictor.js';
import { lossFromParams } from './prediction-type.js';

/**
 * An ONNX model before the prediction-type wrapper of load-predictor.ts: `predict` returns the
 * graph's output (CatBoost's RawFormulaVal), `trainingLoss` comes from metadata_props `params`.
 */
export type RawOnnxPredictor = Omit<Predictor, 'loss' | 'predictionType'> & {
  trainingLoss: string | undefined;
  /** The tree ensemble's leaf values and base values, for the load-time magnitude checks. */
  leafWeights: readonly number[];
  baseValues: readonly number[];
};

type Ort = typeof import('onnxruntime-node');
type Session = import('onnxruntime-node').InferenceSession;

let ortModule: Promise<Ort> | undefined;
/** onnxruntime-node is a native addon; load it only when an .onnx model is actually used. */
function loadOrt(): Promise<Ort> {
  return (ortModule ??= import('onnxruntime-node'));
}

export interface OnnxLoadInput {
  path: string;
  localPath: string;
  bytes: Uint8Array;
  sha256: string;
  /** Declared feature names (model column order); preferred over anything in the file. */
  featureSet?: readonly string[];
}

export async function loadOnnxPredictor(input: OnnxLoadInput): Promise<RawOnnxPredictor> {
  const started = performance.now();
  let info: OnnxModelInfo;
  try {
    info = readOnnxModelInfo(input.bytes);
  } catch (err) {
    throw new PwError('PW_ERR_MODEL_FORMAT', { cause: err }, input.path, `not an ONNX model: ${describeError(err)}`);
  }
  const ort = await loadOrt();
  let session: Session;
  try {
    session = await ort.InferenceSession.create(input.bytes, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // Errors only: ORT warns on every run that CatBoost's declared output shape {-1} differs
      // from the actual {N,1}, which would flood stderr (and the CLI's one-line error contract).
      logSeverityLevel: 3,
      // The node binding flattens nested keys with '.': session.intra_op.allow_spinning etc.
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    });
  } catch (err) {
    throw new PwError('PW_ERR_MODEL_FORMAT', { cause: err }, input.path, describeError(err));
  }

  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  const inputMeta = session.inputMetadata[0];
  if (!inputName || !outputName || session.inputNames.length !== 1) {
    await session.release();
    throw new PwError('PW_ERR_MODEL_UNSUPPORTED', undefined, input.path, `expected one input and an output, got inputs [${session.inputNames.join(', ')}]`);
  }
  // One float tensor out, one value per row (checked by the load-time probe): a classifier export
  // (label + probabilities) or a multi-output graph is refused here, not on the first push.
  const outputMeta = session.outputMetadata[0];
  if (session.outputNames.length !== 1 || !outputMeta || !outputMeta.isTensor || (outputMeta.type !== 'float32' && outputMeta.type !== 'float64')) {
    const outputs = session.outputMetadata.map((m) => `${m.name}: ${m.isTensor ? `${m.type} tensor` : 'non-tensor'}`).join(', ');
    await session.release();
    throw new PwError('PW_ERR_MODEL_UNSUPPORTED', undefined, input.path, `expected one float tensor output (a points regressor), got [${outputs}]`);
  }
  if (inputMeta && inputMeta.isTensor && inputMeta.type !== 'float32') {
    await session.release();
    throw new PwError('PW_ERR_MODEL_UNSUPPORTED', undefined, input.path, `input '${inputName}' is ${inputMeta.type}, expected float32`);
  }

  const declaredWidth = info.inputWidth;
  const featureNames: readonly string[] =
    input.featureSet ?? (declaredWidth === undefined ? [] : Array.from({ length: declaredWidth }, (_, i) => String(i)));
  if (featureNames.length === 0) {
    await session.release();
    throw new PwError('PW_ERR_MODEL_UNSUPPORTED', undefined, input.path, 'input width is not declared and no feature set was given');
  }
  if (declaredWidth !== undefined && declaredWidth !== featureNames.length) {
    await session.release();
    throw new PwError(
      'PW_ERR_MODEL_FEATURES',
      undefined,
      input.path,
      `ONNX input takes ${declaredWidth} features, feature set declares ${featureNames.length}`,
    );
  }

  const width = featureNames.length;
  const buffers = new Map<number, Float32Array>();
  const busy = new Set<number>();
  let closed = false;

  const modelInfo: Omit<ModelInfo, 'loss' | 'predictionType'> = {
    path: input.path,
    localPath: input.localPath,
    format: 'onnx',
    engine: 'onnx',
    sha256: input.sha256,
    sizeBytes: input.bytes.byteLength,
    featureNames,
    treeCount: info.treeCount,
    treeDepths: info.treeDepths,
    loadMs: performance.now() - started,
  };

  return {
    ...modelInfo,
    trainingLoss: lossFromParams(info.metadata.params),
    leafWeights: info.leafWeights,
    baseValues: info.baseValues,
    async predict(rows: Float64Array, n: number): Promise<Float64Array> {
      if (closed) throw new PwError('PW_ERR_MODEL_INPUT', undefined, input.path, 'predictor is closed');
      if (!Number.isInteger(n) || n < 0 || rows.length !== n * width) {
        throw new PwError('PW_ERR_MODEL_INPUT', undefined, input.path, `expected ${n}×${width} values, got ${rows.length}`);
      }
      if (n === 0) return new Float64Array(0);
      // Reuse this batch size's buffer unless a concurrent run still reads it (ORT runs async).
      let buf = buffers.get(n);
      const reuse = buf !== undefined && !busy.has(n);
      if (!reuse) {
        buf = new Float32Array(n * width);
        // Keep a few sizes only; a stream of odd batch sizes must not grow memory.
        if (!buffers.has(n) && buffers.size < 8) buffers.set(n, buf);
      }
      const owned = buffers.get(n) === buf;
      if (owned) busy.add(n);
      let result: Awaited<ReturnType<Session['run']>>;
      try {
        buf!.set(rows); // float64 → float32 rounding, as CatBoost does (NaN stays NaN)
        result = await session.run({ [inputName]: new ort.Tensor('float32', buf!, [n, width]) });
      } finally {
        if (owned) busy.delete(n);
      }
      const out = result[outputName];
      if (!out) throw new PwError('PW_ERR_MODEL_INPUT', undefined, input.path, `no output '${outputName}'`);
      const data = out.data as Float32Array | Float64Array;
      if (data.length !== n) {
        throw new PwError('PW_ERR_MODEL_UNSUPPORTED', undefined, input.path, `output has ${data.length} values for ${n} rows`);
      }
      return Float64Array.from(data);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      buffers.clear();
      await session.release();
    },
  };
}
