/**
 * @module cli/commands/compare
 * `npm run --silent cli -- compare <system_id> [--from D | --days N] [--to D] [--champion ID]
 *    [--registry-file config/monthly-models.ts]`
 * Challenger vs champion on matched graded rows (same date, game, player and line) with the one
 * verdict rule (src/lifecycle/verdict.ts): differences with always-valid day-clustered intervals,
 * N beside every figure, CHALLENGER BETTER / CHAMPION BETTER / NOT YET DECIDED.
 * Window (src/lifecycle/windows.ts): --to defaults to today (UTC); the start defaults to the day
 * after the challenger's training ends when it is in the registry (a fixed start, as the verdict's
 * daily-look guarantee needs), else 7 days; never a training day.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseFlags, requireDate } from '../args.js';
import type { CliIo } from '../io.js';
import { PwError } from '../../errors.js';
import { CHAMPION_SYSTEM_ID, systemIdSchema } from '../../../config/registry.js';
import { compareModels, formatComparison } from '../../grading/compare.js';
import { comparisonWindow } from '../../lifecycle/windows.js';
import { parseRegistryText } from '../../lifecycle/registry-file.js';
import { cliConfig, withStorage, type JobDeps } from '../../jobs/cli-support.js';

export async function run(argv: string[], io: CliIo, deps: JobDeps = {}): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      days: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      champion: { type: 'string', default: CHAMPION_SYSTEM_ID },
      'registry-file': { type: 'string', default: 'config/monthly-models.ts' },
    },
    true,
  );
  if (positionals.length !== 1) throw new PwError('PW_ERR_CLI_USAGE', undefined, 'usage: compare <system_id> [--from YYYY-MM-DD | --days N] [--to YYYY-MM-DD]');
  const challengerId = positionals[0]!;
  if (!systemIdSchema.safeParse(challengerId).success) throw new PwError('PW_ERR_CLI_USAGE', undefined, `'${challengerId}' is not a system_id`);
  const days = values.days === undefined ? undefined : Number(values.days);
  if (days !== undefined && (!Number.isInteger(days) || days < 1)) throw new PwError('PW_ERR_CLI_USAGE', undefined, `--days must be a positive whole number, got '${values.days}'`);
  const toDate = values.to === undefined ? (deps.now ?? new Date()).toISOString().slice(0, 10) : requireDate(values.to, 'to');
  const fromFlag = values.from === undefined ? undefined : requireDate(values.from, 'from');
  const championId = String(values.champion);
  const config = deps.config ?? cliConfig(io);

  // The challenger's training end, when the registry knows it: never compare on training days.
  const registryText = await readFile(resolve(io.cwd, String(values['registry-file'])), 'utf8').catch(() => undefined);
  const entry = registryText === undefined ? undefined : parseRegistryText(registryText)[challengerId];
  // a previous champion's shadow entry is compared from its promotion day (shadow_from)
  const window = comparisonWindow({ toDate, trainEnd: entry?.train_end, fromDate: fromFlag ?? (days === undefined ? entry?.shadow_from : undefined), days });
  if (!window.ok) throw new PwError('PW_ERR_JOB_INPUT', undefined, `${challengerId} ${window.reason}`);
  const { fromDate } = window;

  const rows = await withStorage(deps, config, (storage) => storage.accuracy.forRange(fromDate, toDate, [challengerId, championId]));
  io.out([...window.notes.map((n) => `note: ${n}\n`), formatComparison(compareModels(rows, { challengerId, championId, fromDate, toDate }))].join(''));
  return 0;
}
