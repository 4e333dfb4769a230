/**
 * @module storage/bigquery/datasets
 * Where each table lives in BigQuery. The table definitions name a *logical* dataset
 * (`nba_predictions`, `nba_analytics`, the original platform's names, also used as DuckDB schemas);
 * BigQuery places them by role, from configuration (config/env.ts, docs/config.md):
 *
 * | role | tables | dataset (env var, default) | who writes |
 * |---|---|---|---|
 * | worker | every table in ALL_TABLES not listed below (predictions, outcomes, accuracy, signals, notifications, and any table added later) | `BIGQUERY_DATASET`, `prediction_worker` | this worker only |
 * | features input | `ml_feature_store_v2` | `BIGQUERY_FEATURES_DATASET`, `nba_predictions` | the upstream feature pipeline (the original platform's Phase 4) |
 * | actuals input | `player_game_summary` | `BIGQUERY_ACTUALS_DATASET`, `nba_analytics` | the upstream box-score pipeline (Phase 3) |
 * | compatibility views | `player_prop_predictions`, `prediction_accuracy` views with the original's column names | `BIGQUERY_COMPAT_DATASET`, `prediction_worker_compat` | `bigquery init` |
 *
 * So by default the worker never writes a table the Python platform writes (its
 * `nba_predictions.player_prop_predictions` and `prediction_accuracy` stay untouched) and reads
 * the upstream inputs where they already are. A table added to ALL_TABLES later lands in the
 * worker dataset with no change here.
 */
import type { AnyTable } from '../tables/define.js';
import { featureStoreTable } from '../tables/feature-store.js';
import { playerGameSummaryTable } from '../tables/player-game-summary.js';

export interface DatasetNames {
  /** Tables this worker writes. */
  worker: string;
  /** The feature store it reads (upstream). */
  features: string;
  /** Box scores it reads for grading (upstream). */
  actuals: string;
  /** Views exposing the original platform's column names over the worker's tables. */
  compat: string;
}

export const DEFAULT_DATASETS: DatasetNames = {
  worker: 'prediction_worker',
  features: 'nba_predictions',
  actuals: 'nba_analytics',
  compat: 'prediction_worker_compat',
};

/** A project and its dataset names: everything needed to write a fully qualified table name. */
export interface Placement {
  projectId: string;
  datasets: DatasetNames;
}

export type TableRole = 'worker' | 'features' | 'actuals';

const logicalId = (t: AnyTable) => `${t.dataset}.${t.name}`;
const INPUTS = new Map<string, Exclude<TableRole, 'worker'>>([
  [logicalId(featureStoreTable), 'features'],
  [logicalId(playerGameSummaryTable), 'actuals'],
]);

/** `worker` for tables this service writes; `features`/`actuals` for the upstream inputs it reads. */
export function tableRole(table: AnyTable): TableRole {
  return INPUTS.get(logicalId(table)) ?? 'worker';
}

/** The BigQuery dataset that holds `table` under these names. */
export function datasetOf(table: AnyTable, names: DatasetNames): string {
  return names[tableRole(table)];
}

/** Dataset names from the parsed configuration (config/env.ts validates them). */
export function datasetNamesFromConfig(config: {
  BIGQUERY_DATASET?: string | undefined;
  BIGQUERY_FEATURES_DATASET?: string | undefined;
  BIGQUERY_ACTUALS_DATASET?: string | undefined;
  BIGQUERY_COMPAT_DATASET?: string | undefined;
}): DatasetNames {
  return {
    worker: config.BIGQUERY_DATASET ?? DEFAULT_DATASETS.worker,
    features: config.BIGQUERY_FEATURES_DATASET ?? DEFAULT_DATASETS.features,
    actuals: config.BIGQUERY_ACTUALS_DATASET ?? DEFAULT_DATASETS.actuals,
    compat: config.BIGQUERY_COMPAT_DATASET ?? DEFAULT_DATASETS.compat,
  };
}
