/**
 * @module cli/commands/compare
 * `npm run --silent cli -- compare <system_id> [--from D | --days N] [--to D] [--champion ID]
 *    [--registry-file config/monthly-models.ts] [--json]`
 * Challenger vs champion on matched graded rows (same date, game, player and line) with the one
 * verdict rule (src/lifecycle/verdict.ts): differences with always-valid day-clustered intervals,
 * N beside every figure, CHALLENGER BETTER / CHAMPION BETTER / NOT YET DECIDED.
 * Window (src/lifecycle/windows.ts): --to defaults to today in SLATE_TIME_ZONE; the start defaults
 * to the day after the challenger's training ends when it is in the registry (a fixed start, as
 * the verdict's daily-look guarantee needs), else 7 days; never a training day.
 * A system_id that is not the champion, not in the registry and has no graded rows in the window
 * is refused, listing the known ones (a typo never yields an empty report and exit 0).
 */
import { parseFlags, requireDate } from '../args.js';
import type { CliIo } from '../io.js';
import type { CommandHelp } from '../help.js';
import { PwError } from '../../errors.js';
import { CHAMPION_SYSTEM_ID, systemIdSchema } from '../../../config/registry.js';
import { compareModels, formatComparison } from '../../grading/compare.js';
import { comparisonWindow } from '../../lifecycle/windows.js';
import { cliConfig, withStorage, type JobDeps } from '../../jobs/cli-support.js';
import { todayIn } from '../../worker/slate-date.js';
import { DEFAULT_REGISTRY_FILE, loadRegistryFile, requireKnownSystemId } from '../registry-source.js';
import { comparisonJson, emitJson } from '../json.js';

export const help: CommandHelp = {
  usage: 'compare <system_id> [--from YYYY-MM-DD | --days N] [--to YYYY-MM-DD] [--champion catboost_v9] [--json]',
  summary:
    'Challenger vs champion on matched graded rows (same date, game, player and book line) with the one verdict rule; N beside every figure.',
  flags: [
    { flag: '--from <date>', default: "the day after the challenger's training ends (registry; a previous champion's shadow entry: its shadow_from), else --days", text: 'first date of the window' },
    { flag: '--days <n>', default: '7 (when the registry does not know the challenger)', text: 'game dates in the window, ending at --to' },
    { flag: '--to <date>', default: 'today in SLATE_TIME_ZONE', text: 'last date of the window' },
    { flag: '--champion <id>', default: CHAMPION_SYSTEM_ID, text: 'the system compared against' },
    { flag: '--registry-file <path>', default: DEFAULT_REGISTRY_FILE, text: 'known system_ids and training windows' },
    { flag: '--json', text: 'one JSON document (docs/cli-json.md, kind "compare")' },
  ],
  example: 'compare catboost_v9_demo_deep --days 14 --to 2026-12-09',
};

export async function run(argv: string[], io: CliIo, deps: JobDeps = {}): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      days: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      champion: { type: 'string', default: CHAMPION_SYSTEM_ID },
      'registry-file': { type: 'string', default: DEFAULT_REGISTRY_FILE },
      json: { type: 'boolean', default: false },
    },
    true,
  );
  if (positionals.length !== 1) throw new PwError('PW_ERR_CLI_USAGE', undefined, `usage: cli ${help.usage}`);
  const challengerId = positionals[0]!;
  if (!systemIdSchema.safeParse(challengerId).success) throw new PwError('PW_ERR_CLI_USAGE', undefined, `'${challengerId}' is not a system_id`);
  const days = values.days === undefined ? undefined : Number(values.days);
  if (days !== undefined && (!Number.isInteger(days) || days < 1)) throw new PwError('PW_ERR_CLI_USAGE', undefined, `--days must be a positive whole number, got '${values.days}'`);
  const config = deps.config ?? cliConfig(io);
  const toDate = values.to === undefined ? todayIn(config.SLATE_TIME_ZONE, deps.now ?? new Date()) : requireDate(values.to, 'to');
  const fromFlag = values.from === undefined ? undefined : requireDate(values.from, 'from');
  const championId = String(values.champion);
  const registryFile = String(values['registry-file']);
  const { registry } = await loadRegistryFile(io, registryFile);

  // The challenger's training end, when the registry knows it: never compare on training days.
  const entry = registry[challengerId];
  // a previous champion's shadow entry is compared from its promotion day (shadow_from)
  const window = comparisonWindow({ toDate, trainEnd: entry?.train_end, fromDate: fromFlag ?? (days === undefined ? entry?.shadow_from : undefined), days });
  if (!window.ok) throw new PwError('PW_ERR_JOB_INPUT', undefined, `${challengerId} ${window.reason}`);
  const { fromDate } = window;

  const rows = await withStorage(deps, config, (storage) => storage.accuracy.forRange(fromDate, toDate, [challengerId, championId]));
  const stored = new Set(rows.map((r) => r.system_id));
  requireKnownSystemId(challengerId, registry, registryFile, stored);
  requireKnownSystemId(championId, registry, registryFile, stored);
  const comparison = compareModels(rows, { challengerId, championId, fromDate, toDate });
  if (values.json) emitJson(io, 'compare', { ...comparisonJson(comparison), notes: window.notes });
  else io.out([...window.notes.map((n) => `note: ${n}\n`), formatComparison(comparison)].join(''));
  return 0;
}
