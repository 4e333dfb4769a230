/**
 * @module cli/commands/train
 * `npm run --silent cli -- train --name <NAME> --train-start D --train-end D
 *    [--eval-start D --eval-end D] [--out models/<system_id>.cbm] [--system-id ID]
 *    [--iterations 400] [--depth 6] [--learning-rate 0.05] [--loss-function RMSE] [--l2-leaf-reg 3]
 *    [--random-seed 42] [--python PATH] [--registry-file config/monthly-models.ts]`
 *
 * The guide's Step 1 (quick_retrain.py) as one command: exports the training rows from storage
 * (feature store joined with box-score actuals, only game dates inside the window; src/training/
 * rows.ts), trains with the pinned CatBoost in the project's virtual environment (src/training/
 * trainer.ts, created on first use), writes the .cbm with its lineage in the model's own
 * metadata (src/training/lineage.ts), and, given an eval window, runs `evaluate` on it (which
 * reads the lineage back from the file). Progress goes to stderr. Exit: 0 trained (and, with an
 * eval window, every gate passed); 1 evaluation blocked or a gate failed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseFlags, requireDate, requireFlag } from '../args.js';
import type { CliIo } from '../io.js';
import { PwError } from '../../errors.js';
import { CHAMPION_SYSTEM_ID, systemIdSchema } from '../../../config/registry.js';
import { cliConfig } from '../../jobs/cli-support.js';
import { trainEvalOverlap } from '../../lifecycle/windows.js';
import { defaultSystemId } from '../../lifecycle/snippet.js';
import { exportTrainingRows } from '../../training/rows.js';
import { ensureTrainerPython, runTrainer } from '../../training/trainer.js';
import { readLineage } from '../../training/lineage.js';
import { DEFAULT_REGISTRY_FILE, withReadOnlyStorage, type LifecycleDeps } from './evaluate.js';

const USAGE =
  'usage: train --name <NAME> --train-start YYYY-MM-DD --train-end YYYY-MM-DD [--eval-start YYYY-MM-DD --eval-end YYYY-MM-DD] [--out FILE.cbm] [--system-id ID] [--iterations N] [--depth N] [--learning-rate X] [--loss-function NAME] [--l2-leaf-reg X] [--random-seed N] [--python PATH]';

/** `--help` page (the CommandHelp shape of src/cli/help.ts). */
export const help = {
  usage: 'train --name NAME --train-start YYYY-MM-DD --train-end YYYY-MM-DD [--eval-start YYYY-MM-DD --eval-end YYYY-MM-DD] [CatBoost parameters]',
  summary:
    "The guide's Step 1: exports the training rows from storage (feature store joined with box scores, only dates inside the window), trains with the pinned CatBoost in the project's Python venv, writes the .cbm with its lineage in the model's own metadata, then (with an eval window) runs evaluate.",
  flags: [
    { flag: '--name <NAME>', text: 'experiment name (required)' },
    { flag: '--train-start <date>', text: 'first training game date (required)' },
    { flag: '--train-end <date>', text: 'last training game date (required)' },
    { flag: '--eval-start <date>', text: 'evaluate on [eval-start, eval-end] after training; must start after train-end' },
    { flag: '--eval-end <date>', text: 'end of the evaluation window' },
    { flag: '--out <file.cbm>', default: 'models/<system_id>.cbm', text: 'where the model is written' },
    { flag: '--system-id <id>', default: 'catboost_v9_train<MMDD>_<MMDD>', text: 'the challenger system_id' },
    { flag: '--iterations <n>', default: '400', text: 'CatBoost iterations' },
    { flag: '--depth <n>', default: '6', text: 'CatBoost tree depth' },
    { flag: '--learning-rate <x>', default: '0.05', text: 'CatBoost learning rate' },
    { flag: '--loss-function <name>', default: 'RMSE', text: 'CatBoost loss function' },
    { flag: '--l2-leaf-reg <x>', default: '3', text: 'CatBoost L2 regularisation' },
    { flag: '--random-seed <n>', default: '42', text: 'CatBoost random seed' },
    { flag: '--python <path>', default: 'test/fixtures/.work/venv/bin/python (created on first use)', text: 'a Python with catboost==1.2.8' },
    { flag: '--upload-path <gs://…>', text: 'passed to evaluate (model_path of the entry)' },
    { flag: '--registry-file <path>', default: 'config/monthly-models.ts', text: 'passed to evaluate (duplicate-key check)' },
  ],
  example: [
    'train --name JAN_RETRAIN --train-start 2025-11-02 --train-end 2026-01-31 --eval-start 2026-02-01 --eval-end 2026-02-08',
    'train --name DEEP --train-start 2025-11-02 --train-end 2026-01-31 --depth 8 --iterations 800',
  ],
} as const;

/** CatBoost parameters accepted as flags: flag -> [parameter, kind]. */
const PARAM_FLAGS = {
  iterations: ['iterations', 'int'],
  depth: ['depth', 'int'],
  'learning-rate': ['learning_rate', 'number'],
  'loss-function': ['loss_function', 'string'],
  'l2-leaf-reg': ['l2_leaf_reg', 'number'],
  'random-seed': ['random_seed', 'int'],
} as const;

export async function run(argv: string[], io: CliIo, deps: LifecycleDeps & { python?: string } = {}): Promise<number> {
  const { values } = parseFlags(argv, {
    name: { type: 'string' },
    'train-start': { type: 'string' },
    'train-end': { type: 'string' },
    'eval-start': { type: 'string' },
    'eval-end': { type: 'string' },
    out: { type: 'string' },
    'system-id': { type: 'string' },
    python: { type: 'string' },
    'registry-file': { type: 'string', default: DEFAULT_REGISTRY_FILE },
    'upload-path': { type: 'string' },
    ...Object.fromEntries(Object.keys(PARAM_FLAGS).map((k) => [k, { type: 'string' as const }])),
  });
  if (values.name === undefined && values['train-start'] === undefined) throw new PwError('PW_ERR_CLI_USAGE', undefined, USAGE);
  const name = requireFlag(values.name, 'name');
  const trainStart = requireDate(values['train-start'], 'train-start');
  const trainEnd = requireDate(values['train-end'], 'train-end');
  if (trainStart > trainEnd) throw new PwError('PW_ERR_CLI_USAGE', undefined, `--train-start ${trainStart} is after --train-end ${trainEnd}`);
  const hasEval = values['eval-start'] !== undefined || values['eval-end'] !== undefined;
  const evalStart = hasEval ? requireDate(values['eval-start'], 'eval-start') : undefined;
  const evalEnd = hasEval ? requireDate(values['eval-end'], 'eval-end') : undefined;
  if (evalStart && evalEnd) {
    if (evalStart > evalEnd) throw new PwError('PW_ERR_CLI_USAGE', undefined, `--eval-start ${evalStart} is after --eval-end ${evalEnd}`);
    // Refuse before spending minutes on training: the same rule evaluate applies to the lineage.
    const overlap = trainEvalOverlap({ trainStart, trainEnd, evalStart, evalEnd });
    if (overlap.blocked) throw new PwError('PW_ERR_CLI_USAGE', undefined, `training ${trainStart}..${trainEnd} overlaps evaluation ${evalStart}..${evalEnd}: ${overlap.fix}`);
  }
  const systemId = (values['system-id'] as string | undefined) ?? defaultSystemId(trainStart, trainEnd);
  const idCheck = systemIdSchema.safeParse(systemId);
  if (!idCheck.success || systemId === CHAMPION_SYSTEM_ID) throw new PwError('PW_ERR_CLI_USAGE', undefined, `--system-id '${systemId}' is not a challenger system_id`);

  const params: Record<string, unknown> = {};
  for (const [flag, [param, kind]] of Object.entries(PARAM_FLAGS)) {
    const v = (values as Record<string, string | boolean | undefined>)[flag];
    if (v === undefined) continue;
    if (kind === 'string') params[param] = String(v);
    else {
      const n = Number(v);
      if (!Number.isFinite(n) || (kind === 'int' && !Number.isInteger(n))) throw new PwError('PW_ERR_CLI_USAGE', undefined, `--${flag} must be ${kind === 'int' ? 'a whole number' : 'a number'}, got '${String(v)}'`);
      params[param] = n;
    }
  }
  const out = resolve(io.cwd, (values.out as string | undefined) ?? `models/${systemId}.cbm`);
  if (!out.endsWith('.cbm')) throw new PwError('PW_ERR_CLI_USAGE', undefined, '--out must end in .cbm (the lineage lives in the .cbm metadata)');
  const config = deps.config ?? cliConfig(io);

  // 1. Export the training rows (only dates inside the window).
  io.err(`train ${name} (${systemId}): exporting ${trainStart}..${trainEnd} from storage\n`);
  const exported = await withReadOnlyStorage(deps, config, (storage) =>
    exportTrainingRows(storage, { trainStart, trainEnd }, (date, n) => {
      if (n > 0) io.err(`  export ${date}: ${n} rows\n`);
    }),
  );
  if (exported.rows === 0) {
    throw new PwError('PW_ERR_TRAINING', undefined, `no training rows in ${trainStart}..${trainEnd} (feature-store rows joined with played box scores); load the data or widen the window`);
  }
  io.err(`  ${exported.rows} rows over ${exported.gameDays} game days (${exported.skipped} without a played box score left out), fingerprint ${exported.fingerprint.slice(0, 19)}…\n`);

  // 2. Train in the pinned environment.
  const python = ensureTrainerPython(deps.python ?? (values.python as string | undefined), (line) => io.err(`  ${line}\n`));
  const dir = mkdtempSync(join(tmpdir(), 'pw-train-'));
  try {
    const csvPath = join(dir, 'training.csv');
    writeFileSync(csvPath, exported.csv);
    const result = await runTrainer({
      python,
      csvPath,
      outPath: out,
      params,
      lineage: {
        lineage_version: 1,
        train_start: trainStart,
        train_end: trainEnd,
        rows: exported.rows,
        game_days: exported.gameDays,
        first_row_date: exported.firstRowDate,
        last_row_date: exported.lastRowDate,
        fingerprint: exported.fingerprint,
        trainer: `prediction-worker cli train (${name})`,
      },
      onLine: (line) => io.err(`  ${line}\n`),
    });
    // 3. Prove the lineage reads back through OUR reader (what evaluate will use).
    const bytes = readFileSync(out);
    const lineage = readLineage(bytes, out);
    if (lineage.status !== 'recorded') throw new PwError('PW_ERR_TRAINING', undefined, `${out} has no readable lineage after training`);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    io.out(
      [
        `trained ${systemId}: ${out}`,
        `  ${result.trees} trees, ${(bytes.length / 1024).toFixed(0)} KiB, sha256 ${sha256}, ${result.seconds.toFixed(1)} s`,
        `  lineage (in the model file): train ${lineage.lineage.train_start}..${lineage.lineage.train_end}, ${lineage.lineage.rows} rows, ` +
          `${lineage.lineage.game_days} game days, ${lineage.lineage.fingerprint}, CatBoost ${lineage.lineage.catboost_version}`,
        '',
      ].join('\n'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // 4. Evaluate, reading the window from the model file's lineage.
  if (!evalStart || !evalEnd) {
    io.out(`next: npm run --silent cli -- evaluate --model ${values.out ?? `models/${systemId}.cbm`} --name ${name} --eval-start <D> --eval-end <D>\n`);
    return 0;
  }
  const evaluate = await import('./evaluate.js');
  return evaluate.run(
    [
      '--model', out, '--name', name, '--system-id', systemId, '--eval-start', evalStart, '--eval-end', evalEnd,
      '--registry-file', String(values['registry-file']),
      ...(values['upload-path'] ? ['--upload-path', String(values['upload-path'])] : []),
    ],
    io,
    deps,
  );
}
