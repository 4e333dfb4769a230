import { describe, expect, it } from 'vitest';
import { verdictAgainstChampion } from './verdict.js';
import { compareModels } from '../grading/compare.js';
import { wilsonInterval } from '../metrics/wilson.js';
import { dateRange } from '../jobs/format.js';
import { gradedDay } from '../../test/helpers/monitoring-rows.js';

const D = '2026-02-10';

describe('verdictAgainstChampion (the adapter to lifecycle/verdict)', () => {
  it("shows the rule's own label, difference interval and N, with Wilson bands of each side", () => {
    const dates = dateRange('2026-02-01', '2026-02-10');
    const rows = dates.flatMap((d, i) => [
      ...gradedDay('catboost_v9', d, { wins: 10 + (i % 3), losses: 10 }),
      ...gradedDay('cb_x', d, { wins: 16 + (i % 2), losses: 4 + (i % 3) }),
    ]);
    const v = verdictAgainstChampion(rows, { challengerId: 'cb_x', championId: 'catboost_v9', fromDate: dates[0]!, toDate: dates.at(-1)! });
    const d = compareModels(rows, { challengerId: 'cb_x', championId: 'catboost_v9', fromDate: dates[0]!, toDate: dates.at(-1)! }).decision;
    expect(v.label).toBe(d.verdict);
    expect(v.text).toBe(`${d.verdict}: ${d.reason}`);
    expect(v.gameDays).toBe(10);
    expect(v.diffIntervalPp).toEqual({ lowPp: d.hitRate.diffPp!.lower, highPp: d.hitRate.diffPp!.upper });
    expect(v.diffPp).toBe(d.hitRate.diffPp!.estimate);
    expect(v.challenger).toMatchObject({ wins: d.hitRate.challenger.wins, nDecided: d.hitRate.challenger.n });
    expect(v.challenger.interval).toEqual(wilsonInterval(d.hitRate.challenger.wins, d.hitRate.challenger.n));
    expect(v.rule).toContain('lifecycle/verdict');
  });

  it('only rows inside the window count; without matched rows there is no interval', () => {
    const rows = [...gradedDay('catboost_v9', '2026-02-01', { wins: 5 }), ...gradedDay('cb_x', '2026-02-01', { losses: 5 })];
    const v = verdictAgainstChampion(rows, { challengerId: 'cb_x', championId: 'catboost_v9', fromDate: D, toDate: D });
    expect(v.label).toBe('NOT YET DECIDED');
    expect(v.matchedRows).toBe(0);
    expect(v.challenger.interval).toBeNull();
    expect(v.diffIntervalPp).toBeNull();
  });
});
