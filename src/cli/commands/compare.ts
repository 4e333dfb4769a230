/**
 * @module cli/commands/compare
 * `npm run --silent cli -- compare <system_id> [--days N] [--to D] [--champion ID] [--json]`
 * Challenger vs champion over the N game dates ending at --to (default: 7 days ending today in
 * SLATE_TIME_ZONE), on matched graded rows (same date, game, player and line). Prints N beside
 * every hit rate. A system_id that is not the champion, not in the registry and has no graded rows
 * in the window is refused, listing the known ones.
 */
import { parseFlags, requireDate } from '../args.js';
import type { CliIo } from '../io.js';
import type { CommandHelp } from '../help.js';
import { PwError } from '../../errors.js';
import { CHAMPION_SYSTEM_ID, systemIdSchema } from '../../../config/registry.js';
import { addDays } from '../../jobs/format.js';
import { compareModels, formatComparison } from '../../grading/compare.js';
import { cliConfig, withStorage, type JobDeps } from '../../jobs/cli-support.js';
import { todayIn } from '../../worker/slate-date.js';
import { DEFAULT_REGISTRY_FILE, loadRegistryFile, requireKnownSystemId } from '../registry-source.js';
import { comparisonJson, emitJson } from '../json.js';

export const help: CommandHelp = {
  usage: 'compare <system_id> [--days 7] [--to YYYY-MM-DD] [--champion catboost_v9] [--json]',
  summary: 'Challenger vs champion on matched graded rows (same date, game, player and book line); N beside every hit rate.',
  flags: [
    { flag: '--days <n>', default: '7', text: 'game dates in the window, ending at --to' },
    { flag: '--to <date>', default: 'today in SLATE_TIME_ZONE', text: 'last date of the window' },
    { flag: '--champion <id>', default: CHAMPION_SYSTEM_ID, text: 'the system compared against' },
    { flag: '--registry-file <path>', default: DEFAULT_REGISTRY_FILE, text: 'where known system_ids are listed' },
    { flag: '--json', text: 'one JSON document (docs/cli-json.md, kind "compare")' },
  ],
  example: 'compare catboost_v9_demo_deep --days 14 --to 2026-12-09',
};

export async function run(argv: string[], io: CliIo, deps: JobDeps = {}): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      days: { type: 'string', default: '7' },
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
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1) throw new PwError('PW_ERR_CLI_USAGE', undefined, `--days must be a positive whole number, got '${values.days}'`);
  const config = deps.config ?? cliConfig(io);
  const toDate = values.to === undefined ? todayIn(config.SLATE_TIME_ZONE, deps.now ?? new Date()) : requireDate(values.to, 'to');
  const fromDate = addDays(toDate, -(days - 1));
  const championId = String(values.champion);
  const registryFile = String(values['registry-file']);
  const { registry } = await loadRegistryFile(io, registryFile);

  const rows = await withStorage(deps, config, (storage) => storage.accuracy.forRange(fromDate, toDate, [challengerId, championId]));
  const stored = new Set(rows.map((r) => r.system_id));
  requireKnownSystemId(challengerId, registry, registryFile, stored);
  requireKnownSystemId(championId, registry, registryFile, stored);
  const comparison = compareModels(rows, { challengerId, championId, fromDate, toDate });
  if (values.json) emitJson(io, 'compare', comparisonJson(comparison));
  else io.out(formatComparison(comparison));
  return 0;
}
