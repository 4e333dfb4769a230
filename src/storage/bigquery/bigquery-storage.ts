/**
 * @module storage/bigquery/bigquery-storage
 * The production Storage on BigQuery (@google-cloud/bigquery 8).
 *
 * - predictions: streaming insert with `insertId = prediction_id` (best-effort dedup of a
 *   redelivered message) and read-side dedup (ROW_NUMBER per prediction_id / per current-row
 *   key), so a duplicate that slips past insertId never shows. The table is append-only: rows
 *   are never UPDATEd, so the streaming buffer's "no DML for ~30 min" rule never bites
 *   (docs/storage.md explains why this beats the Storage Write API here).
 * - outcomes: streamed too (one row per push; per-message DML would hit BigQuery's DML
 *   concurrency limits); reads keep the latest outcome per message_id.
 * - features, actuals, notifications: keyed upsert as one multi-statement transaction
 *   (DELETE the keys, INSERT the rows).
 * - accuracy, signals `replaceDate`: DELETE the date + INSERT in one transaction.
 * Rows travel as one JSON parameter (see sql.ts). Failures become retryable PwErrors
 * (PW_ERR_SINK_WRITE for writes, PW_ERR_FEATURE_STORE for the feature slate,
 * PW_ERR_STORAGE_READ for other reads) with the client error as `cause`.
 *
 * Emulator / tests: pass `apiEndpoint`; the client then gets an auth client that adds no
 * headers, and the explicit projectId means no metadata-server or credential lookup happens.
 */
import { BigQuery, type BigQueryOptions, type Query } from '@google-cloud/bigquery';
import { AuthClient } from 'google-auth-library';
import { PwError, type ErrorCode } from '../../errors.js';
import { lastPerKey } from '../keys.js';
import type { Storage } from '../storage.js';
import type { RequestOutcomeRow } from '../tables/request-outcomes.js';
import {
  ALL_TABLES,
  dailyPredictionSignalsTable,
  featureStoreTable,
  notificationsTable,
  playerGameSummaryTable,
  playerPropPredictionsTable,
  predictionAccuracyTable,
  requestOutcomesTable,
  type AnyTable,
  type RowOf,
} from '../tables/index.js';
import { InsertBatcher, type InsertBatcherOptions } from './insert-batcher.js';
import { bigQueryRegistryEvents, bigQueryRegistrySnapshot, type BigQueryTableAccess } from './registry-store.js';
import { firstPerGroup, fromBigQueryRow, keyString, replaceDateScript, replaceDateWhere, selectFrom, tableRef, upsertScript } from './sql.js';
import { DEFAULT_DATASETS, datasetOf, tableRole, type DatasetNames, type Placement } from './datasets.js';
import { applySetup, planSetup, readSetupState, setupProblems, type SetupOptions } from './setup.js';
import { bigQueryPerformanceStore } from './performance-store.js';
import { bigQueryWriteCheck, type IamTableClient } from './write-check.js';

export interface BigQueryStorageOptions {
  projectId: string;
  /** Dataset location, e.g. 'US'. */
  location?: string;
  /** Emulator base URL, e.g. http://127.0.0.1:9050. Unset in production (Application Default Credentials). */
  apiEndpoint?: string;
  /** Explicit service-account credentials (production without ADC). Ignored with apiEndpoint. */
  credentials?: BigQueryOptions['credentials'];
  /** Client-side retries of failed requests (client default 3; tests use 0). */
  maxRetries?: number;
  /** ensureTables applies partitioning/clustering from the table definitions (default true). */
  partitioning?: boolean;
  /** How concurrent requests' streamed rows share insert calls (insert-batcher.ts). */
  batching?: InsertBatcherOptions;
  /** Dataset names by role (datasets.ts); default DEFAULT_DATASETS. */
  datasets?: DatasetNames;
  /** Days a partition of a worker table is kept (BIGQUERY_PARTITION_EXPIRATION_DAYS); ensureTables only. */
  partitionExpirationDays?: number;
  /**
   * Allow writes to the upstream input tables (feature store, box scores; BIGQUERY_WRITE_INPUTS).
   * Default false: the worker never writes a table another system owns; tests and demo projects
   * without an upstream pipeline turn it on.
   */
  allowInputWrites?: boolean;
  /**
   * How `checkWrite` (/ready) checks the write path: 'iam' = tables.testIamPermissions for
   * bigquery.tables.updateData (write-check.ts); 'skip' = nothing. Default 'iam', or 'skip' with
   * `apiEndpoint` (the emulator has no IAM and does not implement the call).
   */
  writeCheck?: 'iam' | 'skip';
}

export interface BigQueryStorage extends Storage {
  /** `bigquery init` without printing: create missing datasets, tables and views; add new nullable columns (additive only). */
  ensureTables(): Promise<void>;
  /** Streaming insert calls made so far, with their rows and JSON bytes (benches). */
  readonly insertStats: InsertBatcher['stats'];
}

/** For emulators: authorises nothing, so no token, credential file or metadata server is consulted. */
class NoAuthClient extends AuthClient {
  async getAccessToken() {
    return { token: null };
  }
  async getRequestHeaders() {
    return new Headers();
  }
  request<T>(options: Parameters<AuthClient['request']>[0]) {
    return this.transporter.request<T>(options);
  }
}

/** A BigQuery client for production (ADC or credentials) or an emulator (apiEndpoint, no auth). */
export function bigQueryClient(opts: Pick<BigQueryStorageOptions, 'projectId' | 'location' | 'apiEndpoint' | 'credentials' | 'maxRetries'>): BigQuery {
  const common = { projectId: opts.projectId, location: opts.location, ...(opts.maxRetries === undefined ? {} : { retryOptions: { autoRetry: opts.maxRetries > 0, maxRetries: opts.maxRetries } }) };
  if (opts.apiEndpoint) return new BigQuery({ ...common, apiEndpoint: opts.apiEndpoint, authClient: new NoAuthClient() });
  return new BigQuery({ ...common, credentials: opts.credentials });
}

/**
 * @google-cloud/bigquery 8 serialises a plain string declared `DATE`/`TIMESTAMP` as an EMPTY
 * value (found against the emulator); its BigQueryDate/BigQueryTimestamp wrappers serialise
 * correctly. Our params are ISO strings, so wrap them here, once.
 */
function wrapTypedParams(query: Query): Query['params'] {
  const { params, types } = query;
  if (!params || Array.isArray(params) || !types || Array.isArray(types)) return params;
  const out: Record<string, unknown> = { ...params };
  for (const [name, type] of Object.entries(types)) {
    const v = out[name];
    if (typeof v !== 'string') continue;
    if (type === 'DATE') out[name] = BigQuery.date(v);
    if (type === 'TIMESTAMP') out[name] = BigQuery.timestamp(v);
  }
  return out;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** An outcome as streamed: its insertId makes a retried insert of the same outcome harmless. */
const outcomeStreamRow = (outcome: RequestOutcomeRow) => ({ insertId: `${outcome.message_id}/${outcome.received_at}/${outcome.outcome}`, json: outcome });

export function createBigQueryStorage(opts: BigQueryStorageOptions): BigQueryStorage {
  return new BigQueryStorageImpl(opts, bigQueryClient(opts));
}

class BigQueryStorageImpl implements BigQueryStorage {
  readonly kind = 'bigquery' as const;
  readonly location: string;
  private closed = false;
  private readonly batcher: InsertBatcher;
  /** Prediction writes accepted before close and not yet settled (close lets them finish). */
  private readonly writing = new Set<Promise<void>>();

  constructor(
    private readonly opts: BigQueryStorageOptions,
    private readonly client: BigQuery,
  ) {
    this.batcher = new InsertBatcher((table, rows) => this.insertNow(table, rows), opts.batching);
    this.at = { projectId: opts.projectId, datasets: opts.datasets ?? DEFAULT_DATASETS };
    this.location = `bigquery:${opts.projectId} (${[...new Set(ALL_TABLES.map((t) => datasetOf(t, this.at.datasets)))].join(', ')})`;
  }

  /** Project and dataset names: every SQL table reference goes through it (sql.ts tableRef). */
  private readonly at: Placement;
  /** Set once the start-up schema check passed (ping). */
  private schemaChecked = false;
  /**
   * The schema check in flight, shared by every ping while it runs: /ready gives up waiting after
   * a short timeout, but the check goes on, and the next probe picks up its result instead of
   * starting another one that would time out the same way (and so never become ready).
   */
  private schemaCheck: Promise<void> | undefined;

  private name(table: AnyTable): string {
    return `${datasetOf(table, this.at.datasets)}.${table.name}`;
  }

  private ensureOpen(code: ErrorCode, what: string): void {
    if (this.closed) throw new PwError(code, undefined, what, 'storage is closed');
  }

  private async run(code: ErrorCode, what: string, query: Query): Promise<Array<Record<string, unknown>>> {
    this.ensureOpen(code, what);
    try {
      const [rows] = await this.client.query({ location: this.opts.location, ...query, params: wrapTypedParams(query) });
      return rows as Array<Record<string, unknown>>;
    } catch (err) {
      throw new PwError(code, { cause: err }, what, message(err));
    }
  }

  private async select<T extends AnyTable>(table: T, query: Query, code: ErrorCode = 'PW_ERR_STORAGE_READ'): Promise<Array<RowOf<T>>> {
    const what = this.name(table);
    const raw = await this.run(code, what, query);
    return raw.map((r) => {
      const parsed = table.rowSchema.safeParse(fromBigQueryRow(table, r));
      if (!parsed.success) throw new PwError(code, { cause: parsed.error }, what, `stored row does not match the schema: ${parsed.error.message}`);
      return parsed.data as RowOf<T>;
    });
  }

  private async merge(table: AnyTable, rows: readonly Record<string, unknown>[]): Promise<void> {
    const role = tableRole(table);
    if (role !== 'worker' && !this.opts.allowInputWrites) {
      // Permanent (a configuration matter, not a store failure a retry could fix).
      throw new PwError('PW_ERR_CONFIG', undefined, `${this.name(table)} is an input table written upstream (${role}); this worker only reads it (BIGQUERY_WRITE_INPUTS=true for a project without that pipeline)`);
    }
    if (rows.length === 0) return;
    const unique = lastPerKey(table, rows);
    await this.run('PW_ERR_SINK_WRITE', this.name(table), {
      query: upsertScript(this.at, table),
      params: { rows: JSON.stringify(unique), keys: unique.map((r) => keyString(table, r)) },
      types: { rows: 'STRING', keys: ['STRING'] },
    });
  }

  get insertStats(): InsertBatcher['stats'] {
    return this.batcher.stats;
  }

  /**
   * Streaming insert (append-only tables); `insertId` gives best-effort dedup, reads do the rest.
   * Rows of concurrent callers share one insert call (insert-batcher.ts); resolves once stored.
   */
  private async stream(table: AnyTable, rows: ReadonlyArray<{ insertId: string; json: Record<string, unknown> }>): Promise<void> {
    this.ensureOpen('PW_ERR_SINK_WRITE', this.name(table));
    await this.batcher.insert(table, rows);
  }

  /** One insertAll call. */
  private async insertNow(table: AnyTable, rows: ReadonlyArray<{ insertId: string; json: Record<string, unknown> }>): Promise<void> {
    const what = this.name(table);
    if (rows.length === 0) return;
    try {
      await this.client.dataset(datasetOf(table, this.at.datasets)).table(table.name).insert([...rows], { raw: true });
    } catch (err) {
      // PartialFailureError lists per-row reasons; keep them in the message.
      const details = (err as { errors?: Array<{ errors?: Array<{ message?: string }> }> }).errors
        ?.flatMap((e) => e.errors?.map((x) => x.message) ?? [])
        .slice(0, 3)
        .join('; ');
      throw new PwError('PW_ERR_SINK_WRITE', { cause: err }, what, details || message(err));
    }
  }

  /** Outcomes, one per message_id: the latest received_at, 'written' over 'rejected' on a tie. */
  private outcomesWhere(where: string, after: string, query: Omit<Query, 'query'> = {}) {
    return this.select(requestOutcomesTable, {
      ...query,
      query: firstPerGroup(
        this.at,
        requestOutcomesTable,
        where,
        'message_id',
        "received_at DESC, IF(outcome = 'written', 0, 1)",
        `${after} ORDER BY received_at, message_id`,
      ),
    });
  }

  /**
   * Replace the rows of a date; with `systemIds`, only those systems' rows (the others stay).
   * Every row must carry that date (and, with systemIds, one of those systems).
   */
  private async replaceDate(table: AnyTable, gameDate: string, rows: readonly Record<string, unknown>[], systemIds?: readonly string[]): Promise<void> {
    const what = this.name(table);
    const foreign = rows.find((r) => r.game_date !== gameDate);
    if (foreign) throw new PwError('PW_ERR_SINK_WRITE', undefined, what, `replaceDate(${gameDate}) got a row for ${String(foreign.game_date)}`);
    const outside = systemIds && rows.find((r) => !systemIds.includes(String(r.system_id)));
    if (outside) throw new PwError('PW_ERR_SINK_WRITE', undefined, what, `replaceDate(${gameDate}) got a row for system ${String(outside.system_id)}, not among ${systemIds.join(', ')}`);
    if (systemIds && systemIds.length === 0) return;
    const bySystem = systemIds !== undefined;
    const params = { game_date: gameDate, ...(bySystem ? { system_ids: [...systemIds] } : {}) };
    const types = { game_date: 'DATE', ...(bySystem ? { system_ids: ['STRING'] } : {}) };
    if (rows.length === 0) {
      await this.run('PW_ERR_SINK_WRITE', what, { query: `DELETE FROM ${tableRef(this.at, table)} WHERE ${replaceDateWhere({ bySystem })}`, params, types });
      return;
    }
    await this.run('PW_ERR_SINK_WRITE', what, {
      query: replaceDateScript(this.at, table, { bySystem }),
      params: { rows: JSON.stringify(lastPerKey(table, rows)), ...params },
      types: { rows: 'STRING', ...types },
    });
  }

  private byDate<T extends AnyTable>(table: T, gameDate: string, orderBy: string, code?: ErrorCode) {
    return this.select(
      table,
      { query: `${selectFrom(this.at, table)} WHERE game_date = @game_date ORDER BY ${orderBy}`, params: { game_date: gameDate }, types: { game_date: 'DATE' } },
      code,
    );
  }

  features: Storage['features'] = {
    loadSlate: (gameDate) => this.byDate(featureStoreTable, gameDate, 'player_lookup', 'PW_ERR_FEATURE_STORE'),
    upsert: (rows) => this.merge(featureStoreTable, rows),
  };

  predictions: Storage['predictions'] = {
    write: (rows, outcome) => {
      // Accepted now or never: a close that begins between the two inserts lets this write finish
      // (its outcome is not refused after its predictions were stored).
      const predictions = this.stream(playerPropPredictionsTable, rows.map((row) => ({ insertId: row.prediction_id, json: row })));
      const done = (async () => {
        await predictions;
        if (outcome) await this.batcher.insert(requestOutcomesTable, [outcomeStreamRow(outcome)]);
      })();
      this.writing.add(done);
      void done.then(
        () => this.writing.delete(done),
        () => this.writing.delete(done),
      );
      return done;
    },
    currentPredictions: (gameDate, systemIds) => {
      if (systemIds !== undefined && systemIds.length === 0) return Promise.resolve([]);
      const filter = systemIds ? ' AND system_id IN UNNEST(@system_ids)' : '';
      return this.select(playerPropPredictionsTable, {
        // The ONE current-row rule (storage.ts). Duplicate copies of a prediction_id are identical,
        // so the same ROW_NUMBER also removes them.
        query: firstPerGroup(
          this.at,
          playerPropPredictionsTable,
          `game_date = @game_date${filter}`,
          'game_date, game_id, player_lookup, system_id',
          'request_published_at DESC, prediction_id DESC',
          'ORDER BY player_lookup, system_id, game_id',
        ),
        params: { game_date: gameDate, ...(systemIds ? { system_ids: [...systemIds] } : {}) },
        types: { game_date: 'DATE', ...(systemIds ? { system_ids: ['STRING'] } : {}) },
      });
    },
    allPredictions: (gameDate) =>
      this.select(playerPropPredictionsTable, {
        // Read-side dedup: insertId is best-effort, one copy per prediction_id is shown.
        query: firstPerGroup(
          this.at,
          playerPropPredictionsTable,
          'game_date = @game_date',
          'prediction_id',
          'created_at',
          'ORDER BY player_lookup, system_id, request_published_at, prediction_id',
        ),
        params: { game_date: gameDate },
        types: { game_date: 'DATE' },
      }),
  };

  outcomes: Storage['outcomes'] = {
    // Streamed like predictions (one row per push: DML per message would hit BigQuery's DML
    // concurrency limits); the upsert-by-message_id semantics live in the read (outcomesWhere).
    record: (outcome) => this.stream(requestOutcomesTable, [outcomeStreamRow(outcome)]),
    findMany: async (messageIds) =>
      messageIds.length === 0
        ? []
        : this.outcomesWhere('message_id IN UNNEST(@message_ids)', '', { params: { message_ids: [...messageIds] }, types: { message_ids: ['STRING'] } }),
    // Every outcome of one message carries the same payload date, so filtering before dedup is safe.
    forDate: (gameDate) => this.outcomesWhere('game_date = @game_date', '', { params: { game_date: gameDate }, types: { game_date: 'DATE' } }),
    // The outcome filter applies after dedup: a message rejected, then written, is not rejected.
    rejected: (sinceIso) =>
      sinceIso === undefined
        ? this.outcomesWhere('TRUE', "AND outcome = 'rejected'")
        : this.outcomesWhere('received_at >= @since', "AND outcome = 'rejected'", { params: { since: sinceIso }, types: { since: 'TIMESTAMP' } }),
  };

  actuals: Storage['actuals'] = {
    forDate: (gameDate) => this.byDate(playerGameSummaryTable, gameDate, 'player_lookup, game_id'),
    upsert: (rows) => this.merge(playerGameSummaryTable, rows),
  };

  accuracy: Storage['accuracy'] = {
    // Only the graded systems' rows of the date are replaced (default: the systems in `rows`).
    replaceDate: (gameDate, rows, systemIds) =>
      this.replaceDate(predictionAccuracyTable, gameDate, rows, systemIds ?? [...new Set(rows.map((r) => r.system_id))]),
    forRange: (fromDate, toDate, systemIds) => {
      if (systemIds !== undefined && systemIds.length === 0) return Promise.resolve([]);
      return this.select(predictionAccuracyTable, {
        query:
          `${selectFrom(this.at, predictionAccuracyTable)} WHERE game_date BETWEEN @from_date AND @to_date` +
          (systemIds ? ' AND system_id IN UNNEST(@system_ids)' : '') +
          ' ORDER BY game_date, system_id, player_lookup, game_id',
        params: { from_date: fromDate, to_date: toDate, ...(systemIds ? { system_ids: [...systemIds] } : {}) },
        types: { from_date: 'DATE', to_date: 'DATE', ...(systemIds ? { system_ids: ['STRING'] } : {}) },
      });
    },
  };

  signals: Storage['signals'] = {
    replaceDate: (gameDate, rows) => this.replaceDate(dailyPredictionSignalsTable, gameDate, rows),
    forDate: (gameDate) => this.byDate(dailyPredictionSignalsTable, gameDate, 'system_id'),
  };

  notifications: Storage['notifications'] = {
    find: async (gameDate, kind) =>
      (
        await this.select(notificationsTable, {
          query: `${selectFrom(this.at, notificationsTable)} WHERE game_date = @game_date AND kind = @kind`,
          params: { game_date: gameDate, kind },
          types: { game_date: 'DATE', kind: 'STRING' },
        })
      )[0],
    record: (row) => this.merge(notificationsTable, [row]),
  };

  performance: Storage['performance'] = bigQueryPerformanceStore({
    at: () => this.at,
    select: (table, query) => this.select(table, query),
    replaceDate: (table, gameDate, rows) => this.replaceDate(table, gameDate, rows),
  });
  /** The lifecycle tables (registry-store.ts) use this storage's own select and keyed merge. */
  private readonly tableAccess: BigQueryTableAccess = {
    at: () => this.at,
    select: (table, query) => this.select(table, query),
    merge: (table, rows) => this.merge(table, rows),
  };
  registryEvents: Storage['registryEvents'] = bigQueryRegistryEvents(this.tableAccess);
  /** /ready's write check: IAM updateData on the push path's tables (write-check.ts). */
  checkWrite: Storage['checkWrite'] = () =>
    bigQueryWriteCheck({
      client: this.client as unknown as IamTableClient,
      tables: [playerPropPredictionsTable, requestOutcomesTable].map((t) => ({ dataset: datasetOf(t, this.at.datasets), table: t.name })),
      emulator: (this.opts.writeCheck ?? (this.opts.apiEndpoint === undefined ? 'iam' : 'skip')) === 'skip',
    })();
  registry: Storage['registry'] = bigQueryRegistrySnapshot(this.tableAccess);

  /**
   * Reachability for /ready, then (once, until it passes) the start-up schema check: every table
   * the worker reads or writes exists with the columns it needs. Otherwise PW_ERR_STORAGE_SCHEMA
   * naming each table and column, so /ready stays 503 with the reason and Cloud Run's startup
   * probe keeps the revision away from traffic (no 503 storm on /predict).
   */
  async ping(): Promise<void> {
    await this.run('PW_ERR_STORAGE_READ', this.location, { query: 'SELECT 1 AS ok' });
    if (this.schemaChecked) return;
    this.schemaCheck ??= this.checkSchema().then(
      () => {
        this.schemaChecked = true;
      },
      (err: unknown) => {
        this.schemaCheck = undefined; // the next ping checks again (e.g. after bigquery init)
        throw err;
      },
    );
    await this.schemaCheck;
  }

  private async checkSchema(): Promise<void> {
    let problems: string[];
    try {
      const expected = this.setupOptions();
      problems = setupProblems(planSetup(expected, await readSetupState(this.client, expected)), { tablesOnly: true });
    } catch (err) {
      throw new PwError('PW_ERR_STORAGE_READ', { cause: err }, `table metadata in ${this.opts.projectId}`, message(err));
    }
    if (problems.length > 0) throw new PwError('PW_ERR_STORAGE_SCHEMA', undefined, `${problems.join('; ')} (run \`cli bigquery init\`; docs/deploy.md)`);
  }

  private setupOptions(): SetupOptions {
    return {
      at: this.at,
      location: this.opts.location ?? 'US',
      partitioning: this.opts.partitioning ?? true,
      partitionExpirationDays: this.opts.partitionExpirationDays,
    };
  }

  async close(): Promise<void> {
    // Prediction writes accepted before close finish (both inserts: never predictions stored and
    // the outcome refused); rows waiting to share a call go out now. A schema
    // check still running for a /ready that stopped waiting is let finish (no request is cut off
    // mid-way).
    this.closed = true;
    await Promise.allSettled([...this.writing]);
    await this.batcher.flush();
    await this.schemaCheck?.catch(() => undefined);
  }

  async ensureTables(): Promise<void> {
    const expected = this.setupOptions();
    await applySetup(this.client, planSetup(expected, await readSetupState(this.client, expected)));
  }
}
