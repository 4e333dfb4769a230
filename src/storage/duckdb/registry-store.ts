/**
 * @module storage/duckdb/registry-store
 * The embedded RegistryEventLog (model_registry_events, the lifecycle audit trail) and
 * RegistrySnapshotStore (model_registry, `registry sync`), built like the other table stores
 * from the shared write queue and read connection (table-stores.ts).
 */
import { VARCHAR } from '@duckdb/node-api';
import type { RegistryEventLog, RegistrySnapshotStore } from '../storage.js';
import { modelRegistryEventsTable, modelRegistryTable } from '../tables/index.js';
import type { DuckDbParts } from './table-stores.js';

export function registryEventLog({ writes, reads }: DuckDbParts): RegistryEventLog {
  return {
    append: (row) => writes.upsert(modelRegistryEventsTable, [row]),
    list: (systemId) =>
      systemId === undefined
        ? reads.select(modelRegistryEventsTable, 'TRUE', [], [], 'ORDER BY event_time, event_id')
        : reads.select(modelRegistryEventsTable, 'system_id = ?', [systemId], [VARCHAR], 'ORDER BY event_time, event_id'),
  };
}

export function registrySnapshotStore({ writes, reads }: DuckDbParts): RegistrySnapshotStore {
  return {
    upsert: (rows) => writes.upsert(modelRegistryTable, rows),
    all: () => reads.select(modelRegistryTable, 'TRUE', [], [], 'ORDER BY system_id'),
  };
}
