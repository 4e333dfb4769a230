/**
 * @module cli/commands/registry
 * `npm run --silent cli -- registry <list|check|retire|promote> …`: the MONTHLY_MODELS lifecycle.
 *
 *   registry list                                    every entry, one line each
 *   registry check                                   fetch + verify every enabled entry (and the champion); exit 1 on any failure
 *   registry retire <system_id> --reason "<text>"     enabled: false with a dated reason, in the file
 *   registry promote <system_id> [--from D | --days N] [--to D] [--min-n 50] [--min-days 7]
 *                    [--shadow-days 14] [--force --reason "<why>"] [--dry-run]
 *       decided by src/lifecycle/promotion.ts (verdict CHALLENGER BETTER on matched graded rows
 *       since training ended, gates passed, entry enabled, enough game days and bets); prints the
 *       gcloud command, points config/local.env at the model, disables the entry and adds the
 *       previous champion as an enabled shadow entry for --shadow-days days
 *
 * Common flags: --registry-file (default config/monthly-models.ts), --env-file (default
 * config/local.env). Edits go through src/lifecycle/registry-file.ts, which proves the file still
 * parses and that only the intended flag changed; nothing is written otherwise.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseFlags, requireDate, requireFlag } from '../args.js';
import type { CliIo } from '../io.js';
import { PwError, describeError, isPwError } from '../../errors.js';
import { CHAMPION_SYSTEM_ID, systemIdSchema, type Registry, type RegistryEntry } from '../../../config/registry.js';
import { FEATURE_SETS } from '../../features/contract.js';
import { loadPredictor } from '../../models/load-predictor.js';
import { modelStoreFromConfig } from '../../models/model-store.js';
import { cliConfig } from '../../jobs/cli-support.js';
import { addDays, renderTable } from '../../jobs/format.js';
import { fmt, type BetRecord } from '../../metrics/metrics.js';
import { compareModels, formatComparison } from '../../grading/compare.js';
import { disableEntry, getEnvVar, insertEntry, parseRegistryText, setEnvVar } from '../../lifecycle/registry-file.js';
import { readLineage } from '../../training/lineage.js';
import { comparisonWindow } from '../../lifecycle/windows.js';
import { PROMOTION_DEFAULTS, decidePromotion, previousChampionEntry } from '../../lifecycle/promotion.js';
import { DEFAULT_REGISTRY_FILE, withReadOnlyStorage, type LifecycleDeps } from './evaluate.js';

export const DEFAULT_ENV_FILE = 'config/local.env';
export const CLOUD_RUN_SERVICE = 'prediction-worker';
export const CLOUD_RUN_REGION = 'us-west2';

const USAGE = [
  'usage: registry list',
  '       registry check',
  '       registry retire <system_id> --reason "<text>"',
  '       registry promote <system_id> [--from YYYY-MM-DD | --days N] [--to YYYY-MM-DD] [--min-n 50] [--min-days 7] [--shadow-days 14] [--force --reason "<why>"] [--dry-run]',
  '  (all take --registry-file config/monthly-models.ts; promote also --env-file config/local.env)',
].join('\n');

const COMMON = {
  'registry-file': { type: 'string', default: DEFAULT_REGISTRY_FILE },
} as const;

function usage(message?: string): PwError {
  return new PwError('PW_ERR_CLI_USAGE', undefined, message ? `${message}\n${USAGE}` : USAGE);
}

async function readText(io: CliIo, file: string): Promise<string> {
  try {
    return await readFile(resolve(io.cwd, file), 'utf8');
  } catch (err) {
    throw new PwError('PW_ERR_JOB_INPUT', { cause: err }, `cannot read ${file}: ${describeError(err)}`);
  }
}

/** The id must name a challenger in the registry: never the champion, never a typo. */
function requireChallenger(registry: Registry, id: string | undefined, registryFile: string): [string, RegistryEntry] {
  if (!id) throw usage('a system_id is required');
  if (id === CHAMPION_SYSTEM_ID) {
    throw new PwError(
      'PW_ERR_CLI_USAGE',
      undefined,
      `'${CHAMPION_SYSTEM_ID}' is the champion (CATBOOST_V9_MODEL_PATH), not a registry entry; promote a challenger to replace it`,
    );
  }
  if (!systemIdSchema.safeParse(id).success || !(id in registry)) {
    const known = Object.keys(registry);
    throw new PwError('PW_ERR_CLI_USAGE', undefined, `no entry '${id}' in ${registryFile} (entries: ${known.length ? known.join(', ') : 'none'})`);
  }
  return [id, registry[id]!];
}

function today(deps: LifecycleDeps): string {
  return (deps.now ?? new Date()).toISOString().slice(0, 10);
}

function diffLines(file: string, line: number, before: readonly string[], after: readonly string[]): string {
  return [`${file}:${line}`, ...before.map((l) => `- ${l}`), ...after.map((l) => `+ ${l}`), ''].join('\n');
}

// --- list -----------------------------------------------------------------------------------

async function list(argv: string[], io: CliIo, deps: LifecycleDeps): Promise<number> {
  const { values } = parseFlags(argv, { ...COMMON });
  const registryFile = String(values['registry-file']);
  const registry = parseRegistryText(await readText(io, registryFile));
  const config = deps.config ?? cliConfig(io);
  const rows = Object.entries(registry).map(([id, e]) => [
    id,
    e.enabled ? 'yes' : 'no',
    e.model_path,
    e.train_start && e.train_end ? `${e.train_start}..${e.train_end}` : `unknown${e.shadow_from ? `; shadow ${e.shadow_from}..${e.shadow_until ?? "?"}` : ""}`,
    e.eval_start ? `${e.eval_start}..${e.eval_end ?? '?'}` : '-',
    e.backtest_mae.toFixed(3),
    fmt(e.backtest_hit_rate_all, 1),
    `${fmt(e.backtest_hit_rate_edge_3plus, 1)} (N=${e.backtest_n_edge_3plus})`,
    e.feature_set,
    e.sha256 ? e.sha256.slice(0, 12) : '-',
  ]);
  io.out(
    `champion ${CHAMPION_SYSTEM_ID}: ${config.CATBOOST_V9_MODEL_PATH}${config.CATBOOST_V9_MODEL_SHA256 ? ` (sha256 ${config.CATBOOST_V9_MODEL_SHA256.slice(0, 12)})` : ''}\n` +
      `${registryFile}: ${rows.length} entr${rows.length === 1 ? 'y' : 'ies'}, ${Object.values(registry).filter((e) => e.enabled).length} enabled\n`,
  );
  if (rows.length > 0) {
    io.out(renderTable(['system_id', 'enabled', 'model_path', 'train', 'eval', 'MAE', 'HR all', 'HR 3+ (N)', 'features', 'sha256'], rows));
  }
  // Previous champions kept in shadow after a promotion: say when their time is up.
  const now = today(deps);
  for (const [id, e] of Object.entries(registry)) {
    if (e.enabled && e.shadow_until && e.shadow_until < now) {
      io.out(`note: ${id} was to shadow until ${e.shadow_until}: decide (registry promote ${id} to roll back, or registry retire ${id} --reason "…")\n`);
    }
  }
  return 0;
}

// --- check ----------------------------------------------------------------------------------

async function check(argv: string[], io: CliIo, deps: LifecycleDeps): Promise<number> {
  const { values } = parseFlags(argv, { ...COMMON });
  const registryFile = String(values['registry-file']);
  const registry = parseRegistryText(await readText(io, registryFile));
  const config = deps.config ?? cliConfig(io);
  const store = deps.store ?? modelStoreFromConfig(config, io.cwd);
  const targets: Array<{ id: string; path: string; sha256: string | undefined; featureSet: keyof typeof FEATURE_SETS }> = [
    { id: CHAMPION_SYSTEM_ID, path: config.CATBOOST_V9_MODEL_PATH, sha256: config.CATBOOST_V9_MODEL_SHA256, featureSet: 'v9' },
    ...Object.entries(registry)
      .filter(([, e]) => e.enabled)
      .map(([id, e]) => ({ id, path: e.model_path, sha256: e.sha256, featureSet: e.feature_set })),
  ];
  const rows: string[][] = [];
  let failures = 0;
  for (const t of targets) {
    try {
      const p = await loadPredictor({ path: t.path, expectedSha256: t.sha256, featureSet: FEATURE_SETS[t.featureSet], engine: config.MODEL_ENGINE, store });
      await p.close();
      const note = t.sha256 ? 'sha256 matches' : 'WARN: no sha256 declared';
      rows.push([t.id, 'OK', t.path, p.sha256.slice(0, 12), `${p.featureNames.length} (${t.featureSet})`, `${p.treeCount} trees; ${note}`]);
    } catch (err) {
      failures++;
      rows.push([t.id, 'FAIL', t.path, '-', t.featureSet, `${isPwError(err) ? `${err.code}: ` : ''}${describeError(err)}`]);
    }
  }
  io.out(renderTable(['system_id', 'result', 'model_path', 'sha256', 'features', 'detail'], rows));
  io.out(failures === 0 ? `all ${targets.length} models verified\n` : `${failures} of ${targets.length} models FAILED verification\n`);
  return failures === 0 ? 0 : 1;
}

// --- retire ---------------------------------------------------------------------------------

async function retire(argv: string[], io: CliIo, deps: LifecycleDeps): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...COMMON, reason: { type: 'string' } }, true);
  if (positionals.length !== 1) throw usage('retire takes exactly one system_id');
  const reason = requireFlag(values.reason, 'reason').replace(/\s+/g, ' ').trim();
  if (!reason) throw usage('--reason must say why');
  const registryFile = String(values['registry-file']);
  const path = resolve(io.cwd, registryFile);
  const text = await readText(io, registryFile);
  const [id, entry] = requireChallenger(parseRegistryText(text), positionals[0], registryFile);
  if (!entry.enabled) {
    io.err(`${id} is already disabled in ${registryFile}; nothing changed\n`);
    return 1;
  }
  const edit = disableEntry(text, id, `Retired ${today(deps)}: ${reason}`);
  await writeFile(path, edit.text);
  // Prove what is on disk now, not only what we meant to write.
  const after = parseRegistryText(await readFile(path, 'utf8'));
  if (after[id]?.enabled !== false) throw new PwError('PW_ERR_REGISTRY', undefined, id, `${registryFile} does not show the entry disabled after the edit`);
  io.out(
    [
      `retired ${id}`,
      diffLines(registryFile, edit.line, edit.before, edit.after),
      `${registryFile} re-parsed: ${Object.keys(after).length} entries, ${Object.values(after).filter((e) => e.enabled).length} enabled`,
      'Deploy: the worker reads the registry at build time, so the model keeps running until you deploy:',
      `  git add ${registryFile} && git commit -m "chore: retire ${id}" && git push   (Cloud Build deploys prediction-worker)`,
      '',
    ].join('\n'),
  );
  return 0;
}

// --- promote --------------------------------------------------------------------------------

function hrN(rec: BetRecord): string {
  return `${fmt(rec.hit_rate_pct)}% (N=${rec.n_decided})`;
}

/** The one deploy command: --update-env-vars keeps every other variable (--set-env-vars wipes them). */
export function gcloudPromoteCommand(modelPath: string, sha256: string): string {
  return (
    `gcloud run services update ${CLOUD_RUN_SERVICE} --region=${CLOUD_RUN_REGION} ` +
    `--update-env-vars=CATBOOST_V9_MODEL_PATH=${modelPath},CATBOOST_V9_MODEL_SHA256=${sha256}`
  );
}

async function promote(argv: string[], io: CliIo, deps: LifecycleDeps): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      ...COMMON,
      'env-file': { type: 'string', default: DEFAULT_ENV_FILE },
      days: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'min-n': { type: 'string', default: String(PROMOTION_DEFAULTS.minMatchedBets) },
      'min-days': { type: 'string', default: String(PROMOTION_DEFAULTS.minGradedDays) },
      force: { type: 'boolean', default: false },
      reason: { type: 'string' },
      'shadow-days': { type: 'string', default: String(PROMOTION_DEFAULTS.shadowDays) },
      'dry-run': { type: 'boolean', default: false },
    },
    true,
  );
  if (positionals.length !== 1) throw usage('promote takes exactly one system_id');
  const days = values.days === undefined ? undefined : Number(values.days);
  if (days !== undefined && (!Number.isInteger(days) || days < 1)) throw usage(`--days must be a positive whole number, got '${values.days}'`);
  const minN = Number(values['min-n']);
  if (!Number.isInteger(minN) || minN < 0) throw usage(`--min-n must be a whole number, got '${values['min-n']}'`);
  const minDays = Number(values['min-days']);
  if (!Number.isInteger(minDays) || minDays < 1) throw usage(`--min-days must be a positive whole number, got '${values['min-days']}'`);
  const shadowDays = Number(values['shadow-days']);
  if (!Number.isInteger(shadowDays) || shadowDays < 0) throw usage(`--shadow-days must be a whole number, got '${values['shadow-days']}'`);
  const registryFile = String(values['registry-file']);
  const envFile = String(values['env-file']);
  const text = await readText(io, registryFile);
  const [id, entry] = requireChallenger(parseRegistryText(text), positionals[0], registryFile);
  const config = deps.config ?? cliConfig(io);
  const date = today(deps);

  // The window: since training ended (or --from / --days), never on training days (src/lifecycle/windows.ts).
  const toDate = values.to === undefined ? date : requireDate(values.to, 'to');
  const fromFlag = values.from === undefined ? undefined : requireDate(values.from, 'from');
  const window = comparisonWindow({ toDate, trainEnd: entry.train_end, fromDate: fromFlag ?? (days === undefined ? entry.shadow_from : undefined), days });
  if (!window.ok) throw new PwError('PW_ERR_JOB_INPUT', undefined, `${id} ${window.reason}`);
  const { fromDate } = window;

  const rows = await withReadOnlyStorage(deps, config, (storage) => storage.accuracy.forRange(fromDate, toDate, [id, CHAMPION_SYSTEM_ID]));
  const c = compareModels(rows, { challengerId: id, championId: CHAMPION_SYSTEM_ID, fromDate, toDate });
  const decision = decidePromotion({
    entry,
    champion: { modelPath: config.CATBOOST_V9_MODEL_PATH, sha256: config.CATBOOST_V9_MODEL_SHA256 },
    verdict: c.decision,
    policy: { minGradedDays: minDays, minMatchedBets: minN },
    force: Boolean(values.force),
    reason: values.reason,
  });
  const passed = decision.allowed && !decision.forced;
  const out: string[] = [
    `promote ${id} -> ${CHAMPION_SYSTEM_ID}`,
    ...window.notes.map((n) => `note: ${n}`),
    formatComparison(c).trimEnd(),
    `edge 3+: ${id} ${hrN(c.challenger.edge_3plus)} vs ${CHAMPION_SYSTEM_ID} ${hrN(c.champion.edge_3plus)} (not comparable across edge spreads; the verdict decides)`,
    '',
    'promotion rules (src/lifecycle/promotion.ts)',
    ...decision.rules.map((k) => `  ${k.pass ? 'PASS' : 'FAIL'}  ${k.rule}: ${k.detail}`),
    '',
  ];
  if (!decision.allowed) {
    out.push(`REFUSED: ${id} ${decision.refusal}; nothing changed (--force --reason "<why>" overrides, and is recorded)`, '');
    io.out(out.join('\n'));
    return 1;
  }
  if (decision.forced) {
    out.push(
      '!!! ------------------------------------------------------------------ !!!',
      `!!! FORCED PROMOTION: ${id} FAILS the promotion rules above.`,
      `!!! Reason given: ${decision.reason}`,
      '!!! This is recorded in the registry comment. Watch the next graded days.',
      '!!! ------------------------------------------------------------------ !!!',
      '',
    );
  }

  // The file must exist and be the declared bytes before anyone points production at it.
  const store = deps.store ?? modelStoreFromConfig(config, io.cwd);
  const predictor = await loadPredictor({ path: entry.model_path, expectedSha256: entry.sha256, featureSet: FEATURE_SETS[entry.feature_set], engine: config.MODEL_ENGINE, store });
  const sha256 = predictor.sha256;
  await predictor.close();

  const record =
    `Promoted ${date}${passed ? '' : ` (FORCED: ${decision.reason})`}: now runs as ${CHAMPION_SYSTEM_ID}; ` +
    `${c.verdict}, HR all ${hrN(c.challenger.all)} vs ${hrN(c.champion.all)}, ${fromDate}..${toDate}`;
  const registryEdit = disableEntry(text, id, record);
  const envPath = resolve(io.cwd, envFile);
  const envText = await readFile(envPath, 'utf8').catch(() => '');
  const pathEdit = setEnvVar(envText, 'CATBOOST_V9_MODEL_PATH', entry.model_path);
  // A stale declared hash would make the worker refuse the new model: keep it in step.
  const shaEdit = getEnvVar(envText, 'CATBOOST_V9_MODEL_SHA256') !== undefined ? setEnvVar(pathEdit.text, 'CATBOOST_V9_MODEL_SHA256', sha256) : undefined;
  const previousPath = getEnvVar(envText, 'CATBOOST_V9_MODEL_PATH') ?? config.CATBOOST_V9_MODEL_PATH;

  // The replaced champion keeps running in shadow as a challenger (src/lifecycle/promotion.ts).
  let shadow: { systemId: string; until: string } | undefined;
  let registryText = registryEdit.text;
  if (shadowDays > 0) {
    const previous = await store.fetch(previousPath);
    const prevLineage = readLineage(previous.bytes, previousPath);
    const prev = previousChampionEntry({
      modelPath: previousPath,
      sha256: previous.sha256,
      promotedOn: date,
      shadowDays,
      trainWindow: prevLineage.status === 'recorded' ? { start: prevLineage.lineage.train_start, end: prevLineage.lineage.train_end } : undefined,
      live: {
        maePoints: c.champion.mae_points,
        hitRateAllPct: c.champion.all.hit_rate_pct,
        hitRateEdge3Pct: c.champion.edge_3plus.hit_rate_pct,
        nEdge3: c.champion.edge_3plus.n_decided,
        window: `${fromDate}..${toDate}`,
      },
    });
    if (prev.systemId in parseRegistryText(registryText)) throw new PwError('PW_ERR_REGISTRY', undefined, prev.systemId, 'already in the registry (one promotion a day)');
    registryText = insertEntry(registryText, prev.source);
    shadow = { systemId: prev.systemId, until: parseRegistryText(registryText)[prev.systemId]!.shadow_until! };
  }

  out.push(
    '1. Point the Cloud Run champion at the model (a new revision; --update-env-vars keeps the other variables, never --set-env-vars):',
    `   ${gcloudPromoteCommand(entry.model_path, sha256)}`,
    '',
  );
  if (values['dry-run']) {
    out.push(
      `DRY RUN: ${registryFile} and ${envFile} not changed. Would apply:`,
      diffLines(registryFile, registryEdit.line, registryEdit.before, registryEdit.after),
      ...(shadow ? [`and add ${shadow.systemId} (the previous champion in shadow until ${shadow.until})`, ''] : []),
    );
    io.out(out.join('\n'));
    return 0;
  }
  await writeFile(resolve(io.cwd, registryFile), registryText);
  const after = parseRegistryText(await readFile(resolve(io.cwd, registryFile), 'utf8'));
  if (after[id]?.enabled !== false) throw new PwError('PW_ERR_REGISTRY', undefined, id, `${registryFile} does not show the entry disabled after the edit`);
  await writeFile(envPath, (shaEdit ?? pathEdit).text);

  out.push(
    `2. Edited ${registryFile} (the entry would otherwise run twice, as itself and as ${CHAMPION_SYSTEM_ID}):`,
    diffLines(registryFile, registryEdit.line, registryEdit.before, registryEdit.after).trimEnd(),
    ...(shadow
      ? [`   + ${shadow.systemId}: the previous champion (${previousPath}) keeps running in shadow until ${shadow.until} (--shadow-days ${shadowDays}), so a rollback rests on the same matched comparison`]
      : []),
    `3. Edited ${envFile} (the embedded default's champion):`,
    `   - ${pathEdit.before ?? '(absent)'}`,
    `   + ${pathEdit.after}`,
    ...(shaEdit ? [`   - ${shaEdit.before}`, `   + ${shaEdit.after}`] : []),
    ...(entry.model_path.startsWith('gs://') ? ['   note: local mode now needs Cloud Storage access (credentials or STORAGE_EMULATOR_HOST) for this path'] : []),
    `4. Deploy: git add ${registryFile} ${envFile} && git commit -m "feat: promote ${id} to ${CHAMPION_SYSTEM_ID}" && git push`,
    `5. Verify: npm run --silent cli -- registry check; GET /models on the new revision shows ${CHAMPION_SYSTEM_ID} with sha256 ${sha256.slice(0, 12)}`,
    `   Rollback: the same gcloud command with the previous CATBOOST_V9_MODEL_PATH (${previousPath}).`,
    '',
  );
  io.out(out.join('\n'));
  return 0;
}

export async function run(argv: string[], io: CliIo, deps: LifecycleDeps = {}): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'list':
      return list(rest, io, deps);
    case 'check':
      return check(rest, io, deps);
    case 'retire':
      return retire(rest, io, deps);
    case 'promote':
      return promote(rest, io, deps);
    default:
      throw usage(sub ? `unknown registry sub-command '${sub}'` : undefined);
  }
}
