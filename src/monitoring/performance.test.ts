import { describe, expect, it } from 'vitest';
import { computePerformanceDaily } from './performance.js';
import { computeCoverage } from './coverage.js';
import { computeMetrics, unitsWon } from '../metrics/metrics.js';
import { addDays } from '../jobs/format.js';
import { gradedDay, outcomeRow, predictionRows } from '../../test/helpers/monitoring-rows.js';
import { modelPerformanceDailyTable } from '../storage/tables/model-performance-daily.js';

const D = '2026-02-10';
const CHAMP = 'catboost_v9';
const AT = '2026-02-11T10:00:00.000Z';

function coverageFor(ids: string[], rows = 20) {
  return computeCoverage({
    gameDate: D,
    championSystemId: CHAMP,
    expectedSystemIds: ids,
    predictions: ids.flatMap((id) => predictionRows(id, D, rows)),
    outcomes: [outcomeRow(D, 'm1', ids)],
  });
}

describe('computePerformanceDaily', () => {
  it('daily numbers are the metrics module\'s, units at -110, rows valid', () => {
    const today = gradedDay(CHAMP, D, { wins: 7, losses: 4, pushes: 1, voids: 1, passes: 3, edge3Wins: 2, edge3Losses: 1 });
    const [row] = computePerformanceDaily({ gameDate: D, championSystemId: CHAMP, graded: today, previous: [], coverage: coverageFor([CHAMP]), calculatedAt: AT });
    const m = computeMetrics(today);
    expect(() => modelPerformanceDailyTable.rowSchema.parse(row)).not.toThrow();
    expect(row).toMatchObject({
      bets: 13,
      wins: 7,
      losses: 4,
      pushes: 1,
      voids: 1,
      hit_rate_pct: m.all.hit_rate_pct,
      mae_points: m.mae_points,
      pvl_points: m.mean_pvl_points,
      edge3_wins: 2,
      edge3_losses: 1,
    });
    expect(row!.units_won).toBeCloseTo(7 * (100 / 110) - 4, 10);
    expect(row!.units_won).toBe(unitsWon(m.all));
  });

  it('rolling windows include the date and N-1 days before it, not the Nth', () => {
    const graded = [
      ...gradedDay(CHAMP, D, { wins: 1, edge3Wins: 1 }),
      ...gradedDay(CHAMP, addDays(D, -6), { wins: 1, edge3Wins: 1 }), // in 7d
      ...gradedDay(CHAMP, addDays(D, -7), { losses: 1, edge3Losses: 1 }), // 14d only
      ...gradedDay(CHAMP, addDays(D, -13), { losses: 1, edge3Losses: 1 }), // 14d
      ...gradedDay(CHAMP, addDays(D, -14), { wins: 1, edge3Wins: 1 }), // 30d only
      ...gradedDay(CHAMP, addDays(D, -29), { wins: 1, edge3Wins: 1 }), // 30d
      ...gradedDay(CHAMP, addDays(D, -30), { losses: 5, edge3Losses: 5 }), // outside
      ...gradedDay(CHAMP, addDays(D, 1), { losses: 5, edge3Losses: 5 }), // the future: outside
      ...gradedDay(CHAMP, D, { wins: 3 }).map((r) => ({ ...r, player_lookup: `low${r.player_lookup}` })), // edge < 3
    ];
    const [row] = computePerformanceDaily({ gameDate: D, championSystemId: CHAMP, graded, previous: [], coverage: coverageFor([CHAMP]), calculatedAt: AT });
    expect(row).toMatchObject({ rolling_7d_wins: 2, rolling_7d_n: 2, rolling_7d_hit_rate_pct: 100 });
    expect(row).toMatchObject({ rolling_14d_wins: 2, rolling_14d_n: 4, rolling_14d_hit_rate_pct: 50 });
    expect(row).toMatchObject({ rolling_30d_wins: 4, rolling_30d_n: 6 });
    expect(row!.wins).toBe(4);
  });

  it("state carries over from yesterday's row and recovers; counters move", () => {
    const good = (date: string) => gradedDay(CHAMP, date, { wins: 30, losses: 10, edge3Wins: 30, edge3Losses: 10 }); // 75 % on 40
    const graded = [...good(addDays(D, -1)), ...good(D)];
    const cov = coverageFor([CHAMP]);
    // yesterday: the rate was >= 58 (counter 1) while the model was BLOCKED
    const yesterday = computePerformanceDaily({ gameDate: addDays(D, -1), championSystemId: CHAMP, graded, previous: [], coverage: cov, calculatedAt: AT }).map(
      (r) => ({ ...r, state: 'BLOCKED' as const, days_in_state: 4 }),
    );
    expect(yesterday[0]!.days_at_or_above_watch).toBe(1);
    const [row] = computePerformanceDaily({ gameDate: D, championSystemId: CHAMP, graded, previous: yesterday, coverage: cov, calculatedAt: AT });
    expect(row).toMatchObject({ previous_state: 'BLOCKED', state: 'HEALTHY', action: 'RECOVERED', days_in_state: 1, days_at_or_above_watch: 2 });
  });

  it('a starved or missing challenger still gets a row with its coverage, and model age from its training end', () => {
    const cov = computeCoverage({
      gameDate: D,
      championSystemId: CHAMP,
      expectedSystemIds: [CHAMP, 'cb_starved', 'cb_never'],
      predictions: [...predictionRows(CHAMP, D, 40), ...predictionRows('cb_starved', D, 10)],
      outcomes: [outcomeRow(D, 'm1', [CHAMP, 'cb_starved'])],
    });
    const rows = computePerformanceDaily({
      gameDate: D,
      championSystemId: CHAMP,
      graded: gradedDay(CHAMP, D, { wins: 1 }),
      previous: [],
      coverage: cov,
      trainingEndBySystem: { cb_starved: '2026-01-31' },
      calculatedAt: AT,
    });
    expect(rows.map((r) => [r.system_id, r.coverage_status, r.predicted_rows, r.champion_rows])).toEqual([
      [CHAMP, 'OK', 40, 40],
      ['cb_never', 'MISSING', 0, 40],
      ['cb_starved', 'STARVED', 10, 40],
    ]);
    expect(rows[2]).toMatchObject({ training_end_date: '2026-01-31', days_since_training: 10, state: 'INSUFFICIENT_DATA', bets: 0, hit_rate_pct: null });
    expect(rows[0]!.days_since_training).toBeNull();
  });
});
