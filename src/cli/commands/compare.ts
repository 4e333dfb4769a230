/**
 * @module cli/commands/compare
 * `npm run --silent cli -- compare <system_id> [--days N] [--to D] [--champion ID]`
 * Challenger vs champion over the N game dates ending at --to (default 7 days ending today, UTC),
 * on matched graded rows (same date, game, player and line). Prints N beside every hit rate.
 */
import { parseFlags, requireDate } from '../args.js';
import type { CliIo } from '../io.js';
import { PwError } from '../../errors.js';
import { CHAMPION_SYSTEM_ID, systemIdSchema } from '../../../config/registry.js';
import { addDays } from '../../jobs/format.js';
import { compareModels, formatComparison } from '../../grading/compare.js';
import { cliConfig, withStorage, type JobDeps } from '../../jobs/cli-support.js';

export async function run(argv: string[], io: CliIo, deps: JobDeps = {}): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { days: { type: 'string', default: '7' }, to: { type: 'string' }, champion: { type: 'string', default: CHAMPION_SYSTEM_ID } },
    true,
  );
  if (positionals.length !== 1) throw new PwError('PW_ERR_CLI_USAGE', undefined, 'usage: compare <system_id> [--days N] [--to YYYY-MM-DD]');
  const challengerId = positionals[0]!;
  if (!systemIdSchema.safeParse(challengerId).success) throw new PwError('PW_ERR_CLI_USAGE', undefined, `'${challengerId}' is not a system_id`);
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1) throw new PwError('PW_ERR_CLI_USAGE', undefined, `--days must be a positive whole number, got '${values.days}'`);
  const toDate = values.to === undefined ? (deps.now ?? new Date()).toISOString().slice(0, 10) : requireDate(values.to, 'to');
  const fromDate = addDays(toDate, -(days - 1));
  const championId = String(values.champion);
  const config = deps.config ?? cliConfig(io);

  const rows = await withStorage(deps, config, (storage) => storage.accuracy.forRange(fromDate, toDate, [challengerId, championId]));
  io.out(formatComparison(compareModels(rows, { challengerId, championId, fromDate, toDate })));
  return 0;
}
