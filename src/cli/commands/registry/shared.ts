/**
 * @module cli/commands/registry/shared
 * What several `registry` sub-commands share: the help texts (SUB_HELP, the usage line), the
 * common flags, argument checks (requireChallenger), "today", the env file promote/rollback edit,
 * diff printing, recording a lifecycle change in the audit trail (applyAndRecord), and the Cloud
 * Run step (printed command or --apply through the Admin API).
 */
import type { CliIo } from '../../io.js';
import type { CommandHelp } from '../../help.js';
import { PwError, describeError, isPwError } from '../../../errors.js';
import { CHAMPION_SYSTEM_ID, systemIdSchema, type Registry, type RegistryEntry } from '../../../../config/registry.js';
import type { Config } from '../../../../config/env.js';
import type { ModelStore } from '../../../models/model-store.js';
import { cliConfig } from '../../../jobs/cli-support.js';
import { setEnvVar } from '../../../lifecycle/registry-file.js';
import { PROMOTION_DEFAULTS } from '../../../lifecycle/promotion.js';
import { registryEvent, type EventInput } from '../../../lifecycle/audit.js';
import { championUpdateCommand, cloudRunServiceName } from '../../../lifecycle/cloud-run.js';
import { adcToken, applyChampion } from '../../cloud-run-admin.js';
import type { RegistryEventRow } from '../../../storage/tables/model-registry-events.js';
import { todayIn } from '../../../worker/slate-date.js';
import { DEFAULT_ENV_FILE } from '../../env-file.js';
import { cliActor } from '../../actor.js';
import { readOperatorFile } from '../../registry-source.js';
import { DEFAULT_REGISTRY_FILE, type LifecycleDeps } from '../evaluate.js';
import { withStorage } from '../../../jobs/cli-support.js';

const REGISTRY_FILE_FLAG = { flag: '--registry-file <path>', default: DEFAULT_REGISTRY_FILE, text: 'the MONTHLY_MODELS registry' };

/** Help of each sub-command (`registry <sub> --help`); their usage lines make the USAGE text. */
export const SUB_HELP = {
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

const USAGE = Object.values(SUB_HELP).map((h, i) => `${i === 0 ? 'usage: ' : '       '}${h.usage}`).join('\n');

/** Flags every sub-command takes (--registry-file). */
export const COMMON = {
  'registry-file': { type: 'string', default: DEFAULT_REGISTRY_FILE },
} as const;

/** A PW_ERR_CLI_USAGE error: `message` (if any) followed by every sub-command's usage line. */
export function usage(message?: string): PwError {
  return new PwError('PW_ERR_CLI_USAGE', undefined, message ? `${message}\n${USAGE}` : USAGE);
}

/** The text of an operator-named file (relative to io.cwd); PW_ERR_* from readOperatorFile when unreadable. */
export async function readText(io: CliIo, file: string): Promise<string> {
  return readOperatorFile(io, file);
}

/** The id must name a challenger in the registry: never the champion, never a typo. */
export function requireChallenger(registry: Registry, id: string | undefined, registryFile: string): [string, RegistryEntry] {
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

/** The configuration: the one injected (tests), else the one the CLI parsed from its environment. */
export function configOf(io: CliIo, deps: LifecycleDeps): Config {
  return deps.config ?? cliConfig(io);
}

/** Today in SLATE_TIME_ZONE (the one "today" of the project). */
export function today(deps: LifecycleDeps, config: Config): string {
  return todayIn(config.SLATE_TIME_ZONE, deps.now ?? new Date());
}

/** A file edit as `file:line`, `- before` and `+ after` lines, ending in a newline. */
export function diffLines(file: string, line: number, before: readonly string[], after: readonly string[]): string {
  return [`${file}:${line}`, ...before.map((l) => `- ${l}`), ...after.map((l) => `+ ${l}`), ''].join('\n');
}

/** The env file promote/rollback edit: the one this CLI invocation read (--env-file), else the local one. */
export function envFileOf(io: CliIo): string {
  return io.envFile ?? DEFAULT_ENV_FILE;
}

/**
 * Make a lifecycle change and record it: the storage is opened (read-write) BEFORE `apply` edits
 * any file, so a store that cannot take the event (PW_ERR_DB_LOCKED while a worker holds the
 * embedded file, BigQuery unreachable) refuses the action with nothing changed; then `apply`
 * runs and the event is appended (then `also`: events the same change implies, e.g. the shadow
 * entry a promotion adds). Returns the event.
 */
export async function applyAndRecord(
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
export async function applyToCloudRun(config: Config, deps: RegistryDeps, model: { path: string; sha256: string | null }, out: string[]): Promise<Record<string, unknown>> {
  const name = cloudRunServiceName(cloudRunOf(config));
  const r = await applyChampion(name, model, {
    endpoint: config.CLOUD_RUN_API_ENDPOINT,
    token: config.CLOUD_RUN_API_ENDPOINT ? undefined : adcToken(),
    pollMs: deps.cloudRunPollMs,
  });
  out.push(`   APPLIED: ${name} revision ${r.revision} is ready and serving (was ${r.previousRevision ?? '?'})`, '');
  return { cloud_run_service: name, cloud_run_revision: r.revision, cloud_run_previous_revision: r.previousRevision };
}

/** The Cloud Run target from configuration (CLOUD_RUN_SERVICE, CLOUD_RUN_REGION, GCP_PROJECT_ID). */
export function cloudRunOf(config: Config) {
  return { service: config.CLOUD_RUN_SERVICE, region: config.CLOUD_RUN_REGION, project: config.GCP_PROJECT_ID };
}

/**
 * The printed Cloud Run step for a champion change: the exact command, or, for a path the
 * service cannot load (local), the reason no command is printed.
 */
export function cloudRunStep(config: Config, model: { path: string; sha256: string | null }): string[] {
  try {
    return [`   ${championUpdateCommand(cloudRunOf(config), model.path, model.sha256)}`];
  } catch (err) {
    return [`   NOT PRINTED: ${isPwError(err) ? `${err.code}: ` : ''}${describeError(err)}`];
  }
}

/** The env-file edit that installs a champion: path AND sha256, always together. */
export function championEnvEdit(envText: string, model: { path: string; sha256: string }) {
  const pathEdit = setEnvVar(envText, 'CATBOOST_V9_MODEL_PATH', model.path);
  const shaEdit = setEnvVar(pathEdit.text, 'CATBOOST_V9_MODEL_SHA256', model.sha256);
  return { text: shaEdit.text, lines: [`   - ${pathEdit.before ?? '(absent)'}`, `   + ${pathEdit.after}`, `   - ${shaEdit.before ?? '(absent)'}`, `   + ${shaEdit.after}`] };
}

/** The current champion's exact path and sha256: declared, else hashed from its bytes; null sha256 when unreadable. */
export async function currentChampion(config: Config, store: ModelStore): Promise<{ path: string; sha256: string | null; note?: string }> {
  const path = config.CATBOOST_V9_MODEL_PATH;
  if (config.CATBOOST_V9_MODEL_SHA256) return { path, sha256: config.CATBOOST_V9_MODEL_SHA256 };
  try {
    return { path, sha256: (await store.fetch(path)).sha256 };
  } catch (err) {
    return { path, sha256: null, note: `the current champion ${path} could not be read (${describeError(err)}): its sha256 is not recorded, so rollback to it cannot be verified` };
  }
}
