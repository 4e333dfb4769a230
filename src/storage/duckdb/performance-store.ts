/**
 * @module storage/duckdb/performance-store
 * The embedded `model_performance_daily` store, built like the other table stores from the
 * shared write queue (replaceDate: DELETE the date + merge in one transaction) and the reader.
 */
import { VARCHAR } from '@duckdb/node-api';
import type { PerformanceStore } from '../storage.js';
import { modelPerformanceDailyTable } from '../tables/index.js';
import type { DuckDbParts } from './table-stores.js';

export function performanceStore({ writes, reads }: DuckDbParts): PerformanceStore {
  const table = modelPerformanceDailyTable;
  return {
    replaceDate: (gameDate, rows) => writes.replaceDate(table, gameDate, rows),
    forRange: (fromDate, toDate) =>
      reads.select(table, 'game_date BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)', [fromDate, toDate], [VARCHAR, VARCHAR], 'ORDER BY game_date, system_id'),
  };
}
