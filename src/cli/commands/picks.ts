/**
 * @module cli/commands/picks
 * `npm run --silent cli -- picks --game-date <D> [--send] [--force]`
 * Champion-only (PRIMARY_ALERT_MODEL) top picks and bias alerts. Without --send it is a dry run
 * that prints what would be sent; with --send it posts to SLACK_WEBHOOK_URL_SIGNALS once per
 * date (a re-run says it was already sent; --force resends).
 */
import { parseFlags, requireDate } from '../args.js';
import type { CliIo } from '../io.js';
import { formatPicksSummary, runPicksJob } from '../../jobs/picks-job.js';
import { cliConfig, withStorage, type JobDeps } from '../../jobs/cli-support.js';

export async function run(argv: string[], io: CliIo, deps: JobDeps = {}): Promise<number> {
  const { values } = parseFlags(argv, {
    'game-date': { type: 'string' },
    send: { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
  });
  const gameDate = requireDate(values['game-date'], 'game-date');
  const config = deps.config ?? cliConfig(io);
  const result = await withStorage(deps, config, (storage) =>
    runPicksJob({
      storage,
      gameDate,
      primarySystemId: config.PRIMARY_ALERT_MODEL,
      webhookUrl: config.SLACK_WEBHOOK_URL_SIGNALS,
      send: values.send === true,
      force: values.force === true,
      now: deps.now ?? new Date(),
    }),
  );
  io.out(formatPicksSummary(result));
  return 0;
}
