/**
 * @module storage/storage
 * The storage contract: one small interface per table family. Two implementations:
 * `bigquery/` (official client, production) and `duckdb/` (embedded default, `npm start` with no
 * cloud). Both run the same contract suite (storage.contract.ts). Pure modules never import
 * this folder's implementations; entry points pick one and pass it down.
 */
import type { FeatureStoreRow } from './tables/feature-store.js';
import type { PredictionRow } from './tables/player-prop-predictions.js';
import type { RequestOutcomeRow } from './tables/request-outcomes.js';
import type { PlayerGameSummaryRow } from './tables/player-game-summary.js';
import type { PredictionAccuracyRow } from './tables/prediction-accuracy.js';
import type { DailySignalRow } from './tables/daily-prediction-signals.js';
import type { NotificationRow } from './tables/notifications.js';
import type { ModelPerformanceDailyRow } from './tables/model-performance-daily.js';
import type { RegistryEventRow } from './tables/model-registry-events.js';
import type { ModelRegistryRow } from './tables/model-registry.js';

export interface FeatureStore {
  /** Every player's row for one game date (one query for the whole slate). */
  loadSlate(gameDate: string): Promise<FeatureStoreRow[]>;
  /** Upsert by (game_date, player_lookup). Used by the demo seeder and tests. */
  upsert(rows: FeatureStoreRow[]): Promise<void>;
}

export interface PredictionSink {
  /**
   * Store prediction rows. Idempotent by `prediction_id`: writing the same rows twice leaves one
   * copy (embedded: keyed upsert; BigQuery: insertId + read-side dedup). Throws a retryable
   * PwError('PW_ERR_SINK_WRITE') when the store is unreachable.
   * With `outcome`, the message's outcome is recorded after the rows in the same write (the
   * embedded store commits both in one group; a request waits for one write, not two).
   */
  write(rows: PredictionRow[], outcome?: RequestOutcomeRow): Promise<void>;
  /**
   * The current row per (game_date, game_id, player_lookup, system_id): the one from the latest
   * request_published_at, ties broken by the largest prediction_id. The ONE current-row rule
   * (incidents 10.5, 10.6): grading, signals, picks and listings all read through it.
   */
  currentPredictions(gameDate: string, systemIds?: readonly string[]): Promise<PredictionRow[]>;
  /** Every stored row (history included) for a date, ordered by player, system, publish time. */
  allPredictions(gameDate: string): Promise<PredictionRow[]>;
}

export interface OutcomeLog {
  /** The final outcome of a message, by message_id (a later record of the same message wins). */
  record(outcome: RequestOutcomeRow): Promise<void>;
  /**
   * The current outcomes (as `record` left them) of these message ids, in no particular order;
   * ids never recorded are absent. One query for the whole list (the worker batches its per-push
   * lookups: issue 7, a message id reused with another payload).
   */
  findMany(messageIds: readonly string[]): Promise<RequestOutcomeRow[]>;
  forDate(gameDate: string): Promise<RequestOutcomeRow[]>;
  /** Rejected messages (optionally only those received since an ISO time). */
  rejected(sinceIso?: string): Promise<RequestOutcomeRow[]>;
}

export interface ActualsStore {
  forDate(gameDate: string): Promise<PlayerGameSummaryRow[]>;
  upsert(rows: PlayerGameSummaryRow[]): Promise<void>;
}

export interface AccuracyStore {
  /**
   * Replace a game date's rows of the graded systems in one step (delete-then-insert, atomic where
   * supported): only rows whose system_id is in `systemIds` (default: the system_ids in `rows`)
   * are deleted, so grading never removes another system's or writer's rows for that date.
   * A row outside `systemIds` or the date is refused (PW_ERR_SINK_WRITE).
   */
  replaceDate(gameDate: string, rows: PredictionAccuracyRow[], systemIds?: readonly string[]): Promise<void>;
  /** Rows with game_date in [from, to] (inclusive), optionally for some systems only. */
  forRange(fromDate: string, toDate: string, systemIds?: readonly string[]): Promise<PredictionAccuracyRow[]>;
}

export interface SignalStore {
  replaceDate(gameDate: string, rows: DailySignalRow[]): Promise<void>;
  forDate(gameDate: string): Promise<DailySignalRow[]>;
}

export interface NotificationLog {
  find(gameDate: string, kind: string): Promise<NotificationRow | undefined>;
  /** Upsert by (game_date, kind). */
  record(row: NotificationRow): Promise<void>;
}

/** model_performance_daily (the monitor job's output; the dashboard reads it). */
export interface PerformanceStore {
  /** Replace every row of a game date in one step, like grading (re-running a date is idempotent). */
  replaceDate(gameDate: string, rows: ModelPerformanceDailyRow[]): Promise<void>;
  /** Rows with game_date in [from, to] (inclusive), ordered by game_date then system_id. */
  forRange(fromDate: string, toDate: string): Promise<ModelPerformanceDailyRow[]>;
}

/** The model lifecycle's audit trail (append-only). */
export interface RegistryEventLog {
  /** Append one event (idempotent by event_id). */
  append(row: RegistryEventRow): Promise<void>;
  /** Events oldest first, optionally for one system_id only. */
  list(systemId?: string): Promise<RegistryEventRow[]>;
}

/** The synced registry state (`registry sync`). */
export interface RegistrySnapshotStore {
  /** Upsert by system_id. */
  upsert(rows: ModelRegistryRow[]): Promise<void>;
  /** Every row, by system_id. */
  all(): Promise<ModelRegistryRow[]>;
}

export interface Storage {
  /** 'bigquery' or 'duckdb', for logs and /ready. */
  readonly kind: 'bigquery' | 'duckdb';
  /** Where the data lives (dataset or file path), for humans. */
  readonly location: string;
  features: FeatureStore;
  predictions: PredictionSink;
  outcomes: OutcomeLog;
  actuals: ActualsStore;
  accuracy: AccuracyStore;
  signals: SignalStore;
  notifications: NotificationLog;
  performance: PerformanceStore;
  registryEvents: RegistryEventLog;
  registry: RegistrySnapshotStore;
  /** Cheap reachability check for /ready; throws when unreachable. */
  ping(): Promise<void>;
  /** Flush pending work and release connections. Idempotent. */
  close(): Promise<void>;
  /**
   * Active write check for /ready (issue 7, class 8): proves a write would succeed now, without
   * adding data. Embedded: upserts one row of `worker_write_check` through the normal write path
   * (it reaches the file). BigQuery: tables.testIamPermissions for bigquery.tables.updateData on
   * the worker's tables (nothing written). Throws PW_ERR_SINK_WRITE (retryable) when it fails.
   */
  checkWrite(): Promise<void>;
}
