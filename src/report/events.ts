/**
 * @module report/events
 * Registry events (promotions, retirements, …) to mark on the time axis. The table that holds
 * them belongs to the model-operations work (model_registry_events); the report reads it only
 * through this small optional interface and shows no marks when no source is given.
 */

export interface RegistryEvent {
  /** Game date the event applies from, YYYY-MM-DD. */
  date: string;
  system_id: string;
  /** e.g. promoted, retired, enabled, rollback. */
  kind: string;
  detail?: string;
}

export interface RegistryEventSource {
  /** Events with date in [fromDate, toDate], any order. */
  forRange(fromDate: string, toDate: string): Promise<RegistryEvent[]>;
}
