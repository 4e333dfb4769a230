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
import {
  ALL_TABLES,
  bigQuerySchema,
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
import { bigQueryRegistryEvents, bigQueryRegistrySnapshot, type BigQueryTableAccess } from './registry-store.js';
import { firstPerGroup, fromBigQueryRow, keyString, replaceDateScript, selectFrom, tableRef, upsertScript } from './sql.js';
import { bigQueryPerformanceStore } from './performance-store.js';

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
}

export interface BigQueryStorage extends Storage {
  /** Create missing datasets and tables; add columns defined since (additive only). */
  ensureTables(): Promise<void>;
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

export function createBigQueryStorage(opts: BigQueryStorageOptions): BigQueryStorage {
  return new BigQueryStorageImpl(opts, bigQueryClient(opts));
}

class BigQueryStorageImpl implements BigQueryStorage {
  readonly kind = 'bigquery' as const;
  readonly location: string;
  private closed = false;

  constructor(
    private readonly opts: BigQueryStorageOptions,
    private readonly client: BigQuery,
  ) {
    this.location = `bigquery:${opts.projectId} (${[...new Set(ALL_TABLES.map((t) => t.dataset))].join(', ')})`;
  }

  private get project(): string {
    return this.opts.projectId;
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
    const what = `${table.dataset}.${table.name}`;
    const raw = await this.run(code, what, query);
    return raw.map((r) => {
      const parsed = table.rowSchema.safeParse(fromBigQueryRow(table, r));
      if (!parsed.success) throw new PwError(code, { cause: parsed.error }, what, `stored row does not match the schema: ${parsed.error.message}`);
      return parsed.data as RowOf<T>;
    });
  }

  private async merge(table: AnyTable, rows: readonly Record<string, unknown>[]): Promise<void> {
    if (rows.length === 0) return;
    const unique = lastPerKey(table, rows);
    await this.run('PW_ERR_SINK_WRITE', `${table.dataset}.${table.name}`, {
      query: upsertScript(this.project, table),
      params: { rows: JSON.stringify(unique), keys: unique.map((r) => keyString(table, r)) },
      types: { rows: 'STRING', keys: ['STRING'] },
    });
  }

  /** Streaming insert (append-only tables); `insertId` gives best-effort dedup, reads do the rest. */
  private async stream(table: AnyTable, rows: ReadonlyArray<{ insertId: string; json: Record<string, unknown> }>): Promise<void> {
    const what = `${table.dataset}.${table.name}`;
    this.ensureOpen('PW_ERR_SINK_WRITE', what);
    if (rows.length === 0) return;
    try {
      await this.client.dataset(table.dataset).table(table.name).insert([...rows], { raw: true });
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
        this.project,
        requestOutcomesTable,
        where,
        'message_id',
        "received_at DESC, IF(outcome = 'written', 0, 1)",
        `${after} ORDER BY received_at, message_id`,
      ),
    });
  }

  private async replaceDate(table: AnyTable, gameDate: string, rows: readonly Record<string, unknown>[]): Promise<void> {
    const what = `${table.dataset}.${table.name}`;
    const foreign = rows.find((r) => r.game_date !== gameDate);
    if (foreign) throw new PwError('PW_ERR_SINK_WRITE', undefined, what, `replaceDate(${gameDate}) got a row for ${String(foreign.game_date)}`);
    if (rows.length === 0) {
      await this.run('PW_ERR_SINK_WRITE', what, {
        query: `DELETE FROM ${tableRef(this.project, table)} WHERE game_date = @game_date`,
        params: { game_date: gameDate },
        types: { game_date: 'DATE' },
      });
      return;
    }
    await this.run('PW_ERR_SINK_WRITE', what, {
      query: replaceDateScript(this.project, table),
      params: { rows: JSON.stringify(lastPerKey(table, rows)), game_date: gameDate },
      types: { rows: 'STRING', game_date: 'DATE' },
    });
  }

  private byDate<T extends AnyTable>(table: T, gameDate: string, orderBy: string, code?: ErrorCode) {
    return this.select(
      table,
      { query: `${selectFrom(this.project, table)} WHERE game_date = @game_date ORDER BY ${orderBy}`, params: { game_date: gameDate }, types: { game_date: 'DATE' } },
      code,
    );
  }

  features: Storage['features'] = {
    loadSlate: (gameDate) => this.byDate(featureStoreTable, gameDate, 'player_lookup', 'PW_ERR_FEATURE_STORE'),
    upsert: (rows) => this.merge(featureStoreTable, rows),
  };

  predictions: Storage['predictions'] = {
    write: async (rows, outcome) => {
      await this.stream(playerPropPredictionsTable, rows.map((row) => ({ insertId: row.prediction_id, json: row })));
      if (outcome) await this.outcomes.record(outcome);
    },
    currentPredictions: (gameDate, systemIds) => {
      if (systemIds !== undefined && systemIds.length === 0) return Promise.resolve([]);
      const filter = systemIds ? ' AND system_id IN UNNEST(@system_ids)' : '';
      return this.select(playerPropPredictionsTable, {
        // The ONE current-row rule (storage.ts). Duplicate copies of a prediction_id are identical,
        // so the same ROW_NUMBER also removes them.
        query: firstPerGroup(
          this.project,
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
          this.project,
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
    record: (outcome) => this.stream(requestOutcomesTable, [{ insertId: `${outcome.message_id}/${outcome.received_at}/${outcome.outcome}`, json: outcome }]),
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
    replaceDate: (gameDate, rows) => this.replaceDate(predictionAccuracyTable, gameDate, rows),
    forRange: (fromDate, toDate, systemIds) => {
      if (systemIds !== undefined && systemIds.length === 0) return Promise.resolve([]);
      return this.select(predictionAccuracyTable, {
        query:
          `${selectFrom(this.project, predictionAccuracyTable)} WHERE game_date BETWEEN @from_date AND @to_date` +
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
          query: `${selectFrom(this.project, notificationsTable)} WHERE game_date = @game_date AND kind = @kind`,
          params: { game_date: gameDate, kind },
          types: { game_date: 'DATE', kind: 'STRING' },
        })
      )[0],
    record: (row) => this.merge(notificationsTable, [row]),
  };

  performance: Storage['performance'] = bigQueryPerformanceStore({
    project: () => this.project,
    select: (table, query) => this.select(table, query),
    replaceDate: (table, gameDate, rows) => this.replaceDate(table, gameDate, rows),
  });
  /** The lifecycle tables (registry-store.ts) use this storage's own select and keyed merge. */
  private readonly tableAccess: BigQueryTableAccess = {
    project: () => this.opts.projectId,
    select: (table, query) => this.select(table, query),
    merge: (table, rows) => this.merge(table, rows),
  };
  registryEvents: Storage['registryEvents'] = bigQueryRegistryEvents(this.tableAccess);
  registry: Storage['registry'] = bigQueryRegistrySnapshot(this.tableAccess);

  async ping(): Promise<void> {
    await this.run('PW_ERR_STORAGE_READ', this.location, { query: 'SELECT 1 AS ok' });
  }

  async close(): Promise<void> {
    // Every write is awaited by its caller: nothing is buffered here.
    this.closed = true;
  }

  async ensureTables(): Promise<void> {
    const partitioning = this.opts.partitioning ?? true;
    try {
      for (const datasetId of new Set(ALL_TABLES.map((t) => t.dataset))) {
        const dataset = this.client.dataset(datasetId, { location: this.opts.location });
        const [exists] = await dataset.exists();
        if (!exists) await dataset.create({ location: this.opts.location });
      }
      for (const table of ALL_TABLES as readonly AnyTable[]) {
        const ref = this.client.dataset(table.dataset).table(table.name);
        const fields = bigQuerySchema(table);
        const [exists] = await ref.exists();
        if (!exists) {
          await ref.create({
            schema: { fields },
            description: table.description,
            ...(partitioning && table.partitionBy ? { timePartitioning: { type: 'DAY', field: table.partitionBy } } : {}),
            ...(partitioning && table.clusterBy ? { clustering: { fields: [...table.clusterBy] } } : {}),
          });
          continue;
        }
        const [meta] = await ref.getMetadata();
        const have = new Set<string>((meta.schema?.fields ?? []).map((f: { name: string }) => f.name));
        const missing = fields.filter((f) => !have.has(f.name));
        const required = missing.filter((f) => f.mode === 'REQUIRED');
        if (required.length) {
          throw new Error(`table ${table.dataset}.${table.name} lacks REQUIRED column(s) ${required.map((f) => f.name).join(', ')}; BigQuery cannot add them to a table with rows`);
        }
        if (missing.length) await ref.setMetadata({ schema: { fields: [...(meta.schema?.fields ?? []), ...missing] } });
      }
    } catch (err) {
      throw new PwError('PW_ERR_SINK_WRITE', { cause: err }, `tables in ${this.opts.projectId}`, message(err));
    }
  }
}
