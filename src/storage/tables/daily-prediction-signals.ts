/** `nba_predictions.daily_prediction_signals`: one row per game date and system_id. */
import { col, defineTable, type RowOf } from './define.js';

export const DAILY_SIGNALS = ['GREEN', 'YELLOW', 'RED', 'INSUFFICIENT_DATA'] as const;

export const dailyPredictionSignalsTable = defineTable({
  dataset: 'nba_predictions',
  name: 'daily_prediction_signals',
  description: "A per-date, per-system summary of a model's slate and its traffic light.",
  columns: {
    game_date: col.date('Game date'),
    system_id: col.string('Model identity'),
    model_role: col.string('champion | challenger'),
    total_picks: col.int('Current rows with a real book line'),
    over_count: col.int('OVER rows'),
    under_count: col.int('UNDER rows'),
    pass_count: col.int('PASS rows'),
    high_edge_picks: col.int('Rows with |edge| >= 5'),
    edge_3plus_picks: col.int('Rows with |edge| >= 3'),
    pct_over: col.float('OVER share of the bets (over_count + under_count), 0-100'),
    pct_under: col.float('UNDER share of the bets (over_count + under_count), 0-100'),
    avg_confidence_pct: col.float('Mean confidence, 0-100').nullable(),
    avg_abs_edge: col.float('Mean |edge|').nullable(),
    avg_pvl: col.float('Mean predicted - line').nullable(),
    slate_games: col.int('Games on the slate'),
    skew_category: col.string('UNDER_HEAVY | OVER_HEAVY | BALANCED | NONE'),
    volume_category: col.string('LOW | NORMAL | HIGH | NONE'),
    daily_signal: col.enum(DAILY_SIGNALS, 'Traffic light'),
    signal_explanation: col.string('Which rule matched and why'),
    calculated_at: col.timestamp('When the signal was computed'),
  },
  key: ['game_date', 'system_id'],
  partitionBy: 'game_date',
  requirePartitionFilter: true,
});

export type DailySignalRow = RowOf<typeof dailyPredictionSignalsTable>;
