/**
 * @module cli/commands/monitor
 * `npm run --silent cli -- monitor --game-date <D> [--to <D2>] [--send] [--force]`
 * Computes model_performance_daily for each date in order (states carry from one date to the
 * next; re-running a date replaces its rows) and prints the per-system table of the last date.
 * `--send` posts the champion's state transition to SLACK_WEBHOOK_URL_ALERTS and the digest to
 * SLACK_WEBHOOK_URL_DIGEST (never the picks webhook); `--force` re-sends the digest.
 */
import { parseFlags, requireDate } from '../args.js';
import type { CliIo } from '../io.js';
import type { CommandHelp } from '../help.js';
import { PwError } from '../../errors.js';
import { dateRange } from '../../jobs/format.js';
import { formatMonitorSummary, runMonitorJob, trainingEndsFromRegistry } from '../../jobs/monitor-job.js';
import { cliConfig, expectedSystemIds, withStorage, type JobDeps } from '../../jobs/cli-support.js';
import { DEFAULT_REGISTRY_FILE, loadRegistryFile } from '../registry-source.js';
import { CHAMPION_SYSTEM_ID } from '../../../config/registry.js';

/** `--help` (src/cli/help.ts). */
export const help: CommandHelp = {
  usage: 'monitor --game-date YYYY-MM-DD [--to YYYY-MM-DD] [--registry-file F] [--send] [--force]',
  summary: "Computes model_performance_daily for each date in order and prints the last date's per-system table; --send posts the champion's state transition and the digest.",
  flags: [
    { flag: '--game-date <date>', text: 'first date (required)' },
    { flag: '--to <date>', default: '--game-date', text: 'last date' },
    { flag: '--registry-file <path>', default: DEFAULT_REGISTRY_FILE, text: 'the registry the worker runs: expected systems and training ends (model age)' },
    { flag: '--send', default: 'off', text: 'post to SLACK_WEBHOOK_URL_ALERTS / SLACK_WEBHOOK_URL_DIGEST' },
    { flag: '--force', default: 'off', text: 'with --send: re-send the digest' },
  ],
  example: 'monitor --game-date 2026-12-01 --to 2026-12-07',
};

export async function run(argv: string[], io: CliIo, deps: JobDeps = {}): Promise<number> {
  const { values } = parseFlags(argv, {
    'game-date': { type: 'string' },
    to: { type: 'string' },
    send: { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
    'registry-file': { type: 'string', default: DEFAULT_REGISTRY_FILE },
  });
  const from = requireDate(values['game-date'], 'game-date');
  const to = values.to === undefined ? from : requireDate(values.to, 'to');
  if (to < from) throw new PwError('PW_ERR_CLI_USAGE', undefined, `--to ${to} is before --game-date ${from}`);
  const config = deps.config ?? cliConfig(io);
  const { registry } = await loadRegistryFile(io, String(values['registry-file']));
  const dates = dateRange(from, to);
  await withStorage(deps, config, async (storage) => {
    for (const [i, gameDate] of dates.entries()) {
      const result = await runMonitorJob({
        storage,
        gameDate,
        championSystemId: CHAMPION_SYSTEM_ID,
        expectedSystemIds: expectedSystemIds(registry),
        trainingEndBySystem: trainingEndsFromRegistry(registry),
        now: deps.now ?? new Date(),
        send: values.send === true,
        force: values.force === true,
        alertWebhookUrl: config.SLACK_WEBHOOK_URL_ALERTS,
        digestWebhookUrl: config.SLACK_WEBHOOK_URL_DIGEST,
        picksWebhookUrl: config.SLACK_WEBHOOK_URL_SIGNALS,
        reportUrl: config.REPORT_URL,
      });
      if (i === dates.length - 1) io.out(formatMonitorSummary(result));
      else io.err(`monitored ${gameDate} (${i + 1}/${dates.length}): ${result.rows.map((r) => `${r.system_id} ${r.state}`).join(', ')}\n`);
    }
  });
  return 0;
}
