/** `nba_predictions.ml_feature_store_v2`: named feature values per player per game date. */
import { col, defineTable, type RowOf } from './define.js';

export const featureStoreTable = defineTable({
  dataset: 'nba_predictions',
  name: 'ml_feature_store_v2',
  description: 'One row per player per game date: parallel arrays of feature names and values (a missing feature is absent from both).',
  columns: {
    game_date: col.date('Game date'),
    player_lookup: col.string('Normalised player key, e.g. lebronjames'),
    game_id: col.string('Game id, e.g. 20251108_LAL_GSW'),
    feature_names: col.strings('Feature names, parallel to `features`'),
    features: col.floats('Feature values, parallel to `feature_names`'),
    feature_version: col.string('Feature contract version, e.g. v2_33features'),
    feature_quality_score: col.float('Upstream quality score, 0-100').nullable(),
    team_abbr: col.string('Player team').nullable(),
    opponent_team_abbr: col.string('Opponent team').nullable(),
    created_at: col.timestamp('When the row was written'),
  },
  key: ['game_date', 'player_lookup'],
  partitionBy: 'game_date',
  clusterBy: ['player_lookup'],
});

export type FeatureStoreRow = RowOf<typeof featureStoreTable>;
