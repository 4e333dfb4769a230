/**
 * @module cli/commands/picks
 * `npm run --silent cli -- picks --game-date <D> [--send] [--force]`
 * Champion-only (PRIMARY_ALERT_MODEL) top picks and bias alerts. Without --send it is a dry run
 * that prints what would be sent; with --send it posts to SLACK_WEBHOOK_URL_SIGNALS once per
 * date (a re-run says it was already sent; --force resends).
 */
import { parseFlags, requireDate } from '../args.js';
import type { CliIo } from '../io.js';
import type { CommandHelp } from '../help.js';

export const help: CommandHelp = {
  usage: 'picks --game-date YYYY-MM-DD [--send] [--force]',
  summary: "The champion's (PRIMARY_ALERT_MODEL) top picks and bias alerts. Without --send a dry run; --send posts to SLACK_WEBHOOK_URL_SIGNALS once per date.",
  flags: [
    { flag: '--game-date <date>', text: 'the slate date (required)' },
    { flag: '--send', default: 'off', text: 'post to Slack (once per date)' },
    { flag: '--force', default: 'off', text: 'with --send: post again although already sent' },
  ],
  example: 'picks --game-date 2026-12-01',
};
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
