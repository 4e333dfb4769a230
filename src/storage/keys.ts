/** Key helpers shared by both storages. */
import type { AnyTable } from './tables/define.js';

/**
 * Keep the last row per key, in first-seen order: one upsert statement (DuckDB ON CONFLICT,
 * BigQuery MERGE) may not touch the same key twice.
 */
export function lastPerKey<R extends Record<string, unknown>>(table: AnyTable, rows: readonly R[]): R[] {
  const byKey = new Map<string, R>();
  for (const row of rows) byKey.set(JSON.stringify(table.key.map((k: string) => row[k])), row);
  return [...byKey.values()];
}
