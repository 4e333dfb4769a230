/**
 * @module worker/slate-date
 * "Today" in the slate's time zone (SLATE_TIME_ZONE, America/New_York by default): a game on
 * 2026-02-10 is still today at 23:30 in New York although UTC has moved on.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws RangeError for an unknown time zone (checked once at boot by the feature-slate plugin). */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  let format = formatters.get(timeZone);
  if (!format) {
    // en-CA formats as YYYY-MM-DD. Built once per zone: constructing it is the costly part.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, format);
  }
  return format.format(now);
}
