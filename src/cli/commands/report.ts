/**
 * @module cli/commands/report
 * `npm run --silent cli -- report --out <file.html> [--from D --to D | --days 30 --to D]`
 * Writes the dashboard's view as one self-contained HTML file (inline SVG charts, no script, no
 * network needed to open it), reading the configured storage (embedded, or BigQuery with
 * Application Default Credentials). Prints the file's path.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseFlags, requireFlag } from '../args.js';
import type { CliIo } from '../io.js';
import type { CommandHelp } from '../help.js';
import { cliConfig, type JobDeps } from '../../jobs/cli-support.js';
import { loadReportData } from '../../report/data.js';
import { auditEventSource } from '../../report/events.js';
import { renderReportHtml } from '../../report/html.js';
import { reportRange } from '../../report/range.js';
import { todayIn } from '../../worker/slate-date.js';
import { CHAMPION_SYSTEM_ID } from '../../../config/registry.js';

/** `--help` (src/cli/help.ts). */
export const help: CommandHelp = {
  usage: 'report --out <file.html> [--from D --to D | --days 30 --to D]',
  summary: "Writes the dashboard's view as one self-contained HTML file (inline SVG charts, no script) and prints its path.",
  flags: [
    { flag: '--out <file.html>', text: 'where to write (required)' },
    { flag: '--from <date>', text: 'first date of the range (with --to)' },
    { flag: '--to <date>', default: 'today in SLATE_TIME_ZONE', text: 'last date of the range' },
    { flag: '--days <n>', default: '30', text: 'instead of --from: the last n days ending --to' },
  ],
  example: 'report --out data/report.html --days 14',
};

export async function run(argv: string[], io: CliIo, deps: JobDeps = {}): Promise<number> {
  const { values } = parseFlags(argv, { out: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, days: { type: 'string' } });
  const out = resolve(io.cwd, requireFlag(values.out, 'out'));
  const config = deps.config ?? cliConfig(io);
  const now = deps.now ?? new Date();
  const { fromDate, toDate } = reportRange(values, todayIn(config.SLATE_TIME_ZONE, now));
  // Read-only: a report never writes, and an embedded file is not locked against other readers.
  const { openStorage } = await import('../../storage/open.js');
  const storage = deps.storage ?? (await openStorage(config, { readOnly: true }));
  let data;
  try {
    data = await loadReportData(storage, { fromDate, toDate, championId: CHAMPION_SYSTEM_ID, now, events: auditEventSource(storage.registryEvents, config.SLATE_TIME_ZONE) });
  } finally {
    if (!deps.storage) await storage.close();
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, renderReportHtml(data));
  io.out(`${out}\n`);
  io.err(`report ${fromDate}..${toDate}: ${data.systems.length} systems, ${data.performance.length} monitor rows\n`);
  return 0;
}
