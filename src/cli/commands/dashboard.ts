/**
 * @module cli/commands/dashboard
 * `npm run --silent cli -- dashboard [--port 8090] [--host 127.0.0.1] [--from D --to D | --days 30 --to D]`
 * Serves the report's view on a local web page, rebuilt from the configured storage on every
 * load (embedded DuckDB, opened read-only; or BigQuery with Application Default Credentials).
 * `?from=…&to=…` on the URL changes the range. Runs until Ctrl-C.
 */
import { parseFlags } from '../args.js';
import type { CliIo } from '../io.js';
import type { CommandHelp } from '../help.js';
import { PwError } from '../../errors.js';
import { cliConfig, type JobDeps } from '../../jobs/cli-support.js';
import { auditEventSource } from '../../report/events.js';
import { reportRange } from '../../report/range.js';
import { startDashboard } from '../../report/server.js';
import { todayIn } from '../../worker/slate-date.js';
import { CHAMPION_SYSTEM_ID } from '../../../config/registry.js';

/** `--help` (src/cli/help.ts). */
export const help: CommandHelp = {
  usage: 'dashboard [--port 8090] [--host 127.0.0.1] [--from D --to D | --days 30 --to D]',
  summary: "Serves the champion-vs-challengers report on a local web page, rebuilt from storage on every load (?from=…&to=… changes the range). Runs until Ctrl-C.",
  flags: [
    { flag: '--port <n>', default: '8090', text: 'port to listen on' },
    { flag: '--host <addr>', default: '127.0.0.1', text: 'address to bind' },
    { flag: '--from <date>', text: 'first date of the range (with --to)' },
    { flag: '--to <date>', default: 'today in SLATE_TIME_ZONE', text: 'last date of the range' },
    { flag: '--days <n>', default: '30', text: 'instead of --from: the last n days ending --to' },
  ],
  example: 'dashboard --days 14',
};

export async function run(argv: string[], io: CliIo, deps: JobDeps & { until?: Promise<void> } = {}): Promise<number> {
  const { values } = parseFlags(argv, {
    port: { type: 'string', default: '8090' },
    host: { type: 'string', default: '127.0.0.1' },
    from: { type: 'string' },
    to: { type: 'string' },
    days: { type: 'string' },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new PwError('PW_ERR_CLI_USAGE', undefined, `--port must be 0-65535, got '${values.port}'`);
  const config = deps.config ?? cliConfig(io);
  const { fromDate, toDate } = reportRange(values, todayIn(config.SLATE_TIME_ZONE, deps.now ?? new Date()));
  const { openStorage } = await import('../../storage/open.js');
  const storage = deps.storage ?? (await openStorage(config, { readOnly: true }));
  const dashboard = await startDashboard({
    storage,
    championId: CHAMPION_SYSTEM_ID,
    fromDate,
    toDate,
    host: String(values.host),
    port,
    events: auditEventSource(storage.registryEvents, config.SLATE_TIME_ZONE),
  });
  io.out(`${dashboard.url}\n`);
  io.err(`dashboard for ${fromDate}..${toDate} on ${dashboard.url} (data: ${storage.location}); Ctrl-C stops it\n`);
  await (deps.until ??
    new Promise<void>((ok) => {
      process.once('SIGINT', ok);
      process.once('SIGTERM', ok);
    }));
  await dashboard.close();
  if (!deps.storage) await storage.close();
  return 0;
}
