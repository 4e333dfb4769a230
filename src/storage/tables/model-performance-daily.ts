/**
 * `nba_predictions.model_performance_daily`: one row per game date and system_id, written by the
 * monitor job (src/jobs/monitor-job.ts) from graded rows through the one metrics module, the
 * date's current predictions and request outcomes (coverage). Replaced per date on re-run.
 * Rules (windows, states, coverage) are documented in src/monitoring/ and docs/monitoring.md.
 */
import { col, defineTable, type RowOf } from './define.js';

export const MODEL_STATES = ['INSUFFICIENT_DATA', 'HEALTHY', 'WATCH', 'DEGRADING', 'BLOCKED'] as const;
export const STATE_ACTIONS = ['NO_CHANGE', 'DEGRADED', 'RECOVERED'] as const;
export const COVERAGE_STATUSES = ['OK', 'STARVED', 'MISSING', 'UNEXPECTED', 'NO_SLATE'] as const;

export const modelPerformanceDailyTable = defineTable({
  dataset: 'nba_predictions',
  name: 'model_performance_daily',
  description: 'Per system and game date: daily and rolling graded performance, state with transitions, coverage, model age.',
  columns: {
    game_date: col.date('Game date'),
    system_id: col.string('Model identity'),
    model_role: col.string('champion | challenger'),
    // --- the day, all bets (OVER/UNDER with a real line)
    bets: col.int('Bets graded this day: WIN + LOSS + PUSH + VOID'),
    wins: col.int('WIN bets'),
    losses: col.int('LOSS bets'),
    pushes: col.int('PUSH bets'),
    voids: col.int('VOID bets (player did not play)'),
    hit_rate_pct: col.float('wins / (wins + losses) * 100; null without a decided bet').nullable(),
    mae_points: col.float('Mean |predicted - actual| over rows whose player played').nullable(),
    pvl_points: col.float('Mean predicted - line over rows with a real book line').nullable(),
    units_won: col.float('Units won staking 1 per bet at -110 (metrics.unitsWon)'),
    edge3_wins: col.int('WIN bets with |edge| >= 3 this day'),
    edge3_losses: col.int('LOSS bets with |edge| >= 3 this day'),
    // --- rolling windows at |edge| >= 3 (game dates in [date - (days - 1), date])
    rolling_7d_wins: col.int('Edge-3+ wins over 7 days'),
    rolling_7d_n: col.int('Edge-3+ decided bets over 7 days'),
    rolling_7d_hit_rate_pct: col.float('Edge-3+ hit rate over 7 days').nullable(),
    rolling_14d_wins: col.int('Edge-3+ wins over 14 days'),
    rolling_14d_n: col.int('Edge-3+ decided bets over 14 days'),
    rolling_14d_hit_rate_pct: col.float('Edge-3+ hit rate over 14 days (the state basis)').nullable(),
    rolling_30d_wins: col.int('Edge-3+ wins over 30 days'),
    rolling_30d_n: col.int('Edge-3+ decided bets over 30 days'),
    rolling_30d_hit_rate_pct: col.float('Edge-3+ hit rate over 30 days').nullable(),
    // --- state
    state: col.enum(MODEL_STATES, 'State after this day'),
    previous_state: col.enum(MODEL_STATES, 'State the day before').nullable(),
    action: col.enum(STATE_ACTIONS, 'Transition from previous_state'),
    days_in_state: col.int('Consecutive days in `state`, this day included'),
    days_below_watch: col.int('Consecutive days with the basis hit rate < the WATCH threshold'),
    days_below_degrading: col.int('Consecutive days with the basis hit rate < the DEGRADING threshold'),
    days_below_breakeven: col.int('Consecutive days with the basis hit rate < breakeven'),
    days_at_or_above_watch: col.int('Consecutive days with the basis hit rate >= the WATCH threshold'),
    days_at_or_above_degrading: col.int('Consecutive days with the basis hit rate >= the DEGRADING threshold'),
    days_at_or_above_breakeven: col.int('Consecutive days with the basis hit rate >= breakeven'),
    // --- coverage
    predicted_rows: col.int('Current prediction rows this system produced for the date'),
    champion_rows: col.int("The champion's current prediction rows for the date"),
    failed_requests: col.int('Messages on which this system failed (request outcomes)'),
    coverage_status: col.enum(COVERAGE_STATUSES, 'Coverage against the champion'),
    // --- model age
    training_end_date: col.date('Last training date, when known').nullable(),
    days_since_training: col.int('game_date - training_end_date, days').nullable(),
    calculated_at: col.timestamp('When the row was computed'),
  },
  key: ['game_date', 'system_id'],
  partitionBy: 'game_date',
  clusterBy: ['system_id'],
});

export type ModelPerformanceDailyRow = RowOf<typeof modelPerformanceDailyTable>;
export type ModelState = (typeof MODEL_STATES)[number];
export type StateAction = (typeof STATE_ACTIONS)[number];
export type CoverageStatus = (typeof COVERAGE_STATUSES)[number];
