/**
 * @module storage/bigquery/performance-store
 * The BigQuery `model_performance_daily` store, on the storage object's own primitives (a
 * validated select and the one replace-date script: DELETE the date + INSERT in one transaction).
 */
import type { Query } from '@google-cloud/bigquery';
import type { PerformanceStore } from '../storage.js';
import { modelPerformanceDailyTable, type AnyTable, type RowOf } from '../tables/index.js';
import { selectFrom } from './sql.js';
import type { Placement } from './datasets.js';

/** What the BigQuery storage lends a table store. */
export interface BigQueryTablePrimitives {
  /** Project and dataset names (datasets.ts; read when a query is built). */
  at(): Placement;
  select<T extends AnyTable>(table: T, query: Query): Promise<Array<RowOf<T>>>;
  replaceDate(table: AnyTable, gameDate: string, rows: readonly Record<string, unknown>[]): Promise<void>;
}

export function bigQueryPerformanceStore(bq: BigQueryTablePrimitives): PerformanceStore {
  const table = modelPerformanceDailyTable;
  return {
    replaceDate: (gameDate, rows) => bq.replaceDate(table, gameDate, rows),
    forRange: (fromDate, toDate) =>
      bq.select(table, {
        query: `${selectFrom(bq.at(), table)} WHERE game_date BETWEEN @from_date AND @to_date ORDER BY game_date, system_id`,
        params: { from_date: fromDate, to_date: toDate },
        types: { from_date: 'DATE', to_date: 'DATE' },
      }),
  };
}
