/**
 * @module worker/slate-date
 * "Today" in the slate's time zone (SLATE_TIME_ZONE, America/New_York by default): a game on
 * 2026-02-10 is still today at 23:30 in New York although UTC has moved on.
 */
interface ZoneDay {
  format: Intl.DateTimeFormat;
  /** The whole UTC second of the last call (ms / 1000, floored) and its answer. */
  second: number;
  day: string;
}

const zones = new Map<string, ZoneDay>();

/**
 * Throws RangeError for an unknown time zone (checked once at boot by the feature-slate plugin)
 * or an invalid Date. Per zone, the answer for the last whole UTC second is kept (every push
 * asks; Intl formatting was ~5 µs of each push's event-loop time): a zone's UTC offset is always
 * a whole number of seconds (tz database), so its calendar day can only change on a whole second,
 * and two instants in the same second have the same day.
 */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  const second = Math.floor(now.getTime() / 1000);
  let zone = zones.get(timeZone);
  if (zone && zone.second === second) return zone.day;
  if (!zone) {
    // en-CA formats as YYYY-MM-DD. Built once per zone: constructing it is the costly part.
    zone = { format: new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }), second: NaN, day: '' };
    zones.set(timeZone, zone);
  }
  const day = zone.format.format(now);
  zone.second = second;
  zone.day = day;
  return day;
}
