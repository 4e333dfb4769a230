/**
 * `nba_predictions.model_registry`: the registry's current state, written by `registry sync` so
 * SQL users see which model each system_id runs next to its predictions (the original's
 * `model-registry.sh sync` of the GCS manifest). One row per system_id ever synced; an entry
 * removed from the file keeps its row with `in_registry = false`.
 */
import { col, defineTable, type RowOf } from './define.js';

export const modelRegistryTable = defineTable({
  dataset: 'nba_predictions',
  name: 'model_registry',
  description: 'Current model registry (champion + MONTHLY_MODELS entries), synced by `cli registry sync`.',
  columns: {
    system_id: col.string('Key of the entry (catboost_v9 = the champion)'),
    role: col.enum(['champion', 'challenger'] as const, 'Champion (CATBOOST_V9_MODEL_PATH) or a registry entry'),
    enabled: col.bool('Whether the model runs'),
    in_registry: col.bool('false once the entry is no longer in the file'),
    model_path: col.string('gs://bucket/object or local path'),
    sha256: col.string('Declared full sha256').nullable(),
    feature_set: col.string('Feature contract, e.g. v9'),
    train_start: col.date('First training date').nullable(),
    train_end: col.date('Last training date').nullable(),
    eval_start: col.date('First evaluation date').nullable(),
    eval_end: col.date('Last evaluation date').nullable(),
    backtest_mae: col.float('Backtest MAE, points').nullable(),
    backtest_hit_rate_all: col.float('Backtest hit rate, all bets, %').nullable(),
    backtest_hit_rate_edge_3plus: col.float('Backtest hit rate, |edge| >= 3, %').nullable(),
    backtest_n_edge_3plus: col.int('Backtest decided bets with |edge| >= 3').nullable(),
    description: col.string('The entry description (and retirement reason when disabled)').nullable(),
    source: col.string('Where this state was read: registry file and env file'),
    synced_at: col.timestamp('When `registry sync` wrote the row'),
  },
  key: ['system_id'],
});

export type ModelRegistryRow = RowOf<typeof modelRegistryTable>;
