/**
 * Row builders for post-game tests (grading, signals, picks, jobs): a valid row with sensible
 * defaults, overridden field by field. Edge and recommendation follow predicted/line unless given.
 */
import type { PredictionRow } from '../../src/storage/tables/player-prop-predictions.js';
import type { PlayerGameSummaryRow } from '../../src/storage/tables/player-game-summary.js';
import { playerPropPredictionsTable } from '../../src/storage/tables/player-prop-predictions.js';
import { edgePoints } from '../../src/metrics/metrics.js';

export const GAME_DATE = '2026-02-10';

export function predictionRow(over: Partial<PredictionRow> = {}): PredictionRow {
  const system_id = over.system_id ?? 'catboost_v9';
  const player_lookup = over.player_lookup ?? 'lebronjames';
  const predicted_points = over.predicted_points ?? 27.5;
  const noLine = over.line_value === null || over.has_prop_line === false;
  const line_value = over.line_value === undefined ? (noLine ? null : 24.5) : over.line_value;
  const has_prop_line = over.has_prop_line ?? line_value !== null;
  const edge = edgePoints(predicted_points, line_value);
  const recommendation =
    line_value === null || !has_prop_line
      ? 'NO_LINE'
      : edge! >= 1
        ? 'OVER'
        : edge! <= -1
          ? 'UNDER'
          : 'PASS';
  const row: PredictionRow = {
    prediction_id: `${over.game_date ?? GAME_DATE}:${system_id}:${player_lookup}:${over.message_id ?? 'm1'}`,
    system_id,
    model_role: system_id === 'catboost_v9' ? 'champion' : 'challenger',
    player_lookup,
    game_id: '20260210_LAL_GSW',
    game_date: GAME_DATE,
    predicted_points,
    raw_prediction: predicted_points,
    line_value,
    line_provenance: line_value === null ? 'none' : 'actual_prop_line',
    has_prop_line,
    line_source: line_value === null ? 'NO_PROP_LINE' : 'ACTUAL_PROP',
    line_source_api: line_value === null ? null : 'ODDS_API',
    sportsbook: line_value === null ? null : 'DRAFTKINGS',
    was_line_fallback: false,
    edge,
    recommendation,
    confidence_pct: 85,
    vegas_source: line_value === null ? 'none' : 'request_line',
    missing_critical_features: [],
    defaulted_features: [],
    features_snapshot: '{}',
    feature_version: 'v2_33features',
    feature_quality_score: 90,
    model_path: `models/${system_id}.cbm`,
    model_sha256: 'a'.repeat(64),
    model_version: system_id,
    model_format: 'cbm',
    build_commit: 'test',
    message_id: 'm1',
    request_published_at: '2026-02-10T15:00:00.000Z',
    prediction_run_mode: 'RETRY',
    created_at: '2026-02-10T15:00:01.000Z',
    ...over,
  };
  // keep the builder honest: every row it makes is a valid table row
  return playerPropPredictionsTable.rowSchema.parse(row);
}

export function actualRow(over: Partial<PlayerGameSummaryRow> = {}): PlayerGameSummaryRow {
  return {
    player_lookup: 'lebronjames',
    game_id: '20260210_LAL_GSW',
    game_date: GAME_DATE,
    points: 30,
    minutes_played: 34,
    team_abbr: 'LAL',
    opponent_team_abbr: 'GSW',
    ...over,
  };
}
