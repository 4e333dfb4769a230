/** Every table, in one list: both storages create exactly these. */
import { featureStoreTable } from './feature-store.js';
import { playerPropPredictionsTable } from './player-prop-predictions.js';
import { requestOutcomesTable } from './request-outcomes.js';
import { playerGameSummaryTable } from './player-game-summary.js';
import { predictionAccuracyTable } from './prediction-accuracy.js';
import { dailyPredictionSignalsTable } from './daily-prediction-signals.js';
import { notificationsTable } from './notifications.js';
import { modelPerformanceDailyTable } from './model-performance-daily.js';
import { modelRegistryEventsTable } from './model-registry-events.js';
import { modelRegistryTable } from './model-registry.js';
import { workerWriteCheckTable } from './worker-write-check.js';

export * from './define.js';
export * from './feature-store.js';
export * from './player-prop-predictions.js';
export * from './request-outcomes.js';
export * from './player-game-summary.js';
export * from './prediction-accuracy.js';
export * from './daily-prediction-signals.js';
export * from './notifications.js';
export * from './model-performance-daily.js';
export * from './model-registry-events.js';
export * from './model-registry.js';
export * from './worker-write-check.js';

export const ALL_TABLES = [
  featureStoreTable,
  playerPropPredictionsTable,
  requestOutcomesTable,
  playerGameSummaryTable,
  predictionAccuracyTable,
  dailyPredictionSignalsTable,
  notificationsTable,
  modelPerformanceDailyTable,
  modelRegistryEventsTable,
  modelRegistryTable,
] as const;

/**
 * Tables only the embedded store creates: `worker_write_check`, /ready's write check (issue 7,
 * class 8). BigQuery's check writes nothing (storage/bigquery/write-check.ts), so a BigQuery
 * project needs no new table and no `bigquery init` for it.
 */
export const EMBEDDED_ONLY_TABLES = [workerWriteCheckTable] as const;
