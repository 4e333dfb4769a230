/**
 * @module storage/duckdb/performance-store
 * The embedded `model_performance_daily` store. It owns no connection: the storage object hands
 * it its two primitives (a validated select and the one replace-date transaction), so the queue,
 * group-commit and error rules stay in one place.
 */
import { VARCHAR, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import type { PerformanceStore } from '../storage.js';
import { modelPerformanceDailyTable, type AnyTable, type RowOf } from '../tables/index.js';

/** What the DuckDB storage lends a table store. */
export interface DuckDbTablePrimitives {
  select<T extends AnyTable>(table: T, where: string, params: DuckDBValue[], types: DuckDBType[], tail: string): Promise<Array<RowOf<T>>>;
  replaceDate(table: AnyTable, gameDate: string, rows: readonly Record<string, unknown>[]): Promise<void>;
}

export function duckDbPerformanceStore(db: DuckDbTablePrimitives): PerformanceStore {
  const table = modelPerformanceDailyTable;
  return {
    replaceDate: (gameDate, rows) => db.replaceDate(table, gameDate, rows),
    forRange: (fromDate, toDate) =>
      db.select(table, 'game_date BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)', [fromDate, toDate], [VARCHAR, VARCHAR], 'ORDER BY game_date, system_id'),
  };
}
