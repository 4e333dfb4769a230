/**
 * @module synthetic/rows
 * Turns one simulated day into what the worker meets in production: feature-store rows (missing
 * features simply absent), the coordinator's Pub/Sub request payloads (§1.3 fields) and the
 * box-score actuals that grading reads. Timestamps are derived from the game date, never the clock.
 */
import { V9_FEATURE_NAMES } from '../features/contract.js';
import type { FeatureStoreRow } from '../storage/tables/feature-store.js';
import type { PlayerGameSummaryRow } from '../storage/tables/player-game-summary.js';
import type { PlayerGame, SeasonDay, Sportsbook } from './season.js';

/** The feature version the synthetic store writes (the 33-feature store layout). */
export const SYNTHETIC_FEATURE_VERSION = 'v2_33features';

/** A coordinator request message for one player (the fields of original-system.md §1.3). */
export interface SyntheticRequestPayload {
  player_lookup: string;
  game_date: string;
  game_id: string;
  /** Lines to predict against: one line, or `[null]` when the player has none. */
  line_values: Array<number | null>;
  actual_prop_line: number | null;
  has_prop_line: boolean;
  line_source: 'ACTUAL_PROP' | 'NO_PROP_LINE';
  line_source_api: 'ODDS_API' | 'BETTINGPROS' | null;
  sportsbook: Sportsbook | null;
  was_line_fallback: boolean;
  line_minutes_before_game: number | null;
  estimated_line_value: number;
  estimation_method: 'points_avg_last_5';
  team_abbr: string;
  opponent_team_abbr: string;
  is_home: boolean;
  projected_minutes: number;
  needs_bootstrap: false;
  feature_quality_score: number;
  low_quality_flag: boolean;
  batch_id: string;
  correlation_id: string;
  timestamp: string;
  prediction_run_mode: 'SYNTHETIC';
}

function featureIndex(name: (typeof V9_FEATURE_NAMES)[number]): number {
  return V9_FEATURE_NAMES.indexOf(name);
}

/** Feature-store row: parallel name/value arrays; a NaN (missing) feature is left out of both. */
export function toFeatureStoreRow(pg: PlayerGame): FeatureStoreRow {
  const feature_names: string[] = [];
  const features: number[] = [];
  pg.features.forEach((value, i) => {
    if (Number.isNaN(value)) return;
    feature_names.push(V9_FEATURE_NAMES[i]);
    features.push(value);
  });
  return {
    game_date: pg.gameDate,
    player_lookup: pg.playerLookup,
    game_id: pg.gameId,
    feature_names,
    features,
    feature_version: SYNTHETIC_FEATURE_VERSION,
    feature_quality_score: pg.featureQualityScore,
    team_abbr: pg.teamAbbr,
    opponent_team_abbr: pg.opponentAbbr,
    // Phase 4 writes the store in the early morning of game day.
    created_at: `${pg.gameDate}T10:00:00.000Z`,
  };
}

export function toRequestPayload(pg: PlayerGame): SyntheticRequestPayload {
  const line = pg.line;
  return {
    player_lookup: pg.playerLookup,
    game_date: pg.gameDate,
    game_id: pg.gameId,
    line_values: [line ? line.line : null],
    actual_prop_line: line ? line.line : null,
    has_prop_line: line !== null,
    line_source: line ? 'ACTUAL_PROP' : 'NO_PROP_LINE',
    line_source_api: line ? line.api : null,
    sportsbook: line ? line.sportsbook : null,
    was_line_fallback: line ? line.wasFallback : false,
    line_minutes_before_game: line ? line.minutesBeforeGame : null,
    estimated_line_value: pg.features[featureIndex('points_avg_last_5')],
    estimation_method: 'points_avg_last_5',
    team_abbr: pg.teamAbbr,
    opponent_team_abbr: pg.opponentAbbr,
    is_home: pg.isHome,
    projected_minutes: Math.round(pg.features[featureIndex('minutes_avg_last_10')]),
    needs_bootstrap: false,
    feature_quality_score: pg.featureQualityScore,
    low_quality_flag: pg.featureQualityScore < 70,
    batch_id: `synthetic_${pg.gameDate}`,
    correlation_id: `synthetic_${pg.gameDate}_${pg.playerLookup}`,
    // The coordinator publishes in the morning of game day.
    timestamp: `${pg.gameDate}T15:00:00.000Z`,
    prediction_run_mode: 'SYNTHETIC',
  };
}

/** Box-score row: a DNP is 0 points and 0 minutes, exactly what grading voids. */
export function toActualsRow(pg: PlayerGame): PlayerGameSummaryRow {
  return {
    player_lookup: pg.playerLookup,
    game_id: pg.gameId,
    game_date: pg.gameDate,
    points: pg.actual.points,
    minutes_played: pg.actual.minutes,
    team_abbr: pg.teamAbbr,
    opponent_team_abbr: pg.opponentAbbr,
  };
}

export function featureStoreRows(day: SeasonDay): FeatureStoreRow[] {
  return day.playerGames.map(toFeatureStoreRow);
}

export function requestPayloads(day: SeasonDay): SyntheticRequestPayload[] {
  return day.playerGames.map(toRequestPayload);
}

export function actualsRows(day: SeasonDay): PlayerGameSummaryRow[] {
  return day.playerGames.map(toActualsRow);
}
