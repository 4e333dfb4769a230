/**
 * @module features/contract
 * The V9 feature contract: the 33 names in model column order, which of them may be missing
 * (NaN reaches the model, which treats it as CatBoost does), which are critical (a row built
 * without them is flagged), and the ONE defaults table. The original platform had two defaults
 * tables that disagreed (`pct_free_throw` 20 vs 0.15, even in units); this file is the only one.
 */

export const V9_FEATURE_NAMES = [
  'points_avg_last_5',
  'points_avg_last_10',
  'points_avg_season',
  'points_std_last_10',
  'games_in_last_7_days',
  'fatigue_score',
  'shot_zone_mismatch_score',
  'pace_score',
  'usage_spike_score',
  'rest_advantage',
  'injury_risk',
  'recent_trend',
  'minutes_change',
  'opponent_def_rating',
  'opponent_pace',
  'home_away',
  'back_to_back',
  'playoff_game',
  'pct_paint',
  'pct_mid_range',
  'pct_three',
  'pct_free_throw',
  'team_pace',
  'team_off_rating',
  'team_win_pct',
  'vegas_points_line',
  'vegas_opening_line',
  'vegas_line_move',
  'has_vegas_line',
  'avg_points_vs_opponent',
  'games_vs_opponent',
  'minutes_avg_last_10',
  'ppm_avg_last_10',
] as const;

export type V9FeatureName = (typeof V9_FEATURE_NAMES)[number];

/** Feature sets a registry entry may declare. A model whose feature names differ is refused. */
export const FEATURE_SETS = {
  v9: V9_FEATURE_NAMES,
} as const satisfies Record<string, readonly string[]>;

export type FeatureSetName = keyof typeof FEATURE_SETS;

/**
 * Features that may legitimately be missing: shot-zone shares (no shot data yet) and the Vegas
 * block (no book line). They reach the model as NaN, exactly as in training.
 */
export const NULLABLE_FEATURES: ReadonlySet<V9FeatureName> = new Set<V9FeatureName>([
  'pct_paint',
  'pct_mid_range',
  'pct_three',
  'vegas_points_line',
  'vegas_opening_line',
  'vegas_line_move',
]);

/**
 * Features without which a prediction is not trustworthy: the model's strongest inputs.
 * A row whose value for one of these was defaulted or missing lists it in
 * `missing_critical_features` (incident 10.4: the Vegas line silently null for a week).
 */
export const CRITICAL_FEATURES: ReadonlySet<V9FeatureName> = new Set<V9FeatureName>([
  'points_avg_last_5',
  'points_avg_last_10',
  'points_avg_season',
  'vegas_points_line',
  'has_vegas_line',
  'minutes_avg_last_10',
  'ppm_avg_last_10',
]);

/**
 * The single defaults table: the value used when a non-nullable feature is absent from the
 * feature store. Values follow the training defaults (`FEATURE_DEFAULTS` of the original
 * contract), in the units the model was trained on (pct_free_throw is a share, 0.15).
 * Every use of a default is recorded on the row (`defaulted_features`), never silent.
 */
export const FEATURE_DEFAULTS: Readonly<Record<Exclude<V9FeatureName, 'vegas_points_line' | 'vegas_opening_line' | 'vegas_line_move' | 'pct_paint' | 'pct_mid_range' | 'pct_three'>, number>> = {
  points_avg_last_5: 10,
  points_avg_last_10: 10,
  points_avg_season: 10,
  points_std_last_10: 5,
  games_in_last_7_days: 3,
  fatigue_score: 50,
  shot_zone_mismatch_score: 0,
  pace_score: 0,
  usage_spike_score: 0,
  rest_advantage: 0,
  injury_risk: 0,
  recent_trend: 0,
  minutes_change: 0,
  opponent_def_rating: 112,
  opponent_pace: 100,
  home_away: 0.5,
  back_to_back: 0,
  playoff_game: 0,
  pct_free_throw: 0.15,
  team_pace: 100,
  team_off_rating: 112,
  team_win_pct: 0.5,
  has_vegas_line: 0,
  avg_points_vs_opponent: 10,
  games_vs_opponent: 0,
  minutes_avg_last_10: 25,
  ppm_avg_last_10: 0.4,
};

/** Index of each V9 feature in model column order. */
export const V9_FEATURE_INDEX: Readonly<Record<V9FeatureName, number>> = Object.fromEntries(
  V9_FEATURE_NAMES.map((name, index) => [name, index]),
) as Record<V9FeatureName, number>;

export function isV9FeatureName(name: string): name is V9FeatureName {
  return Object.hasOwn(V9_FEATURE_INDEX, name);
}

/**
 * Compares a model's own feature names with a declared feature set and returns a list of
 * human-readable differences (empty when they agree). Used at load to refuse a model whose
 * columns do not match its declared set (incident 10.21: a 36-feature model in a 33-feature slot).
 */
export function featureSetMismatch(modelFeatures: readonly string[], declared: readonly string[]): string[] {
  const problems: string[] = [];
  if (modelFeatures.length !== declared.length) {
    problems.push(`model has ${modelFeatures.length} features, feature set declares ${declared.length}`);
  }
  const n = Math.min(modelFeatures.length, declared.length);
  for (let i = 0; i < n; i++) {
    if (modelFeatures[i] !== declared[i]) {
      problems.push(`feature #${i} is '${modelFeatures[i]}', expected '${declared[i]}'`);
      if (problems.length > 5) break;
    }
  }
  return problems;
}
