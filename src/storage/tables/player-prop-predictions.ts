/**
 * `nba_predictions.player_prop_predictions`: one row per (message, system_id). Append-only;
 * `prediction_id` = hash(message_id, payload_digest, system_id) so a redelivered message maps to the
 * same rows and another payload reusing the message id never overwrites them.
 * The current row per (game_date, game_id, player_lookup, system_id) is decided by one rule,
 * in storage (`currentPredictions`): latest `request_published_at`, then largest `prediction_id`.
 */
import { col, defineTable, type RowOf } from './define.js';

export const RECOMMENDATIONS = ['OVER', 'UNDER', 'PASS', 'NO_LINE'] as const;
export const MODEL_ROLES = ['champion', 'challenger'] as const;
export const LINE_PROVENANCE = ['actual_prop_line', 'line_values_median', 'none'] as const;
export const VEGAS_SOURCES = ['request_line', 'feature_store', 'none'] as const;

export const playerPropPredictionsTable = defineTable({
  dataset: 'nba_predictions',
  name: 'player_prop_predictions',
  description: 'Every model prediction, one row per Pub/Sub message and system_id.',
  columns: {
    prediction_id: col.string('Deterministic id: sha256(message_id, payload_digest, system_id), 32 hex'),
    system_id: col.string('Model identity: catboost_v9 for the champion, the MONTHLY_MODELS key for a challenger'),
    model_role: col.enum(MODEL_ROLES, 'Champion rows alone are user-facing'),
    player_lookup: col.string('Normalised player key'),
    game_id: col.string('Game id'),
    game_date: col.date('Game date'),
    predicted_points: col.float('Model output (CatBoost RawFormulaVal), clamped to [0, 60]'),
    raw_prediction: col.float('Unclamped model output'),
    line_value: col.float('The book line the recommendation and edge use; null when no real book line').nullable(),
    line_provenance: col.enum(LINE_PROVENANCE, 'Where line_value came from in the request'),
    has_prop_line: col.bool('True only when line_value is a real sportsbook line'),
    line_source: col.string('Request line_source, e.g. ACTUAL_PROP / NO_PROP_LINE').nullable(),
    line_source_api: col.string('Request line_source_api, e.g. ODDS_API').nullable(),
    sportsbook: col.string('Upper-case book, e.g. DRAFTKINGS').nullable(),
    was_line_fallback: col.bool('Book other than the preferred one').nullable(),
    edge: col.float('predicted_points - line_value; null without a line').nullable(),
    recommendation: col.enum(RECOMMENDATIONS, 'OVER/UNDER when |edge| >= threshold, PASS below, NO_LINE without a real book line'),
    confidence_pct: col.float('Confidence on a 0-100 scale'),
    vegas_source: col.enum(VEGAS_SOURCES, 'Which source set the Vegas features the model saw'),
    missing_critical_features: col.strings('Critical features that were missing or defaulted (non-empty = flagged row)'),
    defaulted_features: col.strings('Features filled from the defaults table'),
    features_snapshot: col.json('All model inputs after the line override, by name (null = NaN), plus provenance'),
    feature_version: col.string('Feature-store feature_version'),
    feature_quality_score: col.float('Feature-store quality score, 0-100').nullable(),
    model_path: col.string('Where the model file came from (gs:// or local)'),
    model_sha256: col.string('Full SHA-256 of the model file (64 hex)'),
    model_version: col.string('Model file stem'),
    model_format: col.string('cbm | json | onnx'),
    build_commit: col.string('BUILD_COMMIT of the worker that wrote the row'),
    message_id: col.string('Pub/Sub messageId'),
    request_published_at: col.timestamp('Pub/Sub publishTime of the request'),
    prediction_run_mode: col.string('Request prediction_run_mode').nullable(),
    created_at: col.timestamp('When the worker made the prediction'),
  },
  key: ['prediction_id'],
  partitionBy: 'game_date',
  requirePartitionFilter: true,
  clusterBy: ['system_id', 'player_lookup'],
});

export type PredictionRow = RowOf<typeof playerPropPredictionsTable>;
export type Recommendation = (typeof RECOMMENDATIONS)[number];
export type ModelRole = (typeof MODEL_ROLES)[number];
