/**
 * @module models/catboost/cbm-reader
 * Reads CatBoost's binary model file (.cbm, "CBM1") into an `ObliviousModel`.
 *
 * Layout: the 4-byte magic `CBM1`, a little-endian uint32 length, then that many bytes of
 * FlatBuffers `TModelCore` (catboost/libs/model/flatbuffers/model.fbs); CTR data or other model
 * parts may follow. Checks run in CatBoost's order, each with its own message: non-empty, magic,
 * declared length within the file, a verifier pass over every field we touch, then the fields.
 * Broken files fail with PW_ERR_MODEL_FORMAT; valid models this evaluator cannot run exactly
 * (categorical/text/embedding features, CTRs, several dimensions, non-symmetric trees, trailing
 * model parts) fail with PW_ERR_MODEL_UNSUPPORTED naming what they use.
 */
import { PwError, pwError } from '../../errors.js';
import { FbBuffer, FbTable, FlatBufferError } from './flatbuffers.js';
import { lossFromParams } from '../prediction-type.js';
import { type NanValueTreatment, type ObliviousFloatFeature, type ObliviousModel, MAX_TREE_DEPTH, NAN_VALUE_TREATMENTS, validateObliviousModel } from './model.js';

const MAGIC = 'CBM1';
const HEADER_SIZE = 8;
/** CatBoost's CURRENT_CORE_FORMAT_STRING, misspelling included. */
const CORE_FORMAT_VERSION = 'FlabuffersModel_v1';

/** Field ids (declaration order) of the tables in model.fbs / features.fbs. */
const CORE = { FormatVersion: 0, ModelTrees: 1, InfoMap: 2, ModelPartIds: 3 } as const;
const KEY_VALUE = { Key: 0, Value: 1 } as const;
const TREES = {
  ApproxDimension: 0,
  TreeSplits: 1,
  TreeSizes: 2,
  TreeStartOffsets: 3,
  CatFeatures: 4,
  FloatFeatures: 5,
  OneHotFeatures: 6,
  CtrFeatures: 7,
  LeafValues: 8,
  LeafWeights: 9,
  NonSymmetricStepNodes: 10,
  NonSymmetricNodeIdToLeafId: 11,
  TextFeatures: 12,
  EstimatedFeatures: 13,
  Scale: 14,
  Bias: 15,
  MultiBias: 16,
  RepackedBins: 17,
  EmbeddingFeatures: 18,
} as const;
const FLOAT_FEATURE = { HasNans: 0, Index: 1, FlatIndex: 2, Borders: 3, FeatureId: 4, NanValueTreatment: 5 } as const;

/** Vectors of tables that only unsupported models fill, with what to call them in the error. */
const UNSUPPORTED_TABLE_VECTORS = [
  [TREES.CatFeatures, 'CatFeatures', 'categorical features'],
  [TREES.OneHotFeatures, 'OneHotFeatures', 'one-hot categorical features'],
  [TREES.CtrFeatures, 'CtrFeatures', 'CTR features'],
  [TREES.TextFeatures, 'TextFeatures', 'text features'],
  [TREES.EstimatedFeatures, 'EstimatedFeatures', 'estimated (text/embedding) features'],
  [TREES.EmbeddingFeatures, 'EmbeddingFeatures', 'embedding features'],
] as const;

/** Parses a .cbm file. `name` (file name or model id) goes into every error message. */
export function parseCbm(bytes: Uint8Array, name: string): ObliviousModel {
  const formatError = (reason: string, cause?: unknown) => new PwError('PW_ERR_MODEL_FORMAT', cause === undefined ? undefined : { cause }, name, reason);
  // Once the metadata is read, a refusal also names the training loss (e.g. a MultiClass model
  // is refused for its ApproxDimension, and the message says loss_function MultiClass).
  let trainingLoss: string | undefined;
  const unsupported = (what: string) => pwError('PW_ERR_MODEL_UNSUPPORTED', name, trainingLoss ? `${what}; loss_function ${trainingLoss}` : what);

  if (bytes.length === 0) throw formatError('the file is empty');
  if (bytes.length < 4 || String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]) !== MAGIC) {
    throw formatError(`no ${MAGIC} magic at the start: not a CatBoost .cbm model`);
  }
  if (bytes.length < HEADER_SIZE) throw formatError(`the file ends inside the ${HEADER_SIZE}-byte header (${bytes.length} bytes)`);
  const coreSize = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (coreSize > bytes.length - HEADER_SIZE) {
    throw formatError(`the header declares a ${coreSize}-byte model core but only ${bytes.length - HEADER_SIZE} bytes follow (truncated file?)`);
  }

  const buf = new FbBuffer(bytes.subarray(HEADER_SIZE, HEADER_SIZE + coreSize));
  let core: FbTable;
  let trees: FbTable | undefined;
  try {
    core = buf.root('TModelCore');
    verifyCore(core);
    trees = core.table(CORE.ModelTrees, 'ModelTrees');
    trainingLoss = readTrainingLoss(core);
  } catch (err) {
    if (err instanceof FlatBufferError) throw formatError(`model core fails FlatBuffers verification: ${err.message}`, err);
    throw err;
  }

  // Fields, now that every offset we follow is known to be sound.
  try {
    const version = core.string(CORE.FormatVersion, 'FormatVersion');
    if (version === undefined) throw formatError('the model core has no FormatVersion');
    if (version !== CORE_FORMAT_VERSION) throw unsupported(`model core format ${JSON.stringify(version)} (expected ${CORE_FORMAT_VERSION})`);
    if (trees === undefined) throw formatError('the model core has no ModelTrees');
    const partIds = core.stringVector(CORE.ModelPartIds, 'ModelPartIds') ?? [];
    if (partIds.length > 0) throw unsupported(`model parts after the core (${partIds.join(', ')}), e.g. CTR data`);
    if (bytes.length > HEADER_SIZE + coreSize) {
      throw unsupported(`${bytes.length - HEADER_SIZE - coreSize} bytes after the model core (CTR data or other model parts)`);
    }
    const model = readTrees(trees, name, unsupported, formatError);
    return { ...model, trainingLoss };
  } catch (err) {
    if (err instanceof FlatBufferError) throw formatError(err.message, err);
    throw err;
  }
}

/**
 * The verifier pass: touches every field of TModelCore / TModelTrees / TFloatFeature with its
 * declared type, so structural damage anywhere is reported as such before semantics are read.
 */
function verifyCore(core: FbTable): void {
  core.string(CORE.FormatVersion, 'FormatVersion');
  for (const entry of core.tableVector(CORE.InfoMap, 'InfoMap') ?? []) {
    // Key and Value are `required` in the schema.
    if (entry.string(KEY_VALUE.Key, 'Key') === undefined) throw new FlatBufferError(`${entry.what} lacks its required Key`);
    if (entry.string(KEY_VALUE.Value, 'Value') === undefined) throw new FlatBufferError(`${entry.what} lacks its required Value`);
  }
  core.stringVector(CORE.ModelPartIds, 'ModelPartIds');
  const trees = core.table(CORE.ModelTrees, 'ModelTrees');
  if (trees === undefined) return;
  trees.int32(TREES.ApproxDimension, 0, 'ApproxDimension');
  trees.vector(TREES.TreeSplits, 4, 'TreeSplits');
  trees.vector(TREES.TreeSizes, 4, 'TreeSizes');
  trees.vector(TREES.TreeStartOffsets, 4, 'TreeStartOffsets');
  for (const [id, field] of UNSUPPORTED_TABLE_VECTORS) trees.tableVector(id, field);
  for (const feature of trees.tableVector(TREES.FloatFeatures, 'FloatFeatures') ?? []) {
    feature.bool(FLOAT_FEATURE.HasNans, false, 'HasNans');
    feature.int32(FLOAT_FEATURE.Index, -1, 'Index');
    feature.int32(FLOAT_FEATURE.FlatIndex, -1, 'FlatIndex');
    feature.vector(FLOAT_FEATURE.Borders, 4, 'Borders');
    feature.string(FLOAT_FEATURE.FeatureId, 'FeatureId');
    feature.int8(FLOAT_FEATURE.NanValueTreatment, 0, 'NanValueTreatment');
  }
  trees.vector(TREES.LeafValues, 8, 'LeafValues');
  trees.vector(TREES.LeafWeights, 8, 'LeafWeights');
  trees.vector(TREES.NonSymmetricStepNodes, 4, 'NonSymmetricStepNodes'); // struct of two uint16
  trees.vector(TREES.NonSymmetricNodeIdToLeafId, 4, 'NonSymmetricNodeIdToLeafId');
  trees.float64(TREES.Scale, 1, 'Scale');
  trees.float64(TREES.Bias, 0, 'Bias');
  trees.vector(TREES.MultiBias, 8, 'MultiBias');
  trees.vector(TREES.RepackedBins, 4, 'RepackedBins'); // struct uint16 + uint8 + uint8
}

/** `loss_function` from the InfoMap's `params` JSON (CatBoost writes it for every trained model). */
function readTrainingLoss(core: FbTable): string | undefined {
  for (const entry of core.tableVector(CORE.InfoMap, 'InfoMap') ?? []) {
    if (entry.string(KEY_VALUE.Key, 'Key') === 'params') return lossFromParams(entry.string(KEY_VALUE.Value, 'Value'));
  }
  return undefined;
}

function readTrees(
  trees: FbTable,
  name: string,
  unsupported: (what: string) => PwError,
  formatError: (reason: string) => PwError,
): ObliviousModel {
  for (const [id, field, what] of UNSUPPORTED_TABLE_VECTORS) {
    const count = trees.vectorLength(id, 4, field);
    if (count > 0) throw unsupported(`${what} (${count} in ${field})`);
  }
  const approxDimension = trees.int32(TREES.ApproxDimension, 0, 'ApproxDimension');
  if (approxDimension !== 1) throw unsupported(`ApproxDimension ${approxDimension} (multiclass / multi-target); only 1 is supported`);
  const stepNodes = trees.vectorLength(TREES.NonSymmetricStepNodes, 4, 'NonSymmetricStepNodes');
  const nodeToLeaf = trees.vectorLength(TREES.NonSymmetricNodeIdToLeafId, 4, 'NonSymmetricNodeIdToLeafId');
  if (stepNodes > 0 || nodeToLeaf > 0) throw unsupported('non-symmetric trees (Depthwise / Lossguide grow policy)');

  const treeSizes = trees.int32Vector(TREES.TreeSizes, 'TreeSizes') ?? new Int32Array(0);
  const treeSplits = trees.int32Vector(TREES.TreeSplits, 'TreeSplits') ?? new Int32Array(0);
  for (let t = 0; t < treeSizes.length; t++) {
    if (treeSizes[t] < 0 || treeSizes[t] > MAX_TREE_DEPTH) throw formatError(`tree #${t} has depth ${treeSizes[t]}`);
  }
  const startOffsets = trees.int32Vector(TREES.TreeStartOffsets, 'TreeStartOffsets');
  if (startOffsets !== undefined && startOffsets.length > 0) {
    if (startOffsets.length !== treeSizes.length) {
      throw formatError(`${startOffsets.length} TreeStartOffsets for ${treeSizes.length} trees`);
    }
    let offset = 0;
    for (let t = 0; t < treeSizes.length; t++) {
      if (startOffsets[t] !== offset) throw formatError(`TreeStartOffsets[${t}] is ${startOffsets[t]}, expected ${offset}`);
      offset += treeSizes[t];
    }
  }

  const floatFeatures: ObliviousFloatFeature[] = [];
  const namesByColumn = new Map<number, string>();
  const fbFeatures = trees.tableVector(TREES.FloatFeatures, 'FloatFeatures') ?? [];
  fbFeatures.forEach((feature, f) => {
    const index = feature.int32(FLOAT_FEATURE.Index, -1, 'Index');
    const flatIndex = feature.int32(FLOAT_FEATURE.FlatIndex, -1, 'FlatIndex');
    // Without categorical features the two indices coincide; a difference means columns we cannot map.
    if (index !== flatIndex) throw unsupported(`float feature #${f} has Index ${index} but FlatIndex ${flatIndex} (mixed feature types)`);
    // A float-only model numbers its float features 0..n-1 (unused ones stay, without borders).
    if (index < 0 || index >= fbFeatures.length) throw formatError(`float feature #${f} has Index ${index}, outside 0..${fbFeatures.length - 1}`);
    const treatmentCode = feature.int8(FLOAT_FEATURE.NanValueTreatment, 0, 'NanValueTreatment');
    const nanValueTreatment: NanValueTreatment | undefined = NAN_VALUE_TREATMENTS[treatmentCode];
    if (nanValueTreatment === undefined) throw formatError(`float feature #${f} has unknown NanValueTreatment ${treatmentCode}`);
    const featureId = feature.string(FLOAT_FEATURE.FeatureId, 'FeatureId');
    namesByColumn.set(index, featureId !== undefined && featureId !== '' ? featureId : String(flatIndex));
    floatFeatures.push({
      index,
      borders: feature.float32Vector(FLOAT_FEATURE.Borders, 'Borders') ?? new Float32Array(0),
      hasNans: feature.bool(FLOAT_FEATURE.HasNans, false, 'HasNans'),
      nanValueTreatment,
    });
  });
  const featureCount = floatFeatures.reduce((max, feature) => Math.max(max, feature.index + 1), 0);
  const featureNames = Array.from({ length: featureCount }, (_, column) => namesByColumn.get(column) ?? String(column));

  const multiBias = trees.float64Vector(TREES.MultiBias, 'MultiBias');
  let bias: number;
  if (multiBias !== undefined && multiBias.length > 1) {
    throw unsupported(`${multiBias.length} bias values (MultiBias), i.e. several dimensions`);
  } else if (multiBias !== undefined && multiBias.length === 1) {
    // CatBoost 1.x stores the bias here and leaves Bias at its default 0 (the MultiBias trap).
    bias = multiBias[0];
  } else {
    bias = trees.float64(TREES.Bias, 0, 'Bias');
  }

  const model: ObliviousModel = {
    featureNames,
    floatFeatures,
    treeDepths: Array.from(treeSizes),
    treeSplits,
    leafValues: trees.float64Vector(TREES.LeafValues, 'LeafValues') ?? new Float64Array(0),
    scale: trees.float64(TREES.Scale, 1, 'Scale'),
    bias,
  };
  validateObliviousModel(model, name);
  return model;
}

/**
 * The model's own metadata: the key/value InfoMap of a .cbm file (CatBoost's `model.get_metadata()`:
 * `params`, `catboost_version_info`, `train_finish_time`, and keys a trainer adds, e.g. the
 * `pw_lineage` that src/training writes). Checks the magic, header and FlatBuffers structure of
 * the core like parseCbm; throws PW_ERR_MODEL_FORMAT for a file that is not a readable .cbm.
 */
export function readCbmInfoMap(bytes: Uint8Array, name: string): Map<string, string> {
  const formatError = (reason: string, cause?: unknown) => new PwError('PW_ERR_MODEL_FORMAT', cause === undefined ? undefined : { cause }, name, reason);
  if (bytes.length < HEADER_SIZE || String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!) !== MAGIC) {
    throw formatError(`no ${MAGIC} header: not a CatBoost .cbm model`);
  }
  const coreSize = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (coreSize > bytes.length - HEADER_SIZE) throw formatError(`the header declares a ${coreSize}-byte model core but only ${bytes.length - HEADER_SIZE} bytes follow`);
  const out = new Map<string, string>();
  try {
    const core = new FbBuffer(bytes.subarray(HEADER_SIZE, HEADER_SIZE + coreSize)).root('TModelCore');
    verifyCore(core);
    for (const entry of core.tableVector(CORE.InfoMap, 'InfoMap') ?? []) {
      out.set(entry.string(KEY_VALUE.Key, 'Key')!, entry.string(KEY_VALUE.Value, 'Value')!);
    }
  } catch (err) {
    if (err instanceof FlatBufferError) throw formatError(`model core fails FlatBuffers verification: ${err.message}`, err);
    throw err;
  }
  return out;
}
