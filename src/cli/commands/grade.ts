/**
 * @module cli/commands/grade
 * `npm run --silent cli -- grade --game-date <D> [--to <D2>]`
 * Grades every system for each date (re-running replaces the date's rows) and prints one
 * per-system table over the whole range, champion first. Progress for ranges goes to stderr.
 */
import { parseFlags, requireDate } from '../args.js';
import type { CliIo } from '../io.js';
import type { CommandHelp } from '../help.js';
import { emitJson } from '../json.js';

export const help: CommandHelp = {
  usage: 'grade --game-date YYYY-MM-DD [--to YYYY-MM-DD] [--json]',
  summary: "Grades every system for each date (re-running replaces the date's rows); one per-system table, champion first.",
  flags: [
    { flag: '--game-date <date>', text: 'first date to grade (required)' },
    { flag: '--to <date>', default: '--game-date', text: 'last date to grade' },
    { flag: '--json', text: 'one JSON document (docs/cli-json.md, kind "grade")' },
  ],
  example: 'grade --game-date 2026-12-01 --to 2026-12-07',
};

/** The documented JSON shape of a grade result (kind "grade"). */
export function gradeJson(r: GradeJobResult, from: string, to: string): Record<string, unknown> {
  return {
    from_date: from,
    to_date: to,
    graded_at: r.gradedAt,
    predictions: r.predictions,
    actuals: r.actuals,
    rows_written: r.rowsWritten,
    ungraded: r.ungraded,
    systems: r.bySystem.map((s) => ({ system_id: s.system_id, model_role: s.model_role, metrics: s.metrics })),
  };
}
import { PwError } from '../../errors.js';
import { dateRange } from '../../jobs/format.js';
import { formatGradeSummary, runGradeJob, summarizeBySystem, type GradeJobResult } from '../../jobs/grade-job.js';
import { cliConfig, withStorage, type JobDeps } from '../../jobs/cli-support.js';

export async function run(argv: string[], io: CliIo, deps: JobDeps = {}): Promise<number> {
  const { values } = parseFlags(argv, { 'game-date': { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean', default: false } });
  const from = requireDate(values['game-date'], 'game-date');
  const to = values.to === undefined ? from : requireDate(values.to, 'to');
  if (to < from) throw new PwError('PW_ERR_CLI_USAGE', undefined, `--to ${to} is before --game-date ${from}`);
  const config = deps.config ?? cliConfig(io);
  const dates = dateRange(from, to);

  await withStorage(deps, config, async (storage) => {
    const results: GradeJobResult[] = [];
    for (const [i, gameDate] of dates.entries()) {
      const r = await runGradeJob({ storage, gameDate, now: deps.now ?? new Date() });
      results.push(r);
      if (dates.length > 1) io.err(`graded ${gameDate} (${i + 1}/${dates.length}): ${r.rowsWritten} rows, ${r.ungraded} ungraded\n`);
    }
    if (dates.length === 1) {
      if (values.json) emitJson(io, 'grade', gradeJson(results[0]!, from, to));
      else io.out(formatGradeSummary(results[0]!));
      return;
    }
    const rows = await storage.accuracy.forRange(from, to);
    const total: GradeJobResult = {
      gameDate: `${from}..${to}`,
      gradedAt: results.at(-1)!.gradedAt,
      predictions: results.reduce((s, r) => s + r.predictions, 0),
      actuals: results.reduce((s, r) => s + r.actuals, 0),
      rowsWritten: rows.length,
      ungraded: results.reduce((s, r) => s + r.ungraded, 0),
      bySystem: summarizeBySystem(rows),
    };
    if (values.json) emitJson(io, 'grade', gradeJson(total, from, to));
    else io.out(formatGradeSummary(total));
  });
  return 0;
}
