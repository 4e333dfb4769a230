/**
 * @module monitoring/windows
 * The one date-window rule of monitoring and the report: an N-day window ending on `toDate`
 * holds the game dates in [toDate - (N - 1), toDate], both ends included (the rule `compare`
 * uses too: `--days 7 --to D` is D-6..D).
 */
import { addDays } from '../jobs/format.js';

/** First date of the `days`-day window ending on `toDate` (inclusive). Throws a RangeError for days < 1. */
export function windowStart(toDate: string, days: number): string {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`window length must be a positive whole number of days, got ${days}`);
  return addDays(toDate, -(days - 1));
}

/** True when `date` lies in the `days`-day window ending on `toDate`. */
export function inWindow(date: string, toDate: string, days: number): boolean {
  return date >= windowStart(toDate, days) && date <= toDate;
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
