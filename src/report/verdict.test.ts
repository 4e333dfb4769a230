import { describe, expect, it } from 'vitest';
import { verdictAgainstChampion } from './verdict.js';
import { compareModels } from '../grading/compare.js';
import { wilsonInterval } from '../metrics/wilson.js';
import { gradedDay } from '../../test/helpers/monitoring-rows.js';

const D = '2026-02-10';

describe('verdictAgainstChampion (the adapter)', () => {
  it("shows the rule's own verdict, N and Wilson bands of each side on matched rows", () => {
    const rows = [...gradedDay('catboost_v9', D, { wins: 6, losses: 4 }), ...gradedDay('cb_x', D, { wins: 8, losses: 2 })];
    const v = verdictAgainstChampion(rows, { challengerId: 'cb_x', championId: 'catboost_v9', fromDate: D, toDate: D });
    const c = compareModels(rows, { challengerId: 'cb_x', championId: 'catboost_v9', fromDate: D, toDate: D });
    expect(v.label).toBe(c.verdict);
    expect(v.text).toBe(c.verdictText);
    expect(v.matchedRows).toBe(10);
    expect(v.challenger).toMatchObject({ hitRatePct: 80, nDecided: 10, wins: 8 });
    expect(v.challenger.interval).toEqual(wilsonInterval(8, 10));
    expect(v.champion.interval).toEqual(wilsonInterval(6, 10));
    expect(v.diffPp).toBeCloseTo(20, 10);
  });

  it('only rows inside the window count', () => {
    const rows = [...gradedDay('catboost_v9', '2026-02-01', { wins: 5 }), ...gradedDay('cb_x', '2026-02-01', { losses: 5 })];
    const v = verdictAgainstChampion(rows, { challengerId: 'cb_x', championId: 'catboost_v9', fromDate: D, toDate: D });
    expect(v.label).toBe('NO DATA');
    expect(v.matchedRows).toBe(0);
    expect(v.challenger.interval).toBeNull();
  });
});
