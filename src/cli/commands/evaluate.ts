/**
 * @module cli/commands/evaluate
 * `npm run --silent cli -- evaluate --model <file> --name <NAME> --eval-start D --eval-end D
 *    [--train-start D --train-end D] [--system-id ID] [--upload-path gs://…] [--baseline-mae X]
 *    [--force-snippet] [--registry-file config/monthly-models.ts]`
 *
 * Backtests a new model on the eval dates against the champion's lines (src/lifecycle/evaluate),
 * prints the comparison, tier biases and the gate table, and, only when every gate passes, the
 * paste-ready MONTHLY_MODELS entry and the next steps. Exit 0 = all gates passed; 1 = blocked
 * (train/eval overlap) or a gate failed. Reads storage read-only; writes nothing.
 *
 * The training window comes from the model file's own lineage (src/training/lineage.ts, written
 * by `cli train`), whatever the flags say: a recorded window that overlaps the eval window is
 * BLOCKED. A model without lineage needs --train-start/--train-end and is marked "training window
 * unverified" in the output and in the entry (gates.training_window).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseFlags, requireDate, requireFlag } from '../args.js';
import type { CliIo } from '../io.js';
import type { CommandHelp } from '../help.js';
import { emitJson, comparisonJson } from '../json.js';
import { cliActor } from '../actor.js';
import { registryEvent } from '../../lifecycle/audit.js';
import { parseGcsPrefix } from '../../models/gcs-path.js';
import { writeFile } from 'node:fs/promises';
import { PwError } from '../../errors.js';
import { CHAMPION_SYSTEM_ID, systemIdSchema } from '../../../config/registry.js';
import { FEATURE_SETS } from '../../features/contract.js';
import { loadPredictor } from '../../models/load-predictor.js';
import { modelStoreFromConfig, type ModelStore } from '../../models/model-store.js';
import type { Storage } from '../../storage/storage.js';
import { cliConfig, withStorage, type JobDeps } from '../../jobs/cli-support.js';
import { renderTable } from '../../jobs/format.js';
import { fmt } from '../../metrics/metrics.js';
import { formatComparison } from '../../grading/compare.js';
import { allPass, trainEvalOverlap, type Gate } from '../../lifecycle/gates.js';
import { runEvaluation } from '../../lifecycle/evaluate.js';
import { defaultSystemId, nextSteps, registryModelPath, registrySnippet } from '../../lifecycle/snippet.js';
import { insertEntry, parseRegistryText } from '../../lifecycle/registry-file.js';
import { readLineage } from '../../training/lineage.js';

export const DEFAULT_REGISTRY_FILE = 'config/monthly-models.ts';

export interface LifecycleDeps extends JobDeps {
  /** Injected model store (tests); default: from config, relative paths from io.cwd. */
  store?: ModelStore;
}

const USAGE =
  'usage: evaluate --model <file> --name <NAME> --eval-start YYYY-MM-DD --eval-end YYYY-MM-DD [--train-start YYYY-MM-DD --train-end YYYY-MM-DD (models without lineage)] [--system-id ID] [--upload-path gs://…/] [--baseline-mae X] [--force-snippet] [--add [--reason …]] [--json]';

export const help: CommandHelp = {
  usage: USAGE.slice('usage: '.length),
  summary:
    "Backtest a new model on the eval dates against the champion's book lines: comparison, tier biases and the seven gates (incl. \"too good to be true\"); the training window from the model's lineage; when every gate passes, the paste-ready MONTHLY_MODELS entry. The verdict is recorded in the audit trail (model_registry_events). Exit 0 = all gates passed.",
  flags: [
    { flag: '--model <file>', text: 'the model file (local or gs://) (required)' },
    { flag: '--name <NAME>', text: 'description of the experiment (required)' },
    { flag: '--train-start/--train-end <date>', default: "the model file's lineage (cli train)", text: 'training window, only for a model without lineage (then marked unverified); must end before --eval-start' },
    { flag: '--eval-start/--eval-end <date>', text: 'evaluation window (required)' },
    { flag: '--system-id <id>', default: 'catboost_v9_train<MMDD>_<MMDD>', text: 'the registry key' },
    { flag: '--upload-path <gs://bucket/folder/>', default: 'the local file', text: "where `model upload` puts it: the entry's model_path is the exact content-addressed object" },
    { flag: '--baseline-mae <x>', default: "the champion's MAE", text: 'MAE bar' },
    { flag: '--force-snippet', default: 'off', text: 'print the entry although gates fail (marked as failing)' },
    { flag: '--add', default: 'off', text: 'also insert the entry into --registry-file (gates must pass, or --force-snippet with --reason); recorded as entry_added' },
    { flag: '--reason <text>', text: 'why, for a forced --add' },
    { flag: '--registry-file <path>', default: DEFAULT_REGISTRY_FILE, text: 'the MONTHLY_MODELS registry' },
    { flag: '--json', text: 'one JSON document (docs/cli-json.md, kind "evaluate")' },
  ],
  example:
    'evaluate --model models/m.cbm --name DEEP --eval-start 2026-02-01 --eval-end 2026-02-14 --upload-path gs://nba-props-platform-models/catboost/v9/monthly/',
};

/** Open storage read-only unless injected; always closed when we opened it. */
export async function withReadOnlyStorage<T>(deps: JobDeps, config: NonNullable<JobDeps['config']>, fn: (s: Storage) => Promise<T>): Promise<T> {
  if (deps.storage) return fn(deps.storage);
  const { openStorage } = await import('../../storage/open.js');
  const storage = await openStorage(config, { readOnly: true });
  try {
    return await fn(storage);
  } finally {
    await storage.close();
  }
}

export function gateTable(gates: readonly Gate[]): string {
  return renderTable(
    ['gate', 'rule', 'value', 'result'],
    gates.map((g) => [g.name, g.rule, g.value, g.pass ? 'PASS' : 'FAIL']),
  );
}

export async function run(argv: string[], io: CliIo, deps: LifecycleDeps = {}): Promise<number> {
  const { values } = parseFlags(argv, {
    model: { type: 'string' },
    name: { type: 'string' },
    'train-start': { type: 'string' },
    'train-end': { type: 'string' },
    'eval-start': { type: 'string' },
    'eval-end': { type: 'string' },
    'system-id': { type: 'string' },
    'upload-path': { type: 'string' },
    'baseline-mae': { type: 'string' },
    'force-snippet': { type: 'boolean', default: false },
    'registry-file': { type: 'string', default: DEFAULT_REGISTRY_FILE },
    add: { type: 'boolean', default: false },
    reason: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  // Where the model will be uploaded: a gs:// folder, validated before anything else is read.
  if (values['upload-path'] !== undefined) parseGcsPrefix(values['upload-path'], '--upload-path');
  if (values.add && values['force-snippet'] && !(typeof values.reason === 'string' && values.reason.trim())) {
    throw new PwError('PW_ERR_CLI_USAGE', undefined, '--add with --force-snippet adds an entry whose gates failed: say why with --reason');
  }
  if (values.model === undefined && values.name === undefined) throw new PwError('PW_ERR_CLI_USAGE', undefined, USAGE);
  const file = requireFlag(values.model, 'model');
  const name = requireFlag(values.name, 'name');
  const declaredStart = values['train-start'] === undefined ? undefined : requireDate(values['train-start'], 'train-start');
  const declaredEnd = values['train-end'] === undefined ? undefined : requireDate(values['train-end'], 'train-end');
  const evalStart = requireDate(values['eval-start'], 'eval-start');
  const evalEnd = requireDate(values['eval-end'], 'eval-end');
  if (declaredStart && declaredEnd && declaredStart > declaredEnd) throw new PwError('PW_ERR_CLI_USAGE', undefined, `--train-start ${declaredStart} is after --train-end ${declaredEnd}`);
  if (evalStart > evalEnd) throw new PwError('PW_ERR_CLI_USAGE', undefined, `--eval-start ${evalStart} is after --eval-end ${evalEnd}`);

  // Incident 10.7: training on the eval games inflated edge-3+ HR to 87-93 %. Checked first, on
  // every window we know of: the declared one (before any model is fetched) and the lineage's.
  const blocked = (trainStart: string, trainEnd: string, source: string, fromLineage = false): number | undefined => {
    const overlap = trainEvalOverlap({ trainStart, trainEnd, evalStart, evalEnd });
    if (!overlap.blocked) return undefined;
    io.err(
      [
        `BLOCKED: training/eval date overlap (${source})`,
        `  train ${trainStart}..${trainEnd}, eval ${evalStart}..${evalEnd}: ` +
          (overlap.overlapDays > 0
            ? `${overlap.overlapDays} eval day(s) inside the training window (${overlap.overlapFrom}..${overlap.overlapTo})`
            : 'training ends on or after the first eval day'),
        fromLineage
          ? `  fix: the training window is recorded in the model file (--train-start/--train-end cannot change it): retrain with cli train --train-end ${overlap.latestTrainEnd}, or use --eval-start ${overlap.earliestEvalStart}`
          : `  fix: ${overlap.fix}`,
        '',
      ].join('\n'),
    );
    return 1;
  };
  if (declaredStart && declaredEnd) {
    const code = blocked(declaredStart, declaredEnd, 'declared --train-start/--train-end');
    if (code !== undefined) return code;
  }

  let baselineMae: number | undefined;
  if (values['baseline-mae'] !== undefined) {
    baselineMae = Number(values['baseline-mae']);
    if (!Number.isFinite(baselineMae) || baselineMae <= 0) {
      throw new PwError('PW_ERR_CLI_USAGE', undefined, `--baseline-mae must be a positive number, got '${values['baseline-mae']}'`);
    }
  }

  const config = deps.config ?? cliConfig(io);
  const store = deps.store ?? modelStoreFromConfig(config, io.cwd);
  const now = deps.now ?? new Date();

  // The model file's own lineage decides the training window (the flags are only a declaration).
  const fetched = await store.fetch(file);
  const lineageRead = readLineage(fetched.bytes, file);
  const notes: string[] = [];
  let trainStart: string;
  let trainEnd: string;
  let trainingWindow: 'verified' | 'unverified';
  if (lineageRead.status === 'recorded') {
    const l = lineageRead.lineage;
    trainStart = l.train_start;
    trainEnd = l.train_end;
    trainingWindow = 'verified';
    const code = blocked(trainStart, trainEnd, "the model file's lineage", true);
    if (code !== undefined) return code;
    if ((declaredStart && declaredStart !== trainStart) || (declaredEnd && declaredEnd !== trainEnd)) {
      notes.push(`declared --train-start/--train-end ${declaredStart ?? '?'}..${declaredEnd ?? '?'} differ from the lineage; the lineage decides`);
    }
  } else {
    if (!declaredStart || !declaredEnd) {
      throw new PwError('PW_ERR_CLI_USAGE', undefined, `${file} records no training lineage: pass --train-start and --train-end (the entry will say "training window unverified"), or retrain with cli train`);
    }
    trainStart = declaredStart;
    trainEnd = declaredEnd;
    trainingWindow = 'unverified';
  }

  const systemId = values['system-id'] ?? defaultSystemId(trainStart, trainEnd);
  const idCheck = systemIdSchema.safeParse(systemId);
  if (!idCheck.success) throw new PwError('PW_ERR_CLI_USAGE', undefined, `--system-id '${systemId}': ${idCheck.error.issues[0]?.message}`);
  if (systemId === CHAMPION_SYSTEM_ID) throw new PwError('PW_ERR_CLI_USAGE', undefined, `'${CHAMPION_SYSTEM_ID}' is the champion's system_id; choose another --system-id`);

  // A key already in the registry would paste as a duplicate key (the original's duplicate check).
  const registryFile = String(values['registry-file']);
  const registryText = await readFile(resolve(io.cwd, registryFile), 'utf8').catch(() => undefined);
  if (registryText !== undefined && systemId in parseRegistryText(registryText, registryFile)) {
    throw new PwError('PW_ERR_CLI_USAGE', undefined, `'${systemId}' is already in ${registryFile}; pass --system-id with a new name (e.g. ${systemId}_b)`);
  }

  const predictor = await loadPredictor({ path: file, expectedSha256: fetched.sha256, featureSet: FEATURE_SETS.v9, engine: 'auto', store });
  try {
    const result = await withReadOnlyStorage(deps, config, (storage) =>
      runEvaluation(storage, predictor, {
        candidateId: systemId,
        evalStart,
        evalEnd,
        edgeThreshold: config.RECOMMENDATION_EDGE_THRESHOLD,
        buildCommit: config.BUILD_COMMIT,
        baselineMae,
        now,
      }),
    );
    if (result.comparison.matchedRows === 0) {
      throw new PwError(
        'PW_ERR_JOB_INPUT',
        undefined,
        `no champion (${CHAMPION_SYSTEM_ID}) rows with a real book line and a feature-store row on ${evalStart}..${evalEnd} (${result.championLineRows} champion rows with a line); nothing to evaluate on`,
      );
    }

    const c = result.comparison;
    const out: string[] = [
      `evaluate ${name} as ${systemId}`,
      `model  ${file}  sha256 ${predictor.sha256}  ${predictor.treeCount} trees, ${predictor.featureNames.length} features, ${predictor.engine}`,
      `train  ${trainStart}..${trainEnd}   eval ${evalStart}..${evalEnd} (${result.dates.length} dates, ${c.gameDays} with games)`,
      lineageRead.status === 'recorded'
        ? `lineage verified from the model file: ${lineageRead.lineage.rows} rows over ${lineageRead.lineage.game_days} game days (${lineageRead.lineage.first_row_date}..${lineageRead.lineage.last_row_date}), ${lineageRead.lineage.fingerprint.slice(0, 23)}…, CatBoost ${lineageRead.lineage.catboost_version}, trained ${lineageRead.lineage.created_at}`
        : 'lineage: NONE in the model file -- training window unverified (declared on the command line only)',
      ...notes.map((n) => `note: ${n}`),
      `rows   ${c.matchedRows} matched on the champion's book lines` +
        (result.skippedNoFeatures > 0 ? ` (${result.skippedNoFeatures} champion rows skipped: no feature-store row)` : ''),
      '',
      formatComparison(c).trimEnd(),
      '',
      'tier bias (pre-game points_avg_season: star >= 25, starter 15-25, role 5-15, bench < 5)',
      renderTable(
        ['tier', 'n', 'bias', 'MAE'],
        result.tiers.map((t) => [t.tier, String(t.n_scored), `${t.bias_points != null && t.bias_points >= 0 ? '+' : ''}${fmt(t.bias_points, 2)}`, fmt(t.mae_points, 2)]),
      ).trimEnd(),
      '',
      gateTable(result.gates).trimEnd(),
      '',
    ];
    const passed = allPass(result.gates);
    const failed = result.gates.filter((g) => !g.pass).map((g) => g.name);
    out.push(passed ? `ALL ${result.gates.length} GATES PASSED` : `GATES FAILED: do not deploy this model (${failed.join(', ')})`, '');
    const modelPath = registryModelPath(file, values['upload-path'], predictor.sha256);

    // The verdict goes into the audit trail, pass or fail.
    const actor = await cliActor(io, config);
    const evaluated = registryEvent({
      action: 'evaluate',
      actor,
      systemId,
      now,
      to: { path: modelPath, sha256: predictor.sha256 },
      verdict: passed ? `PASS: all ${result.gates.length} gates` : `FAIL: ${failed.join(', ')}`,
      metrics: {
        eval_start: evalStart,
        eval_end: evalEnd,
        train_start: trainStart,
        train_end: trainEnd,
        training_window: trainingWindow,
        matched_rows: c.matchedRows,
        mae: c.challenger.mae_points,
        champion_mae: c.champion.mae_points,
        hit_rate_all_pct: c.challenger.all.hit_rate_pct,
        n_decided: c.challenger.all.n_decided,
        hit_rate_edge_3plus_pct: c.challenger.edge_3plus.hit_rate_pct,
        n_edge_3plus: c.challenger.edge_3plus.n_decided,
        gates: result.gates.map((g) => ({ name: g.name, value: g.value, pass: g.pass })),
        comparison_verdict: c.verdict,
      },
      registryFile,
    });
    const events = [evaluated];
    let snippetText: string | null = null;
    let added = false;
    let pendingRegistryText: string | undefined;

    if (passed || values['force-snippet']) {
      const snippet = registrySnippet(
        {
          systemId,
          modelPath,
          trainStart,
          trainEnd,
          evalStart,
          evalEnd,
          maePoints: c.challenger.mae_points,
          hitRateAllPct: c.challenger.all.hit_rate_pct,
          hitRateEdge3Pct: c.challenger.edge_3plus.hit_rate_pct,
          nEdge3: c.challenger.edge_3plus.n_decided,
          description: name,
          sha256: predictor.sha256,
          gates: { outcome: passed ? 'passed' : 'failed', evaluated_on: now.toISOString().slice(0, 10), failed, training_window: trainingWindow },
        },
        [
          ...(passed ? [] : [`GATES FAILED (${failed.join(', ')}): printed by --force-snippet; shadow only, registry promote refuses it`]),
          ...(trainingWindow === 'unverified' ? ['training window unverified: the model file records no lineage (declared dates only)'] : []),
        ],
      );
      snippetText = snippet;
      if (values.add) {
        // Written below, once the audit store is open (a store that cannot take the event refuses first).
        pendingRegistryText = insertEntry(await readFile(resolve(io.cwd, registryFile), 'utf8'), snippet);
        added = true;
        events.push(
          registryEvent({
            action: 'entry_added',
            actor,
            systemId,
            // recorded just after the evaluation it follows, so the trail reads in order
            now: new Date(now.getTime() + 1),
            to: { path: modelPath, sha256: predictor.sha256 },
            verdict: passed ? 'PASS' : `FAIL (${failed.join(', ')})`,
            forced: !passed,
            reason: typeof values.reason === 'string' ? values.reason : undefined,
            registryFile,
          }),
        );
      }
      out.push(
        ...(added ? [`ADDED to ${registryFile} (enabled: true):`] : []),
        passed
          ? `MONTHLY_MODELS entry (${added ? 'added to' : 'paste into'} ${registryFile})`
          : `MONTHLY_MODELS entry (${added ? 'added to' : 'paste into'} ${registryFile}) -- GATES FAILED, printed only because of --force-snippet`,
        snippet,
        nextSteps({ systemId, file, modelPath, registryFile, added }),
      );
    }
    await withStorage(deps, config, async (storage) => {
      await storage.ping();
      if (pendingRegistryText !== undefined) await writeFile(resolve(io.cwd, registryFile), pendingRegistryText);
      for (const e of events) await storage.registryEvents.append(e);
    });
    if (values.json) {
      emitJson(io, 'evaluate', {
        system_id: systemId,
        name,
        model: { file, model_path: modelPath, sha256: predictor.sha256, tree_count: predictor.treeCount, feature_count: predictor.featureNames.length, engine: predictor.engine },
        train: { start: trainStart, end: trainEnd, training_window: trainingWindow, lineage: lineageRead.status === 'recorded' ? lineageRead.lineage : null },
        eval: { start: evalStart, end: evalEnd, dates: result.dates.length },
        comparison: comparisonJson(c),
        tiers: result.tiers,
        gates: result.gates,
        passed,
        snippet: snippetText,
        added,
        event_ids: events.map((e) => e.event_id),
        notes,
      });
    } else io.out(out.join('\n'));
    return passed ? 0 : 1;
  } finally {
    await predictor.close();
  }
}
