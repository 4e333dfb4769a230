/**
 * @module lifecycle/snippet
 * The paste-ready MONTHLY_MODELS entry that `evaluate` prints when every gate passes (original §8:
 * "MONTHLY_MODELS CONFIG (paste into catboost_monthly.py)"), in the exact shape of
 * config/registry.ts so it pastes into config/monthly-models.ts unchanged, and the numbered next
 * steps of the guide's lifecycle. Pure: the caller supplies every number.
 */
import { uploadPathFor } from '../models/artifacts.js';
import type { GateRecord, RegistryEntryInput } from '../../config/registry.js';

/** `catboost_v9_train<MMDD>_<MMDD>` from the training window (the guide's naming convention). */
export function defaultSystemId(trainStart: string, trainEnd: string): string {
  const mmdd = (d: string) => d.slice(5, 7) + d.slice(8, 10);
  return `catboost_v9_train${mmdd(trainStart)}_${mmdd(trainEnd)}`;
}

/**
 * Where the model will live: with --upload-path (a gs:// folder ending in '/'), exactly the object
 * `model upload <file> --bucket <folder>` creates (its content-addressed name, src/models/artifacts.ts),
 * so the registry never names an object other than the uploaded one; else the local file.
 * Throws PW_ERR_GCS_PATH for anything but a gs:// folder (s3://, a bucket without '/', an object).
 */
export function registryModelPath(file: string, uploadPath: string | undefined, sha256: string): string {
  if (!uploadPath) return file;
  return uploadPathFor(uploadPath, file, sha256);
}

export interface SnippetInput {
  systemId: string;
  modelPath: string;
  trainStart: string;
  trainEnd: string;
  evalStart: string;
  evalEnd: string;
  maePoints: number | null;
  hitRateAllPct: number | null;
  hitRateEdge3Pct: number | null;
  nEdge3: number;
  description: string;
  sha256: string;
  /** The gate outcome and evaluation date, recorded in the entry (registry promote reads it). */
  gates: GateRecord;
}

const round = (x: number | null, dp: number) => (x == null ? 0 : Number(x.toFixed(dp)));

/** The entry as data (numbers rounded as printed). */
export function registryEntryFor(s: SnippetInput): RegistryEntryInput {
  return {
    model_path: s.modelPath,
    train_start: s.trainStart,
    train_end: s.trainEnd,
    eval_start: s.evalStart,
    eval_end: s.evalEnd,
    backtest_mae: round(s.maePoints, 3),
    backtest_hit_rate_all: round(s.hitRateAllPct, 1),
    backtest_hit_rate_edge_3plus: round(s.hitRateEdge3Pct, 1),
    backtest_n_edge_3plus: s.nEdge3,
    enabled: true,
    description: s.description,
    sha256: s.sha256,
    feature_set: 'v9',
    gates: { ...s.gates, failed: [...s.gates.failed] },
  };
}

/** A single-quoted TypeScript string literal. */
export function tsString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\u2028|\u2029/g, ' ')}'`;
}

/** Identifier keys stay bare; anything else is quoted. */
function tsKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : tsString(key);
}

/**
 * The entry as TypeScript source, indented for the inside of `MONTHLY_MODELS = { … }`, with a
 * trailing comma. `note` lines become comments above the entry (e.g. failing gates).
 */
export function registrySnippet(s: SnippetInput, note: readonly string[] = []): string {
  const e = registryEntryFor(s);
  const fields: Array<[string, string]> = [
    ['model_path', tsString(e.model_path)],
    ['train_start', tsString(s.trainStart)],
    ['train_end', tsString(s.trainEnd)],
    ['eval_start', tsString(e.eval_start!)],
    ['eval_end', tsString(e.eval_end!)],
    ['backtest_mae', (e.backtest_mae).toFixed(3)],
    ['backtest_hit_rate_all', e.backtest_hit_rate_all.toFixed(1)],
    ['backtest_hit_rate_edge_3plus', e.backtest_hit_rate_edge_3plus.toFixed(1)],
    ['backtest_n_edge_3plus', String(e.backtest_n_edge_3plus)],
    ['enabled', 'true'],
    ['description', tsString(e.description)],
    ['sha256', tsString(e.sha256!)],
    ['feature_set', tsString('v9')],
    [
      'gates',
      `{ outcome: ${tsString(s.gates.outcome)}, evaluated_on: ${tsString(s.gates.evaluated_on)}, failed: [${s.gates.failed.map(tsString).join(', ')}], training_window: ${tsString(s.gates.training_window)} }`,
    ],
  ];
  return [
    ...note.map((n) => `  // ${n.replace(/[\r\n]+/g, ' ')}`),
    `  ${tsKey(s.systemId)}: {`,
    ...fields.map(([k, v]) => `    ${k}: ${v},`),
    '  },',
    '',
  ].join('\n');
}

/**
 * The guide's lifecycle after a passing evaluation, as numbered commands. With `added` (evaluate
 * --add already wrote the entry) step 2 says so instead of asking for a paste.
 */
export function nextSteps(s: { systemId: string; file: string; modelPath: string; registryFile: string; added?: boolean }): string {
  const upload = s.modelPath.startsWith('gs://')
    ? `npm run --silent cli -- model upload ${s.file} --bucket ${s.modelPath.slice(0, s.modelPath.lastIndexOf('/') + 1)}   (creates ${s.modelPath}; never overwrites)`
    : `(model_path is the local file: fine for the embedded default; for Cloud Run: npm run --silent cli -- model upload ${s.file} --bucket gs://nba-props-platform-models/catboost/v9/monthly/ and re-run with --upload-path that folder)`;
  return [
    'Next steps',
    `1. Upload:   ${upload}${s.modelPath.startsWith('gs://') ? ' (run again, it says "already uploaded" when the object exists)' : ''}`,
    s.added
      ? `2. Check:    the entry is already in ${s.registryFile} (--add): npm run --silent cli -- registry check`
      : `2. Paste:    the entry above into MONTHLY_MODELS in ${s.registryFile}, then: npm run --silent cli -- registry check`,
    `3. Deploy:   git add ${s.registryFile} && git commit -m "feat: add challenger ${s.systemId}" && git push (Cloud Build deploys the worker; the model runs in shadow)`,
    `4. Compare:  each day after grading: npm run --silent cli -- compare ${s.systemId}   (the verdict, since training ended; look daily, it stays valid)`,
    `5. Decide:   npm run --silent cli -- registry promote ${s.systemId}   or   npm run --silent cli -- registry retire ${s.systemId} --reason "<why>"`,
    '',
  ].join('\n');
}
