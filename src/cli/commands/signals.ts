/**
 * @module cli/commands/signals
 * `npm run --silent cli -- signals --game-date <D> [--slate-games N]`
 * Computes the date's daily signal for every system present or expected (champion + enabled
 * MONTHLY_MODELS), replaces the date's rows and prints the per-system table.
 */
import { parseFlags, requireDate } from '../args.js';
import type { CliIo } from '../io.js';
import { PwError } from '../../errors.js';
import { formatSignalsSummary, runSignalsJob } from '../../jobs/signals-job.js';
import { cliConfig, expectedSystemIds, withStorage, type JobDeps } from '../../jobs/cli-support.js';

export async function run(argv: string[], io: CliIo, deps: JobDeps = {}): Promise<number> {
  const { values } = parseFlags(argv, { 'game-date': { type: 'string' }, 'slate-games': { type: 'string' } });
  const gameDate = requireDate(values['game-date'], 'game-date');
  let slateGames: number | undefined;
  if (values['slate-games'] !== undefined) {
    slateGames = Number(values['slate-games']);
    if (!Number.isInteger(slateGames) || slateGames < 0) {
      throw new PwError('PW_ERR_CLI_USAGE', undefined, `--slate-games must be a whole number, got '${values['slate-games']}'`);
    }
  }
  const config = deps.config ?? cliConfig(io);
  const result = await withStorage(deps, config, (storage) =>
    runSignalsJob({ storage, gameDate, expectedSystemIds: expectedSystemIds(), now: deps.now ?? new Date(), slateGames }),
  );
  io.out(formatSignalsSummary(result));
  return 0;
}
