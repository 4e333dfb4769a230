/**
 * @module worker/slate-date
 * "Today" in the slate's time zone (SLATE_TIME_ZONE, America/New_York by default): a game on
 * 2026-02-10 is still today at 23:30 in New York although UTC has moved on.
 */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
