/**
 * @module cli/commands/signals
 * `npm run --silent cli -- signals --game-date <D> [--slate-games N]`
 * Computes the date's daily signal for every system present or expected (champion + enabled
 * MONTHLY_MODELS), replaces the date's rows and prints the per-system table.
 */
import { parseFlags, requireDate } from '../args.js';
import type { CliIo } from '../io.js';
import type { CommandHelp } from '../help.js';
import { emitJson } from '../json.js';

export const help: CommandHelp = {
  usage: 'signals --game-date YYYY-MM-DD [--slate-games N] [--registry-file F] [--json]',
  summary: "One daily_prediction_signals row per system (GREEN/YELLOW/RED or INSUFFICIENT_DATA); replaces the date's rows.",
  flags: [
    { flag: '--game-date <date>', text: 'the slate date (required)' },
    { flag: '--slate-games <n>', default: "distinct games among the date's predictions", text: 'games on the slate' },
    { flag: '--registry-file <path>', default: DEFAULT_REGISTRY_FILE, text: 'the registry whose enabled entries are expected to have rows' },
    { flag: '--json', text: 'one JSON document (docs/cli-json.md, kind "signals")' },
  ],
  example: 'signals --game-date 2026-12-01',
};
import { PwError } from '../../errors.js';
import { formatSignalsSummary, runSignalsJob } from '../../jobs/signals-job.js';
import { cliConfig, expectedSystemIds, withStorage, type JobDeps } from '../../jobs/cli-support.js';
import { DEFAULT_REGISTRY_FILE, loadRegistryFile } from '../registry-source.js';

export async function run(argv: string[], io: CliIo, deps: JobDeps = {}): Promise<number> {
  const { values } = parseFlags(argv, {
    'game-date': { type: 'string' },
    'slate-games': { type: 'string' },
    'registry-file': { type: 'string', default: DEFAULT_REGISTRY_FILE },
    json: { type: 'boolean', default: false },
  });
  const gameDate = requireDate(values['game-date'], 'game-date');
  let slateGames: number | undefined;
  if (values['slate-games'] !== undefined) {
    slateGames = Number(values['slate-games']);
    if (!Number.isInteger(slateGames) || slateGames < 0) {
      throw new PwError('PW_ERR_CLI_USAGE', undefined, `--slate-games must be a whole number, got '${values['slate-games']}'`);
    }
  }
  const config = deps.config ?? cliConfig(io);
  const { registry } = await loadRegistryFile(io, String(values['registry-file']));
  const result = await withStorage(deps, config, (storage) =>
    runSignalsJob({ storage, gameDate, expectedSystemIds: expectedSystemIds(registry), now: deps.now ?? new Date(), slateGames }),
  );
  if (values.json) emitJson(io, 'signals', { game_date: result.gameDate, slate_games: result.slateGames, systems: result.rows });
  else io.out(formatSignalsSummary(result));
  return 0;
}
