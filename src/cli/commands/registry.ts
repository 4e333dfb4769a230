/**
 * @module cli/commands/registry
 * `npm run --silent cli -- registry <sub-command> …`: the MONTHLY_MODELS lifecycle.
 *
 *   registry list [--json]                            every entry, one line each
 *   registry check [--service-url URL] [--json]       fetch + verify every enabled entry and the champion;
 *                                                     with --service-url also compare a deployed worker's
 *                                                     GET /models with the registry (drift); exit 1 on any failure
 *   registry retire <system_id> --reason "<text>"     enabled: false with a dated reason, in the file; audited
 *   registry promote <system_id> [--from D | --days N] [--to D] [--min-n 50] [--min-days 7]
 *                    [--shadow-days 14] [--force --reason "<why>"] [--dry-run] [--apply]
 *       decided by src/lifecycle/promotion.ts (verdict CHALLENGER BETTER on matched graded rows
 *       since training ended, gates passed, entry enabled, enough game days and bets); prints the
 *       exact Cloud Run command (gs:// path AND sha256), points the env file at the model,
 *       disables the entry, adds the previous champion as an enabled shadow entry for
 *       --shadow-days days; audited with the replaced champion's path and sha256 (what rollback
 *       restores) and the shadow entry
 *   registry rollback --reason "<text>" [--dry-run]   restore the previous champion from the audit trail
 *                                                     (and disable its catboost_v9_prev_<date> shadow entry)
 *   registry history [system_id] [--json]             the audit trail
 *   registry sync [--json]                            the registry's state into the model_registry table
 *
 * Common flags: --registry-file (default config/monthly-models.ts). The env file edited by
 * promote/rollback is the one the CLI read (--env-file, default config/local.env). Edits go
 * through src/lifecycle/registry-file.ts, which proves the file still parses and that only the
 * intended flag changed; nothing is written otherwise.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseFlags, requireDate, requireFlag } from '../args.js';
import type { CliIo } from '../io.js';
import type { CommandHelp } from '../help.js';
import { PwError, describeError, isPwError } from '../../errors.js';
import { CHAMPION_SYSTEM_ID, systemIdSchema, type Registry, type RegistryEntry } from '../../../config/registry.js';
import type { Config } from '../../../config/env.js';
import { FEATURE_SETS } from '../../features/contract.js';
import { loadPredictor } from '../../models/load-predictor.js';
import { modelStoreFromConfig, type ModelStore } from '../../models/model-store.js';
import { cliConfig } from '../../jobs/cli-support.js';
import { renderTable } from '../../jobs/format.js';
import { fmt, type BetRecord } from '../../metrics/metrics.js';
import { compareModels, formatComparison } from '../../grading/compare.js';
import { disableEntry, insertEntry, parseRegistryText, setEnvVar } from '../../lifecycle/registry-file.js';
import { readLineage } from '../../training/lineage.js';
import { comparisonWindow } from '../../lifecycle/windows.js';
import { PROMOTION_DEFAULTS, decidePromotion, previousChampionEntry } from '../../lifecycle/promotion.js';
import { championHistory, eventsFor, historyRows, registryEvent, restoredShadowEntries, rollbackTarget, type EventInput } from '../../lifecycle/audit.js';
import { championUpdateCommand, cloudRunServiceName } from '../../lifecycle/cloud-run.js';
import { adcToken, applyChampion } from '../cloud-run-admin.js';
import type { RegistryEventRow } from '../../storage/tables/model-registry-events.js';
import { registrySnapshotRows } from '../../lifecycle/registry-sync.js';
import { driftReport, expectedModels, type ServedModel } from '../../lifecycle/drift.js';
import { todayIn } from '../../worker/slate-date.js';
import { DEFAULT_ENV_FILE, applyEnvFile } from '../env-file.js';
import { existsSync } from 'node:fs';
import { cliActor } from '../actor.js';
import { emitJson } from '../json.js';
import { loadRegistryFile, readOperatorFile, requireKnownSystemId } from '../registry-source.js';
import { DEFAULT_REGISTRY_FILE, withReadOnlyStorage, type LifecycleDeps } from './evaluate.js';
import { withStorage } from '../../jobs/cli-support.js';

export { DEFAULT_ENV_FILE };

const REGISTRY_FILE_FLAG = { flag: '--registry-file <path>', default: DEFAULT_REGISTRY_FILE, text: 'the MONTHLY_MODELS registry' };

const SUB_HELP = {
  list: {
    usage: 'registry list [--json]',
    summary: 'Every registry entry (enabled, path, windows, backtest numbers, sha256) and the champion.',
    flags: [REGISTRY_FILE_FLAG, { flag: '--json', text: 'one JSON document (docs/cli-json.md, kind "registry.list")' }],
    example: 'registry list',
  },
  check: {
    usage: 'registry check [--service-url URL] [--json]',
    summary:
      "Fetch and verify the champion and every enabled entry (file exists, sha256, feature names). With --service-url, also compare the deployed worker's GET /models (path, sha256, loaded state) with the registry and champion variables: the deployment-drift check. Exit 1 on any failure or drift.",
    flags: [
      REGISTRY_FILE_FLAG,
      { flag: '--service-url <url>', text: "a deployed worker's base URL (GET <url>/models)" },
      { flag: '--id-token <token>', text: 'bearer token for a private service (e.g. $(gcloud auth print-identity-token))' },
      { flag: '--json', text: 'one JSON document (kind "registry.check")' },
    ],
    example: ['registry check', 'registry check --service-url https://prediction-worker-xyz-wl.a.run.app'],
  },
  retire: {
    usage: 'registry retire <system_id> --reason "<text>"',
    summary: 'Set enabled: false on the entry with a dated reason (in the file), and record it in the audit trail.',
    flags: [REGISTRY_FILE_FLAG, { flag: '--reason <text>', text: 'why (required)' }],
    example: 'registry retire catboost_v9_demo_q43 --reason "UNDER-only bias, PVL -1.3"',
  },
  promote: {
    usage: 'registry promote <system_id> [--from YYYY-MM-DD | --days N] [--to YYYY-MM-DD] [--min-n N] [--min-days N] [--shadow-days N] [--force --reason "<text>"] [--dry-run] [--apply]',
    summary:
      'Decide by the promotion rules (src/lifecycle/promotion.ts: verdict, gates, game days, bets); when allowed print the exact Cloud Run command (gs:// path and sha256), point the env file at the model, disable the entry, keep the replaced champion in shadow, and record the promotion with the replaced champion (what rollback restores) and the shadow entry.',
    flags: [
      REGISTRY_FILE_FLAG,
      { flag: '--from <date>', default: "the day after the challenger's training ends (a previous champion's shadow entry: its shadow_from)", text: 'first date of the comparison window' },
      { flag: '--days <n>', text: 'instead of --from: the last n days ending --to (a trailing window; no default)' },
      { flag: '--to <date>', default: 'today in SLATE_TIME_ZONE', text: 'last date of the window' },
      { flag: '--min-n <n>', default: String(PROMOTION_DEFAULTS.minMatchedBets), text: 'matched decided bets required' },
      { flag: '--min-days <n>', default: String(PROMOTION_DEFAULTS.minGradedDays), text: 'graded game days required' },
      { flag: '--shadow-days <n>', default: String(PROMOTION_DEFAULTS.shadowDays), text: 'days the replaced champion keeps running in shadow as catboost_v9_prev_<date> (0: none)' },
      { flag: '--force', default: 'off', text: 'promote although the rules fail (needs --reason; recorded as FORCED)' },
      { flag: '--reason <text>', text: 'why (required with --force; recorded in the registry comment and the audit trail)' },
      { flag: '--dry-run', default: 'off', text: 'print, change nothing, record nothing' },
      { flag: '--apply', default: 'off', text: 'also make the change through the Cloud Run Admin API and wait until the new revision is ready and serving (needs GCP_PROJECT_ID)' },
    ],
    example: ['registry promote catboost_v9_demo_deep', 'registry promote catboost_v9_demo_deep --from 2026-02-01 --to 2026-02-14 --shadow-days 21'],
  },
  rollback: {
    usage: 'registry rollback --reason "<text>" [--force] [--dry-run] [--apply]',
    summary:
      'Restore the previous champion: its exact path and sha256 from the audit trail, after checking the object still exists and has that sha256. Prints the Cloud Run command, edits the env file, disables its catboost_v9_prev_<date> shadow entry (it runs as catboost_v9 again), records the rollback.',
    flags: [
      REGISTRY_FILE_FLAG,
      { flag: '--reason <text>', text: 'why (required)' },
      { flag: '--force', default: 'off', text: 'roll back although the configured champion is not the one the trail installed last (recorded as forced)' },
      { flag: '--dry-run', default: 'off', text: 'check and print, change nothing' },
      { flag: '--apply', default: 'off', text: 'also make the change through the Cloud Run Admin API and wait until the new revision is ready and serving' },
    ],
    example: 'registry rollback --reason "HR fell to 47% on the first two days"',
  },
  history: {
    usage: 'registry history [system_id] [--json]',
    summary: 'The audit trail (model_registry_events): time, action, system, actor, from -> to (path, sha256), verdict, reason. catboost_v9 shows every champion change.',
    flags: [REGISTRY_FILE_FLAG, { flag: '--json', text: 'one JSON document (kind "registry.history")' }],
    example: ['registry history', 'registry history catboost_v9'],
  },
  sync: {
    usage: 'registry sync [--json]',
    summary: "Write the registry's current state (champion + every entry) to the model_registry table, so SQL users see it next to the predictions.",
    flags: [REGISTRY_FILE_FLAG, { flag: '--json', text: 'one JSON document (kind "registry.sync")' }],
    example: 'registry sync',
  },
} satisfies Record<string, CommandHelp>;

export const help: CommandHelp = {
  usage: 'registry <list|check|retire|promote|rollback|history|sync> …',
  summary: 'The model lifecycle: the MONTHLY_MODELS registry, the champion variables and the audit trail.',
  example: ['registry list', 'registry history catboost_v9'],
  sub: SUB_HELP,
};

const USAGE = Object.values(SUB_HELP).map((h, i) => `${i === 0 ? 'usage: ' : '       '}${h.usage}`).join('\n');

const COMMON = {
  'registry-file': { type: 'string', default: DEFAULT_REGISTRY_FILE },
} as const;

function usage(message?: string): PwError {
  return new PwError('PW_ERR_CLI_USAGE', undefined, message ? `${message}\n${USAGE}` : USAGE);
}

async function readText(io: CliIo, file: string): Promise<string> {
  return readOperatorFile(io, file);
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

function configOf(io: CliIo, deps: LifecycleDeps): Config {
  return deps.config ?? cliConfig(io);
}

/** Today in SLATE_TIME_ZONE (the one "today" of the project). */
function today(deps: LifecycleDeps, config: Config): string {
  return todayIn(config.SLATE_TIME_ZONE, deps.now ?? new Date());
}

function diffLines(file: string, line: number, before: readonly string[], after: readonly string[]): string {
  return [`${file}:${line}`, ...before.map((l) => `- ${l}`), ...after.map((l) => `+ ${l}`), ''].join('\n');
}

/** The env file promote/rollback edit: the one this CLI invocation read (--env-file), else the local one. */
function envFileOf(io: CliIo): string {
  return io.envFile ?? DEFAULT_ENV_FILE;
}

/**
 * Make a lifecycle change and record it: the storage is opened (read-write) BEFORE `apply` edits
 * any file, so a store that cannot take the event (PW_ERR_DB_LOCKED while a worker holds the
 * embedded file, BigQuery unreachable) refuses the action with nothing changed; then `apply`
 * runs and the event is appended (then `also`: events the same change implies, e.g. the shadow
 * entry a promotion adds). Returns the event.
 */
async function applyAndRecord(
  io: CliIo,
  deps: LifecycleDeps,
  config: Config,
  e: Omit<EventInput, 'actor' | 'now'>,
  apply: () => Promise<Record<string, unknown> | void>,
  also: ReadonlyArray<Omit<EventInput, 'actor' | 'now'>> = [],
): Promise<RegistryEventRow> {
  const actor = await cliActor(io, config);
  let row: RegistryEventRow | undefined;
  await withStorage(deps, config, async (storage) => {
    await storage.ping();
    const extra = await apply();
    const now = deps.now ?? new Date();
    row = registryEvent({ ...e, metrics: extra ? { ...(e.metrics ?? {}), ...extra } : e.metrics, actor, now });
    await storage.registryEvents.append(row);
    // recorded just after the event they follow, so the trail reads in order
    for (const [i, a] of also.entries()) await storage.registryEvents.append(registryEvent({ ...a, actor, now: new Date(now.getTime() + 1 + i) }));
  });
  return row!;
}

/** Test hook: how often `--apply` polls the Cloud Run operation (default 2 s). */
export interface RegistryDeps extends LifecycleDeps {
  cloudRunPollMs?: number;
}

/**
 * `--apply`: the same change as the printed command, through the Cloud Run Admin API, waiting for
 * the new revision to be ready and serving. Returns what goes into the audit event.
 */
async function applyToCloudRun(config: Config, deps: RegistryDeps, model: { path: string; sha256: string | null }, out: string[]): Promise<Record<string, unknown>> {
  const name = cloudRunServiceName(cloudRunOf(config));
  const r = await applyChampion(name, model, {
    endpoint: config.CLOUD_RUN_API_ENDPOINT,
    token: config.CLOUD_RUN_API_ENDPOINT ? undefined : adcToken(),
    pollMs: deps.cloudRunPollMs,
  });
  out.push(`   APPLIED: ${name} revision ${r.revision} is ready and serving (was ${r.previousRevision ?? '?'})`, '');
  return { cloud_run_service: name, cloud_run_revision: r.revision, cloud_run_previous_revision: r.previousRevision };
}

// --- list -----------------------------------------------------------------------------------

async function list(argv: string[], io: CliIo, deps: LifecycleDeps): Promise<number> {
  const { values } = parseFlags(argv, { ...COMMON, json: { type: 'boolean', default: false } });
  const registryFile = String(values['registry-file']);
  const registry = parseRegistryText(await readText(io, registryFile), registryFile);
  const config = deps.config ?? cliConfig(io);
  if (values.json) {
    emitJson(io, 'registry.list', {
      registry_file: registryFile,
      env_file: io.envFile ?? null,
      champion: { system_id: CHAMPION_SYSTEM_ID, model_path: config.CATBOOST_V9_MODEL_PATH, sha256: config.CATBOOST_V9_MODEL_SHA256 ?? null },
      entries: Object.entries(registry).map(([id, e]) => ({ system_id: id, ...e, sha256: e.sha256 ?? null, eval_start: e.eval_start ?? null, eval_end: e.eval_end ?? null })),
    });
    return 0;
  }
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
  const now = today(deps, config);
  for (const [id, e] of Object.entries(registry)) {
    if (e.enabled && e.shadow_until && e.shadow_until < now) {
      io.out(`note: ${id} was to shadow until ${e.shadow_until}: decide (registry promote ${id} to roll back, or registry retire ${id} --reason "…")\n`);
    }
  }
  return 0;
}

// --- check ----------------------------------------------------------------------------------

/** GET <url>/models of a deployed worker → its model list (PW_ERR_SERVICE when unreadable). */
async function servedModels(url: string, idToken: string | undefined): Promise<{ models: ServedModel[]; revision: string | null; build_commit: string | null }> {
  const target = `${url.replace(/\/+$/, '')}/models`;
  let body: unknown;
  try {
    const res = await fetch(target, { headers: idToken ? { authorization: `Bearer ${idToken}` } : {}, signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    body = await res.json();
  } catch (err) {
    throw new PwError('PW_ERR_SERVICE', { cause: err }, target, describeError(err));
  }
  const b = body as { models?: unknown; revision?: unknown; build_commit?: unknown };
  if (!Array.isArray(b.models) || !b.models.every((m) => typeof m === 'object' && m !== null && typeof (m as ServedModel).system_id === 'string')) {
    throw new PwError('PW_ERR_SERVICE', undefined, target, 'the answer has no models[] with system_id (is this a prediction-worker?)');
  }
  return { models: b.models as ServedModel[], revision: typeof b.revision === 'string' ? b.revision : null, build_commit: typeof b.build_commit === 'string' ? b.build_commit : null };
}

async function check(argv: string[], io: CliIo, deps: LifecycleDeps): Promise<number> {
  const { values } = parseFlags(argv, { ...COMMON, 'service-url': { type: 'string' }, 'id-token': { type: 'string' }, json: { type: 'boolean', default: false } });
  const registryFile = String(values['registry-file']);
  const registry = parseRegistryText(await readText(io, registryFile), registryFile);
  const config = configOf(io, deps);
  const store = deps.store ?? modelStoreFromConfig(config, io.cwd);
  const targets: Array<{ id: string; path: string; sha256: string | undefined; featureSet: keyof typeof FEATURE_SETS }> = [
    { id: CHAMPION_SYSTEM_ID, path: config.CATBOOST_V9_MODEL_PATH, sha256: config.CATBOOST_V9_MODEL_SHA256, featureSet: 'v9' },
    ...Object.entries(registry)
      .filter(([, e]) => e.enabled)
      .map(([id, e]) => ({ id, path: e.model_path, sha256: e.sha256, featureSet: e.feature_set })),
  ];
  const rows: string[][] = [];
  const results: Array<Record<string, unknown>> = [];
  let failures = 0;
  for (const t of targets) {
    try {
      const p = await loadPredictor({ path: t.path, expectedSha256: t.sha256, featureSet: FEATURE_SETS[t.featureSet], engine: config.MODEL_ENGINE, store });
      await p.close();
      const note = t.sha256 ? 'sha256 matches' : 'WARN: no sha256 declared';
      rows.push([t.id, 'OK', t.path, p.sha256.slice(0, 12), `${p.featureNames.length} (${t.featureSet})`, `${p.treeCount} trees; ${note}`]);
      results.push({ system_id: t.id, result: 'OK', model_path: t.path, sha256: p.sha256, detail: note });
    } catch (err) {
      failures++;
      const detail = `${isPwError(err) ? `${err.code}: ` : ''}${describeError(err)}`;
      rows.push([t.id, 'FAIL', t.path, '-', t.featureSet, detail]);
      results.push({ system_id: t.id, result: 'FAIL', model_path: t.path, sha256: null, detail });
    }
  }
  const where = `${registryFile}${io.envFile ? ` + ${io.envFile}` : ''}`;
  let drift: ReturnType<typeof driftReport> | undefined;
  let service: Awaited<ReturnType<typeof servedModels>> | undefined;
  if (typeof values['service-url'] === 'string') {
    service = await servedModels(values['service-url'], typeof values['id-token'] === 'string' ? values['id-token'] : undefined);
    drift = driftReport(expectedModels(registry, { path: config.CATBOOST_V9_MODEL_PATH, sha256: config.CATBOOST_V9_MODEL_SHA256 }), service.models);
  }
  const drifted = drift?.filter((d) => d.status !== 'OK').length ?? 0;
  if (values.json) {
    emitJson(io, 'registry.check', {
      source: where,
      models: results,
      failures,
      service: service ? { url: values['service-url'], revision: service.revision, build_commit: service.build_commit } : null,
      drift: drift ?? null,
      drifted,
    });
    return failures === 0 && drifted === 0 ? 0 : 1;
  }
  io.out(`registry ${where}\n`);
  io.out(renderTable(['system_id', 'result', 'model_path', 'sha256', 'features', 'detail'], rows));
  io.out(failures === 0 ? `all ${targets.length} models verified\n` : `${failures} of ${targets.length} models FAILED verification\n`);
  if (drift && service) {
    io.out(`\ndeployed worker ${values['service-url']} (revision ${service.revision ?? '?'}, build ${service.build_commit ?? '?'}) vs ${where}\n`);
    io.out(
      renderTable(
        ['system_id', 'drift', 'expected', 'served', 'state', 'detail'],
        drift.map((d) => [
          d.system_id,
          d.status,
          d.expected_path ? `${d.expected_path} (${d.expected_sha256?.slice(0, 12) ?? 'no sha256'})` : '-',
          d.served_path ? `${d.served_path} (${d.served_sha256?.slice(0, 12) ?? '?'})` : '-',
          d.served_state ?? '-',
          d.detail,
        ]),
      ),
    );
    io.out(drifted === 0 ? 'no drift: the service runs what the registry and champion variables say\n' : `DRIFT: ${drifted} model(s) differ from the registry\n`);
  }
  return failures === 0 && drifted === 0 ? 0 : 1;
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
  const [id, entry] = requireChallenger(parseRegistryText(text, registryFile), positionals[0], registryFile);
  const config = configOf(io, deps);
  if (!entry.enabled) {
    io.err(`${id} is already disabled in ${registryFile}; nothing changed\n`);
    return 1;
  }
  const edit = disableEntry(text, id, `Retired ${today(deps, config)}: ${reason}`);
  let after: Registry = {};
  const event = await applyAndRecord(io, deps, config, { action: 'retire', systemId: id, from: { path: entry.model_path, sha256: entry.sha256 }, reason, registryFile }, async () => {
    await writeFile(path, edit.text);
    // Prove what is on disk now, not only what we meant to write.
    after = parseRegistryText(await readFile(path, 'utf8'), registryFile);
    if (after[id]?.enabled !== false) throw new PwError('PW_ERR_REGISTRY', undefined, id, `${registryFile} does not show the entry disabled after the edit`);
  });
  io.out(
    [
      `retired ${id} (audit event ${event.event_id} by ${event.actor})`,
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

/** The Cloud Run target from configuration (CLOUD_RUN_SERVICE, CLOUD_RUN_REGION, GCP_PROJECT_ID). */
function cloudRunOf(config: Config) {
  return { service: config.CLOUD_RUN_SERVICE, region: config.CLOUD_RUN_REGION, project: config.GCP_PROJECT_ID };
}

/**
 * The printed Cloud Run step for a champion change: the exact command, or, for a path the
 * service cannot load (local), the reason no command is printed.
 */
function cloudRunStep(config: Config, model: { path: string; sha256: string | null }): string[] {
  try {
    return [`   ${championUpdateCommand(cloudRunOf(config), model.path, model.sha256)}`];
  } catch (err) {
    return [`   NOT PRINTED: ${isPwError(err) ? `${err.code}: ` : ''}${describeError(err)}`];
  }
}

/** The env-file edit that installs a champion: path AND sha256, always together. */
function championEnvEdit(envText: string, model: { path: string; sha256: string }) {
  const pathEdit = setEnvVar(envText, 'CATBOOST_V9_MODEL_PATH', model.path);
  const shaEdit = setEnvVar(pathEdit.text, 'CATBOOST_V9_MODEL_SHA256', model.sha256);
  return { text: shaEdit.text, lines: [`   - ${pathEdit.before ?? '(absent)'}`, `   + ${pathEdit.after}`, `   - ${shaEdit.before ?? '(absent)'}`, `   + ${shaEdit.after}`] };
}

/** The current champion's exact path and sha256: declared, else hashed from its bytes; null sha256 when unreadable. */
async function currentChampion(config: Config, store: ModelStore): Promise<{ path: string; sha256: string | null; note?: string }> {
  const path = config.CATBOOST_V9_MODEL_PATH;
  if (config.CATBOOST_V9_MODEL_SHA256) return { path, sha256: config.CATBOOST_V9_MODEL_SHA256 };
  try {
    return { path, sha256: (await store.fetch(path)).sha256 };
  } catch (err) {
    return { path, sha256: null, note: `the current champion ${path} could not be read (${describeError(err)}): its sha256 is not recorded, so rollback to it cannot be verified` };
  }
}

async function promote(argv: string[], io: CliIo, deps: RegistryDeps): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      ...COMMON,
      days: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'min-n': { type: 'string', default: String(PROMOTION_DEFAULTS.minMatchedBets) },
      'min-days': { type: 'string', default: String(PROMOTION_DEFAULTS.minGradedDays) },
      force: { type: 'boolean', default: false },
      reason: { type: 'string' },
      'shadow-days': { type: 'string', default: String(PROMOTION_DEFAULTS.shadowDays) },
      'dry-run': { type: 'boolean', default: false },
      apply: { type: 'boolean', default: false },
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
  const envFile = envFileOf(io);
  const text = await readText(io, registryFile);
  const [id, entry] = requireChallenger(parseRegistryText(text, registryFile), positionals[0], registryFile);
  const config = deps.config ?? cliConfig(io);
  const date = today(deps, config);

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
  const previous = await currentChampion(config, store);
  const next = { path: entry.model_path, sha256 };
  const envEdit = championEnvEdit(envText, next);

  // The replaced champion keeps running in shadow as a challenger (src/lifecycle/promotion.ts).
  let shadow: { systemId: string; until: string; path: string; sha256: string } | undefined;
  let registryText = registryEdit.text;
  if (shadowDays > 0) {
    const prevFile = await store.fetch(previous.path, previous.sha256 ? { expectedSha256: previous.sha256 } : undefined);
    const prevLineage = readLineage(prevFile.bytes, previous.path);
    const prev = previousChampionEntry({
      modelPath: previous.path,
      sha256: prevFile.sha256,
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
    if (prev.systemId in parseRegistryText(registryText, registryFile)) throw new PwError('PW_ERR_REGISTRY', undefined, prev.systemId, 'already in the registry (one promotion a day)');
    registryText = insertEntry(registryText, prev.source);
    shadow = { systemId: prev.systemId, until: parseRegistryText(registryText, registryFile)[prev.systemId]!.shadow_until!, path: previous.path, sha256: prevFile.sha256 };
  }

  out.push(
    `1. Point the Cloud Run champion (${config.CLOUD_RUN_SERVICE}, ${config.CLOUD_RUN_REGION}) at the model: a new revision; --update-env-vars keeps the other variables (never --set-env-vars):`,
    ...cloudRunStep(config, next),
    '',
  );
  if (values['dry-run']) {
    out.push(
      `DRY RUN: ${registryFile} and ${envFile} not changed, nothing recorded. Would apply:`,
      diffLines(registryFile, registryEdit.line, registryEdit.before, registryEdit.after),
      ...(shadow ? [`and add ${shadow.systemId} (the previous champion in shadow until ${shadow.until})`, ''] : []),
    );
    io.out(out.join('\n'));
    return 0;
  }
  const applyPromotion = async () => {
    const applied = values.apply ? await applyToCloudRun(config, deps, next, out) : undefined;
    await writeFile(resolve(io.cwd, registryFile), registryText);
    const after = parseRegistryText(await readFile(resolve(io.cwd, registryFile), 'utf8'), registryFile);
    if (after[id]?.enabled !== false) throw new PwError('PW_ERR_REGISTRY', undefined, id, `${registryFile} does not show the entry disabled after the edit`);
    if (shadow && after[shadow.systemId]?.enabled !== true) throw new PwError('PW_ERR_REGISTRY', undefined, shadow.systemId, `${registryFile} does not show the previous champion's shadow entry after the edit`);
    await writeFile(envPath, envEdit.text);
    return applied;
  };
  const reason = decision.forced ? decision.reason : typeof values.reason === 'string' ? values.reason : undefined;
  const shadowEvent = shadow
    ? {
        action: 'entry_added' as const,
        systemId: shadow.systemId,
        to: { path: shadow.path, sha256: shadow.sha256 },
        verdict: `previous champion kept in shadow until ${shadow.until}`,
        metrics: { shadow_from: date, shadow_until: shadow.until, promoted: id },
        reason: `replaced by ${id} (registry promote)`,
        registryFile,
      }
    : undefined;
  const event = await applyAndRecord(
    io,
    deps,
    config,
    {
      action: 'promote',
      systemId: id,
      from: previous,
      to: next,
      verdict: `${passed ? 'PASS' : decision.forced ? 'FORCED' : 'FAIL'}: ${c.verdict}`,
      metrics: {
        from_date: fromDate,
        to_date: toDate,
        challenger_hit_rate_all_pct: c.challenger.all.hit_rate_pct,
        champion_hit_rate_all_pct: c.champion.all.hit_rate_pct,
        challenger_n_decided: c.challenger.all.n_decided,
        champion_n_decided: c.champion.all.n_decided,
        matched_rows: c.matchedRows,
        challenger_mae: c.challenger.mae_points,
        champion_mae: c.champion.mae_points,
        decision: c.decision,
        rules: decision.rules.map((k) => ({ rule: k.rule, pass: k.pass, detail: k.detail })),
        verdict_text: c.verdictText,
        shadow_entry: shadow ? { system_id: shadow.systemId, model_path: shadow.path, sha256: shadow.sha256, shadow_until: shadow.until } : null,
      },
      forced: decision.forced,
      reason,
      registryFile,
    },
    applyPromotion,
    shadowEvent ? [shadowEvent] : [],
  );

  out.push(
    `2. Edited ${registryFile} (the entry would otherwise run twice, as itself and as ${CHAMPION_SYSTEM_ID}):`,
    diffLines(registryFile, registryEdit.line, registryEdit.before, registryEdit.after).trimEnd(),
    ...(shadow
      ? [`   + ${shadow.systemId}: the previous champion (${shadow.path}) keeps running in shadow until ${shadow.until} (--shadow-days ${shadowDays}), so a rollback rests on the same matched comparison`]
      : []),
    `3. Edited ${envFile} (the champion the CLI, the demo and \`npm start\` read):`,
    ...envEdit.lines,
    ...(entry.model_path.startsWith('gs://') ? ['   note: local mode now needs Cloud Storage access (credentials or STORAGE_EMULATOR_HOST) for this path'] : []),
    `4. Recorded: audit event ${event.event_id} by ${event.actor}${shadow ? ` (and the shadow entry ${shadow.systemId})` : ''} (npm run --silent cli -- registry history ${CHAMPION_SYSTEM_ID})`,
    `5. Deploy: git add ${registryFile} ${envFile} && git commit -m "feat: promote ${id} to ${CHAMPION_SYSTEM_ID}" && git push`,
    `6. Verify: npm run --silent cli -- registry check --service-url <the service URL>   (GET /models must show ${CHAMPION_SYSTEM_ID} ${next.path} sha256 ${sha256})`,
    `   Rollback: npm run --silent cli -- registry rollback --reason "<why>"   restores ${previous.path} sha256 ${previous.sha256 ?? '(unknown)'}; its Cloud Run command:`,
    ...cloudRunStep(config, previous),
    ...(previous.note ? [`   WARNING: ${previous.note}`] : []),
    '',
  );
  io.out(out.join('\n'));
  return 0;
}

// --- rollback -------------------------------------------------------------------------------

async function rollback(argv: string[], io: CliIo, deps: RegistryDeps): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { ...COMMON, reason: { type: 'string' }, force: { type: 'boolean', default: false }, 'dry-run': { type: 'boolean', default: false }, apply: { type: 'boolean', default: false } },
    true,
  );
  if (positionals.length > 0) throw usage('rollback takes no system_id: it restores the previous champion from the audit trail');
  const reason = requireFlag(values.reason, 'reason').replace(/\s+/g, ' ').trim();
  const config = configOf(io, deps);
  const envFile = envFileOf(io);
  const events = await withStorage(deps, config, (storage) => storage.registryEvents.list());
  const history = championHistory(events);
  const { from, to } = rollbackTarget(history);
  const out: string[] = [`rollback ${CHAMPION_SYSTEM_ID}: ${from.path} -> ${to.path}`, `  undoes ${history.lastChange!.action} ${history.lastChange!.event_id} (${history.lastChange!.system_id}, by ${history.lastChange!.actor})`];
  // The configured champion must be the one the trail installed last: otherwise something moved it
  // outside the lifecycle commands, and "the previous one" is not known.
  const drifted = config.CATBOOST_V9_MODEL_PATH !== from.path || (config.CATBOOST_V9_MODEL_SHA256 !== undefined && from.sha256 !== null && config.CATBOOST_V9_MODEL_SHA256 !== from.sha256);
  if (drifted && !values.force) {
    throw new PwError(
      'PW_ERR_ROLLBACK',
      undefined,
      CHAMPION_SYSTEM_ID,
      `${envFile} names ${config.CATBOOST_V9_MODEL_PATH} (sha256 ${config.CATBOOST_V9_MODEL_SHA256 ?? 'not declared'}) as champion, but the audit trail's last change installed ${from.path} (sha256 ${from.sha256 ?? '?'}): the champion was changed outside the lifecycle commands; check \`registry history ${CHAMPION_SYSTEM_ID}\`, then --force to restore ${to.path} anyway; nothing changed`,
    );
  }
  if (drifted) out.push(`  FORCED: ${envFile} names ${config.CATBOOST_V9_MODEL_PATH}, not ${from.path} as the trail says`);
  // Before anything moves: the previous object must still exist and be exactly those bytes.
  const store = deps.store ?? modelStoreFromConfig(config, io.cwd);
  try {
    await store.fetch(to.path, { expectedSha256: to.sha256 });
  } catch (err) {
    throw new PwError('PW_ERR_ROLLBACK', { cause: err }, CHAMPION_SYSTEM_ID, `the previous champion ${to.path} is not available with sha256 ${to.sha256}: ${describeError(err)}; nothing changed`);
  }
  out.push(`  checked: ${to.path} exists and has sha256 ${to.sha256}`, '');
  const envPath = resolve(io.cwd, envFile);
  const envEdit = championEnvEdit(await readFile(envPath, 'utf8').catch(() => ''), to);
  // The restored champion may still run in shadow as catboost_v9_prev_<date> (registry promote kept
  // it there): once it is the champion again that entry would run it twice, so it is disabled.
  const registryFile = String(values['registry-file']);
  const registryPath = resolve(io.cwd, registryFile);
  const registryBefore = existsSync(registryPath) ? await readText(io, registryFile) : undefined;
  const shadowIds = registryBefore === undefined ? [] : restoredShadowEntries(parseRegistryText(registryBefore, registryFile), to);
  let registryText = registryBefore;
  const registryEdits: Array<ReturnType<typeof disableEntry>> = [];
  for (const sid of shadowIds) {
    const edit = disableEntry(registryText!, sid, `Rolled back ${today(deps, config)}: runs as ${CHAMPION_SYSTEM_ID} again (${reason})`);
    registryEdits.push(edit);
    registryText = edit.text;
  }
  out.push(
    `1. Point the Cloud Run champion (${config.CLOUD_RUN_SERVICE}, ${config.CLOUD_RUN_REGION}) back (--update-env-vars, never --set-env-vars):`,
    ...cloudRunStep(config, to),
    '',
  );
  const registryLines = registryEdits.map((e) => diffLines(registryFile, e.line, e.before, e.after).trimEnd());
  if (values['dry-run']) {
    out.push(`DRY RUN: ${envFile}${shadowIds.length ? ` and ${registryFile}` : ''} not changed, nothing recorded.`, ...(shadowIds.length ? ['Would apply:', ...registryLines] : []), '');
    io.out(out.join('\n'));
    return 0;
  }
  const event = await applyAndRecord(io, deps, config, {
    action: 'rollback',
    systemId: CHAMPION_SYSTEM_ID,
    from: drifted ? { path: config.CATBOOST_V9_MODEL_PATH, sha256: config.CATBOOST_V9_MODEL_SHA256 ?? null } : from,
    to,
    reason,
    forced: drifted,
    registryFile,
    metrics: shadowIds.length ? { shadow_entries_disabled: shadowIds } : undefined,
  }, async () => {
    const applied = values.apply ? await applyToCloudRun(config, deps, to, out) : undefined;
    if (shadowIds.length) {
      await writeFile(registryPath, registryText!);
      const after = parseRegistryText(await readFile(registryPath, 'utf8'), registryFile);
      for (const sid of shadowIds) if (after[sid]?.enabled !== false) throw new PwError('PW_ERR_REGISTRY', undefined, sid, `${registryFile} does not show the entry disabled after the edit`);
    }
    await writeFile(envPath, envEdit.text);
    return applied;
  });
  out.push(
    `2. Edited ${envFile}:`,
    ...envEdit.lines,
    ...(shadowIds.length ? [`   and ${registryFile} (${shadowIds.join(', ')} ran the restored champion in shadow; it runs as ${CHAMPION_SYSTEM_ID} again):`, ...registryLines] : []),
    `3. Recorded: audit event ${event.event_id} by ${event.actor}`,
    `4. Deploy: git add ${envFile}${shadowIds.length ? ` ${registryFile}` : ''} && git commit -m "fix: roll back ${CHAMPION_SYSTEM_ID} to ${to.path}" && git push`,
    `5. Verify: npm run --silent cli -- registry check --service-url <the service URL>`,
    '',
  );
  io.out(out.join('\n'));
  return 0;
}

// --- history, sync --------------------------------------------------------------------------

async function history(argv: string[], io: CliIo, deps: LifecycleDeps): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...COMMON, json: { type: 'boolean', default: false } }, true);
  if (positionals.length > 1) throw usage('history takes at most one system_id');
  const id = positionals[0];
  if (id !== undefined && !systemIdSchema.safeParse(id).success) throw usage(`'${id}' is not a system_id`);
  const config = configOf(io, deps);
  const all = await withStorage(deps, config, (storage) => storage.registryEvents.list());
  if (id !== undefined) {
    const { registry } = await loadRegistryFile(io, String(values['registry-file']));
    requireKnownSystemId(id, registry, String(values['registry-file']), all.map((e) => e.system_id));
  }
  const events = eventsFor(id, all);
  if (values.json) {
    emitJson(io, 'registry.history', { system_id: id ?? null, events: events.map((e) => ({ ...e, metrics: e.metrics === null ? null : (JSON.parse(e.metrics) as unknown) })) });
    return 0;
  }
  io.out(`${events.length} event(s)${id ? ` for ${id}` : ''} in model_registry_events\n`);
  if (events.length > 0) io.out(renderTable(['time (UTC)', 'action', 'system_id', 'actor', 'from -> to (sha256)', 'verdict', 'reason'], historyRows(events)));
  return 0;
}

async function sync(argv: string[], io: CliIo, deps: LifecycleDeps): Promise<number> {
  const { values } = parseFlags(argv, { ...COMMON, json: { type: 'boolean', default: false } });
  const registryFile = String(values['registry-file']);
  const registry = parseRegistryText(await readText(io, registryFile), registryFile);
  const config = configOf(io, deps);
  const source = `${registryFile}${io.envFile ? ` + ${io.envFile}` : ''}`;
  const rows = await withStorage(deps, config, async (storage) => {
    const next = registrySnapshotRows({
      registry,
      champion: { path: config.CATBOOST_V9_MODEL_PATH, sha256: config.CATBOOST_V9_MODEL_SHA256 },
      previous: await storage.registry.all(),
      source,
      now: deps.now ?? new Date(),
    });
    await storage.registry.upsert(next);
    return next;
  });
  if (values.json) {
    emitJson(io, 'registry.sync', { source, rows });
    return 0;
  }
  io.out(`synced ${rows.length} row(s) from ${source} into nba_predictions.model_registry\n`);
  io.out(renderTable(['system_id', 'role', 'enabled', 'in_registry', 'model_path', 'sha256'], rows.map((r) => [r.system_id, r.role, String(r.enabled), String(r.in_registry), r.model_path, r.sha256?.slice(0, 12) ?? '-'])));
  return 0;
}

export async function run(argv: string[], io: CliIo, deps: RegistryDeps = {}): Promise<number> {
  // Called directly (tests, scripts) with --env-file: take it as src/cli/index.ts would.
  if (argv.some((a) => a === '--env-file' || a.startsWith('--env-file='))) {
    const chosen = applyEnvFile(argv, io.env, io.cwd, existsSync);
    argv = chosen.argv;
    io = { ...io, env: chosen.env, envFile: chosen.envFile };
  }
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
    case 'rollback':
      return rollback(rest, io, deps);
    case 'history':
      return history(rest, io, deps);
    case 'sync':
      return sync(rest, io, deps);
    default:
      throw usage(sub ? `unknown registry sub-command '${sub}'` : undefined);
  }
}
