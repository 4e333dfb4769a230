/** `nba_predictions.prediction_accuracy`: one graded row per current prediction per system_id. */
import { col, defineTable, type RowOf } from './define.js';

export const GRADE_OUTCOMES = ['WIN', 'LOSS', 'PUSH', 'VOID', 'NO_BET', 'UNGRADED'] as const;

export const predictionAccuracyTable = defineTable({
  dataset: 'nba_predictions',
  name: 'prediction_accuracy',
  description: 'Graded predictions: errors, margins and the bet outcome. Replaced per game date on re-grade.',
  columns: {
    game_date: col.date('Game date'),
    system_id: col.string('Model identity'),
    model_role: col.string('champion | challenger at prediction time'),
    player_lookup: col.string('Normalised player key'),
    game_id: col.string('Game id'),
    prediction_id: col.string('The graded prediction row'),
    model_sha256: col.string('Model file hash of the graded row'),
    model_version: col.string('Model file stem'),
    recommendation: col.string('OVER/UNDER/PASS/NO_LINE of the graded row'),
    line_value: col.float('Book line').nullable(),
    line_source: col.string('Request line_source').nullable(),
    sportsbook: col.string('Book').nullable(),
    predicted_points: col.float('Prediction'),
    confidence_pct: col.float('Confidence, 0-100'),
    edge: col.float('predicted - line').nullable(),
    actual_points: col.int('Points scored').nullable(),
    minutes_played: col.float('Minutes played').nullable(),
    absolute_error: col.float('|predicted - actual|').nullable(),
    signed_error: col.float('predicted - actual').nullable(),
    within_3_points: col.bool('|error| <= 3').nullable(),
    within_5_points: col.bool('|error| <= 5').nullable(),
    predicted_margin: col.float('predicted - line').nullable(),
    actual_margin: col.float('actual - line').nullable(),
    outcome: col.enum(GRADE_OUTCOMES, 'WIN/LOSS for OVER/UNDER bets, PUSH when actual == line, VOID for DNP, NO_BET for PASS/NO_LINE, UNGRADED when actuals are missing'),
    prediction_correct: col.bool('true WIN, false LOSS, null otherwise').nullable(),
    is_voided: col.bool('Player did not play'),
    void_reason: col.string('Why the row is void').nullable(),
    outcome_reason: col
      .string('Why the outcome is not WIN/LOSS/PUSH, e.g. dnp_no_minutes, recommendation_pass, no_book_line, no_actuals')
      .nullable(),
    graded_at: col.timestamp('When grading ran'),
  },
  key: ['game_date', 'system_id', 'player_lookup', 'game_id'],
  partitionBy: 'game_date',
  requirePartitionFilter: true,
  clusterBy: ['system_id', 'player_lookup'],
});

export type PredictionAccuracyRow = RowOf<typeof predictionAccuracyTable>;
export type GradeOutcome = (typeof GRADE_OUTCOMES)[number];
