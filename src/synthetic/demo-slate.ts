/**
 * @module synthetic/demo-slate
 * The slate `demo seed --game-date D` and `demo actuals --game-date D` use: day D of a synthetic
 * season that started on the most recent 28-day boundary (counted from 1970-01-01) on or before
 * D. So every date gets its own slate (consecutive dates are consecutive days of one season,
 * same league, evolving form), and seeding, actuals and a re-seed of the same date agree.
 */
import { generateSeason, type Season, type SeasonDay } from './season.js';

export const DEMO_BLOCK_DAYS = 28;
const DAY_MS = 86_400_000;

/** The first date of the 28-day block holding `date`. */
export function demoBlockStart(date: string): string {
  const day = Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
  return new Date((day - (((day % DEMO_BLOCK_DAYS) + DEMO_BLOCK_DAYS) % DEMO_BLOCK_DAYS)) * DAY_MS).toISOString().slice(0, 10);
}

/** Day `date` of the demo season (deterministic for a seed and date). */
export function demoSlate(seed: number, date: string): { season: Season; day: SeasonDay } {
  const start = demoBlockStart(date);
  const offset = Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS);
  const season = generateSeason({ seed, startDate: start, days: offset + 1 });
  return { season, day: season.days[offset]! };
}
