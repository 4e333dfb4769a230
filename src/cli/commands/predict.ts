/**
 * @module cli/commands/predict
 * `npm run --silent cli -- predict --model <file> --input <csv> [--engine auto|native|onnx] [--feature-set v9]
 *   [--prediction-type RawFormulaVal]`
 *
 * Runs one model over a CSV of feature rows and prints, per input row and in order, what
 * CatBoost's own `predict()` prints by default for the model's training loss (exp of the raw sum
 * for Poisson/Tweedie, the raw sum for RMSE/MAE/Quantile/…; models/prediction-type.ts), or with
 * `--prediction-type RawFormulaVal` the raw sum scale × Σ leaves + bias, with 17 significant digits (enough to round-trip a double), and nothing else on stdout.
 * The CSV header names the features; columns are matched by name to the model's column order
 * (extra columns are ignored, missing ones are an error naming them). An empty cell or `nan`
 * (any case) is a missing value (NaN), which the model treats as CatBoost does.
 * --model may be a local path or gs://bucket/object (cached under MODEL_CACHE_DIR).
 * --feature-set: the declared feature names the model must match. CatBoost models carry their
 * names; CatBoost's ONNX export does not, so .onnx models take them from the feature set
 * (default v9, checked against the ONNX input width).
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { PwError, describeError } from '../../errors.js';
import { FEATURE_SETS, type FeatureSetName } from '../../features/contract.js';
import { engineFor, loadPredictor, modelFormatOf, type EngineChoice } from '../../models/load-predictor.js';
import { modelStoreFromConfig } from '../../models/model-store.js';
import { parseFlags, requireFlag } from '../args.js';
import { CsvError, parseCsv, type CsvRecord } from '../csv.js';
import type { CliIo } from '../io.js';
import type { CommandHelp } from '../help.js';

export const help: CommandHelp = {
  usage: 'predict --model <file|gs://…> --input <csv> [--engine auto|native|onnx] [--feature-set v9]',
  summary: 'One prediction (RawFormulaVal, 17 significant digits) per CSV row; columns matched by header name, empty or nan = missing.',
  flags: [
    { flag: '--model <path>', text: 'a .cbm, .json or .onnx file, local or gs://bucket/object (required)' },
    { flag: '--input <csv>', text: 'feature rows with a header (required)' },
    { flag: '--engine <name>', default: 'auto', text: 'auto | native | onnx' },
    { flag: '--feature-set <name>', default: 'v9', text: 'declared feature names the model must match' },
  ],
  example: 'predict --model models/catboost_v9_demo_champion.cbm --input rows.csv',
};

/** Rows per predict call: large enough to amortise per-call cost, small enough to stay lean. */
const BATCH_ROWS = 1024;
const ENGINES = ['auto', 'native', 'onnx'] as const;
const PREDICTION_TYPES = ['default', 'RawFormulaVal'] as const;

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^[+-]?inf(?:inity)?$/i;

/** One CSV cell → number; '' and nan (any case) are missing (NaN); anything else non-numeric throws. */
export function parseCell(raw: string): number {
  const v = raw.trim();
  if (v === '' || v.toLowerCase() === 'nan') return Number.NaN;
  if (NUMBER.test(v)) return Number(v);
  if (INFINITY.test(v)) return v.startsWith('-') ? -Infinity : Infinity;
  throw new Error(`'${raw}' is not a number`);
}

/**
 * Map a CSV header onto the model's feature order: `columns[j]` is the CSV column holding
 * feature j. Missing features are one error listing all of them.
 */
export function columnIndexFor(header: readonly string[], featureNames: readonly string[], inputName: string): number[] {
  const byName = new Map<string, number>();
  const duplicated = new Set<string>();
  header.forEach((raw, i) => {
    const name = raw.trim();
    if (byName.has(name)) duplicated.add(name);
    byName.set(name, i);
  });
  const missing = featureNames.filter((f) => !byName.has(f));
  if (missing.length > 0) {
    throw new PwError('PW_ERR_JOB_INPUT', undefined, `${inputName} lacks ${missing.length} model feature column(s): ${missing.join(', ')}`);
  }
  const ambiguous = featureNames.filter((f) => duplicated.has(f));
  if (ambiguous.length > 0) {
    throw new PwError('PW_ERR_JOB_INPUT', undefined, `${inputName} has duplicate column(s): ${ambiguous.join(', ')}`);
  }
  return featureNames.map((f) => byName.get(f)!);
}

/** Fill `out` (row-major, model order) from CSV records; errors name the line and column. */
export function fillRows(
  records: readonly CsvRecord[],
  header: readonly string[],
  columns: readonly number[],
  out: Float64Array,
  inputName: string,
): void {
  const width = columns.length;
  records.forEach((record, r) => {
    if (record.fields.length !== header.length) {
      throw new PwError(
        'PW_ERR_JOB_INPUT',
        undefined,
        `${inputName} line ${record.line}: ${record.fields.length} fields, header has ${header.length}`,
      );
    }
    for (let j = 0; j < width; j++) {
      const col = columns[j]!;
      try {
        out[r * width + j] = parseCell(record.fields[col]!);
      } catch (err) {
        throw new PwError('PW_ERR_JOB_INPUT', undefined, `${inputName} line ${record.line}, column '${header[col]!.trim()}': ${(err as Error).message}`);
      }
    }
  });
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, {
    model: { type: 'string' },
    input: { type: 'string' },
    engine: { type: 'string', default: 'auto' },
    'feature-set': { type: 'string' },
    'prediction-type': { type: 'string', default: 'default' },
  });
  const predictionType = values['prediction-type'] as string;
  if (!(PREDICTION_TYPES as readonly string[]).includes(predictionType)) {
    throw new PwError('PW_ERR_CLI_USAGE', undefined, `--prediction-type must be one of ${PREDICTION_TYPES.join(', ')}, got '${predictionType}'`);
  }
  const modelPath = requireFlag(values.model, 'model');
  const inputPath = requireFlag(values.input, 'input');
  const engine = values.engine as string;
  if (!(ENGINES as readonly string[]).includes(engine)) {
    throw new PwError('PW_ERR_CLI_USAGE', undefined, `--engine must be one of ${ENGINES.join(', ')}, got '${engine}'`);
  }
  const featureSetName = values['feature-set'];
  if (featureSetName !== undefined && !Object.hasOwn(FEATURE_SETS, featureSetName)) {
    throw new PwError('PW_ERR_CLI_USAGE', undefined, `--feature-set must be one of ${Object.keys(FEATURE_SETS).join(', ')}, got '${featureSetName}'`);
  }
  const resolvedEngine = engineFor(modelPath, modelFormatOf(modelPath), engine as EngineChoice);
  const featureSet: readonly string[] | undefined =
    featureSetName !== undefined
      ? FEATURE_SETS[featureSetName as FeatureSetName]
      : resolvedEngine === 'onnx'
        ? FEATURE_SETS.v9
        : undefined;

  // Read and parse the input before loading the model: bad input fails fast.
  let text: string;
  try {
    text = await readFile(isAbsolute(inputPath) ? inputPath : resolve(io.cwd, inputPath), 'utf8');
  } catch (err) {
    throw new PwError('PW_ERR_JOB_INPUT', { cause: err }, `cannot read --input ${inputPath}: ${describeError(err)}`);
  }
  let records: CsvRecord[];
  try {
    records = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvError) throw new PwError('PW_ERR_JOB_INPUT', { cause: err }, `${inputPath} ${err.message}`);
    throw err;
  }
  const [headerRecord, ...rows] = records;
  if (!headerRecord) throw new PwError('PW_ERR_JOB_INPUT', undefined, `${inputPath} is empty (expected a header row naming the features)`);
  const header = headerRecord.fields;

  const store = modelStoreFromConfig(
    {
      MODEL_CACHE_DIR: io.env.MODEL_CACHE_DIR || '/tmp/models',
      STORAGE_EMULATOR_HOST: io.env.STORAGE_EMULATOR_HOST || undefined,
      GCP_PROJECT_ID: io.env.GCP_PROJECT_ID || undefined,
    },
    io.cwd,
  );
  const predictor = await loadPredictor({
    path: modelPath,
    engine: engine as EngineChoice,
    store,
    featureSet,
    predictionType: predictionType as (typeof PREDICTION_TYPES)[number],
  });
  try {
    const columns = columnIndexFor(header, predictor.featureNames, inputPath);
    const width = columns.length;
    // Validate every row before printing anything: bad input never leaves a partial output.
    const all = new Float64Array(rows.length * width);
    fillRows(rows, header, columns, all, inputPath);
    for (let start = 0; start < rows.length; start += BATCH_ROWS) {
      const n = Math.min(BATCH_ROWS, rows.length - start);
      const out = await predictor.predict(all.subarray(start * width, (start + n) * width), n);
      let lines = '';
      for (const value of out) lines += `${value.toPrecision(17)}\n`;
      io.out(lines);
    }
  } finally {
    await predictor.close();
  }
  return 0;
}
