/**
 * @module storage/duckdb/registry-store
 * The embedded implementations of RegistryEventLog and RegistrySnapshotStore, over the
 * DuckDbStorage's own keyed upsert and read (so they share its write queue and connections).
 */
import { VARCHAR, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import type { RegistryEventLog, RegistrySnapshotStore } from '../storage.js';
import { modelRegistryEventsTable, modelRegistryTable, type AnyTable, type RowOf } from '../tables/index.js';

/** The two DuckDbStorage primitives these stores need. */
export interface DuckDbTableAccess {
  select<T extends AnyTable>(table: T, where: string, params: DuckDBValue[], types: DuckDBType[], tail: string): Promise<Array<RowOf<T>>>;
  upsert(table: AnyTable, rows: readonly Record<string, unknown>[]): Promise<void>;
}

export function duckDbRegistryEvents(db: DuckDbTableAccess): RegistryEventLog {
  return {
    append: (row) => db.upsert(modelRegistryEventsTable, [row]),
    list: (systemId) =>
      systemId === undefined
        ? db.select(modelRegistryEventsTable, 'TRUE', [], [], 'ORDER BY event_time, event_id')
        : db.select(modelRegistryEventsTable, 'system_id = ?', [systemId], [VARCHAR], 'ORDER BY event_time, event_id'),
  };
}

export function duckDbRegistrySnapshot(db: DuckDbTableAccess): RegistrySnapshotStore {
  return {
    upsert: (rows) => db.upsert(modelRegistryTable, rows),
    all: () => db.select(modelRegistryTable, 'TRUE', [], [], 'ORDER BY system_id'),
  };
}
