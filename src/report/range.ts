/**
 * @module report/range
 * The date range of the report and dashboard commands: `--from`/`--to`, or `--days N` (default
 * 30) ending on `--to` (default: today in SLATE_TIME_ZONE), by the one window rule.
 */
import { requireDate } from '../cli/args.js';
import { PwError } from '../errors.js';
import { windowStart } from '../monitoring/windows.js';

export const DEFAULT_REPORT_DAYS = 30;

export function reportRange(values: { from?: string | boolean; to?: string | boolean; days?: string | boolean }, today: string): { fromDate: string; toDate: string } {
  const toDate = values.to === undefined ? today : requireDate(values.to, 'to');
  if (values.from !== undefined && values.days !== undefined) throw new PwError('PW_ERR_CLI_USAGE', undefined, 'give --from or --days, not both');
  let fromDate: string;
  if (values.from !== undefined) fromDate = requireDate(values.from, 'from');
  else {
    const days = values.days === undefined ? DEFAULT_REPORT_DAYS : Number(values.days);
    if (!Number.isInteger(days) || days < 1) throw new PwError('PW_ERR_CLI_USAGE', undefined, `--days must be a positive whole number, got '${String(values.days)}'`);
    fromDate = windowStart(toDate, days);
  }
  if (toDate < fromDate) throw new PwError('PW_ERR_CLI_USAGE', undefined, `--to ${toDate} is before --from ${fromDate}`);
  return { fromDate, toDate };
}
