import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { calendarDate, predictionRequestSchema } from './request.js';
import { isRealCalendarDay } from '../storage/tables/define.js';

const base = { player_lookup: 'lebronjames', game_date: '2026-02-10', game_id: '20260210_LAL_BOS' };

describe('prediction request: a claimed book line must be present', () => {
  it('refuses has_prop_line true with no line at all (the row would contradict itself)', () => {
    for (const claim of [{ line_values: [] }, { line_values: [null] }, { actual_prop_line: null, line_source: 'ACTUAL_PROP' }, {}]) {
      const parsed = predictionRequestSchema.safeParse({ ...base, has_prop_line: true, ...claim });
      expect(parsed.success, JSON.stringify(claim)).toBe(false);
      expect(parsed.error!.issues[0]!.path).toEqual(['has_prop_line']);
    }
  });

  it('accepts a claimed line given either way, and no claim without a line', () => {
    expect(predictionRequestSchema.safeParse({ ...base, has_prop_line: true, actual_prop_line: 22.5, line_source: 'ACTUAL_PROP' }).success).toBe(true);
    expect(predictionRequestSchema.safeParse({ ...base, has_prop_line: true, line_values: [null, 21.5] }).success).toBe(true);
    expect(predictionRequestSchema.safeParse({ ...base, has_prop_line: false, line_values: [] }).success).toBe(true);
    expect(predictionRequestSchema.safeParse(base).success).toBe(true);
  });
});

describe('calendar dates', () => {
  /** The definition: a Date at that UTC midnight exists and prints back as the same day. */
  const viaDate = (s: string) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  };
  const pad = (n: number, w: number) => String(n).padStart(w, '0');

  it('isRealCalendarDay agrees with the Date round trip for every month 00-13 and day 00-32', () => {
    let real = 0;
    for (const year of [0, 4, 100, 400, 1900, 1999, 2000, 2023, 2024, 2025, 2026, 2100, 2400, 9999]) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) {
          const s = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
          expect([s, isRealCalendarDay(s)]).toEqual([s, viaDate(s)]);
          if (viaDate(s)) real++;
        }
      }
    }
    expect(real).toBe(14 * 365 + 6); // six leap years in the list: 0, 4, 400, 2000, 2024, 2400
  });

  it('calendarDate reports the same issues as the Date round trip for any string', () => {
    const reference = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD').refine(viaDate, 'not a real calendar date');
    const odd = ['2026-02-10x', ' 2026-02-10', '+010000-01', '-000001-01', '+275760-09-13', '2026-02', '2026', 'abc', '', '2026-02-10T00:00:00Z', '2026/02/10', '２０２６-02-10'];
    for (const s of odd) {
      const issues = (r: { error?: { issues: Array<{ message: string }> } }) => r.error?.issues.map((i) => i.message);
      expect([s, issues(calendarDate.safeParse(s))]).toEqual([s, issues(reference.safeParse(s))]);
    }
  });

  it('calendarDate keeps its messages', () => {
    expect(calendarDate.safeParse('2026-02-30').error!.issues[0]!.message).toBe('not a real calendar date');
    expect(calendarDate.safeParse('2026-2-3').error!.issues[0]!.message).toBe('expected YYYY-MM-DD');
    expect(calendarDate.safeParse('2024-02-29').success).toBe(true);
  });
});
