/**
 * @module storage/bigquery/registry-store
 * The BigQuery implementations of RegistryEventLog and RegistrySnapshotStore, over the
 * BigQueryStorage's keyed merge (one DELETE+INSERT transaction) and typed select.
 * Events are few (a handful a week), so a keyed merge is used rather than streaming inserts: a
 * just-written event is immediately visible to `registry history` and `registry rollback`.
 */
import type { Query } from '@google-cloud/bigquery';
import type { RegistryEventLog, RegistrySnapshotStore } from '../storage.js';
import { modelRegistryEventsTable, modelRegistryTable, type AnyTable, type RowOf } from '../tables/index.js';
import { selectFrom } from './sql.js';
import type { Placement } from './datasets.js';

/** The two BigQueryStorage primitives these stores need. */
export interface BigQueryTableAccess {
  /** Project and datasets (src/storage/bigquery/datasets.ts): both tables are worker tables. */
  at(): Placement;
  select<T extends AnyTable>(table: T, query: Query): Promise<Array<RowOf<T>>>;
  merge(table: AnyTable, rows: readonly Record<string, unknown>[]): Promise<void>;
}

export function bigQueryRegistryEvents(db: BigQueryTableAccess): RegistryEventLog {
  return {
    append: (row) => db.merge(modelRegistryEventsTable, [row]),
    list: (systemId) =>
      db.select(
        modelRegistryEventsTable,
        systemId === undefined
          ? { query: `${selectFrom(db.at(), modelRegistryEventsTable)} ORDER BY event_time, event_id` }
          : {
              query: `${selectFrom(db.at(), modelRegistryEventsTable)} WHERE system_id = @system_id ORDER BY event_time, event_id`,
              params: { system_id: systemId },
              types: { system_id: 'STRING' },
            },
      ),
  };
}

export function bigQueryRegistrySnapshot(db: BigQueryTableAccess): RegistrySnapshotStore {
  return {
    upsert: (rows) => db.merge(modelRegistryTable, rows),
    all: () => db.select(modelRegistryTable, { query: `${selectFrom(db.at(), modelRegistryTable)} ORDER BY system_id` }),
  };
}
