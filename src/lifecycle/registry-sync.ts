/**
 * @module lifecycle/registry-sync
 * `registry sync`: the registry's current state as `model_registry` rows (the original's
 * manifest sync). Pure. The champion is one row (`catboost_v9`, from the env file/config);
 * each MONTHLY_MODELS entry is one row; a system_id synced before but gone from the file keeps its
 * row with `in_registry = false` and `enabled = false`.
 */
import { CHAMPION_SYSTEM_ID, type Registry } from '../../config/registry.js';
import type { ModelRegistryRow } from '../storage/tables/model-registry.js';

export function registrySnapshotRows(input: {
  registry: Registry;
  champion: { path: string; sha256: string | null | undefined };
  previous: readonly ModelRegistryRow[];
  source: string;
  now: Date;
}): ModelRegistryRow[] {
  const at = input.now.toISOString();
  const rows: ModelRegistryRow[] = [
    {
      system_id: CHAMPION_SYSTEM_ID,
      role: 'champion',
      enabled: true,
      in_registry: true,
      model_path: input.champion.path,
      sha256: input.champion.sha256 ?? null,
      feature_set: 'v9',
      train_start: null,
      train_end: null,
      eval_start: null,
      eval_end: null,
      backtest_mae: null,
      backtest_hit_rate_all: null,
      backtest_hit_rate_edge_3plus: null,
      backtest_n_edge_3plus: null,
      description: 'champion (CATBOOST_V9_MODEL_PATH)',
      source: input.source,
      synced_at: at,
    },
    ...Object.entries(input.registry).map(([id, e]): ModelRegistryRow => ({
      system_id: id,
      role: 'challenger',
      enabled: e.enabled,
      in_registry: true,
      model_path: e.model_path,
      sha256: e.sha256 ?? null,
      feature_set: e.feature_set,
      train_start: e.train_start ?? null,
      train_end: e.train_end ?? null,
      eval_start: e.eval_start ?? null,
      eval_end: e.eval_end ?? null,
      backtest_mae: e.backtest_mae,
      backtest_hit_rate_all: e.backtest_hit_rate_all,
      backtest_hit_rate_edge_3plus: e.backtest_hit_rate_edge_3plus,
      backtest_n_edge_3plus: e.backtest_n_edge_3plus,
      description: e.description,
      source: input.source,
      synced_at: at,
    })),
  ];
  const present = new Set(rows.map((r) => r.system_id));
  for (const old of input.previous) {
    if (!present.has(old.system_id)) rows.push({ ...old, enabled: false, in_registry: false, source: input.source, synced_at: at });
  }
  return rows;
}
