/**
 * @module storage/duckdb/duckdb-storage
 * The embedded Storage: one DuckDB file (or ':memory:' in tests) holding every table of
 * ALL_TABLES. Writes are keyed upserts, so re-running any step is safe: rows go through the
 * appender into a connection-local stage table, then one `INSERT … SELECT … ON CONFLICT (key) DO
 * UPDATE` merges them (atomic: one statement). `replaceDate` is DELETE + merge in one transaction.
 *
 * Writes run on one connection through a FIFO queue (a connection runs one statement at a time
 * and BEGIN…COMMIT must not interleave). Upserts to a table that arrive while the writer is busy
 * join one group and are merged together ("group commit"): a statement costs about the same for
 * 6 rows as for 60, so throughput grows with load while a lone write waits for nothing. Each
 * caller's promise resolves only once its rows are committed (no write-behind: an acknowledged
 * Pub/Sub message is never lost); if a group fails, its members are retried one by one so one bad
 * message cannot fail the others. Reads use a second connection with its own queue; MVCC keeps
 * them consistent and a slow read never delays a push's write.
 *
 * DuckDB lets one process open a file read-write; a second open fails with PW_ERR_DB_LOCKED,
 * whose message names the file and what to do.
 *
 * @example
 *   const storage = await openDuckDbStorage({ path: 'data/prediction-worker.duckdb' });
 *   await storage.predictions.write(rows);
 *   await storage.close();
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DuckDBInstance, LIST, VARCHAR, listValue, type DuckDBConnection, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import { PwError, type ErrorCode } from '../../errors.js';
import type { Storage } from '../storage.js';
import {
  ALL_TABLES,
  dailyPredictionSignalsTable,
  duckDbColumnType,
  duckDbDdl,
  embeddedName,
  featureStoreTable,
  notificationsTable,
  playerGameSummaryTable,
  playerPropPredictionsTable,
  predictionAccuracyTable,
  requestOutcomesTable,
  type AnyTable,
  type RowOf,
} from '../tables/index.js';
import { lastPerKey } from '../keys.js';
import { columnsOf, fromDuckDbRow, mergeSql, rowParams, selectFrom, stageDdl, stageName } from './values.js';
import { duckDbRegistryEvents, duckDbRegistrySnapshot, type DuckDbTableAccess } from './registry-store.js';

export interface DuckDbStorageOptions {
  /** A file path (its directory is created) or ':memory:'. */
  path: string;
  /** Open without write access (CLI reports). Still conflicts with a read-write holder. */
  readOnly?: boolean;
}

type Rows = readonly Record<string, unknown>[];

/** One caller's write: rows for one or more tables, committed in this order. */
interface PendingWrite {
  parts: ReadonlyArray<readonly [AnyTable, Rows]>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Runs tasks one at a time, in call order; a failed task does not block the next. */
class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  idle(): Promise<unknown> {
    return this.tail;
  }
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function lockedError(path: string, err: unknown): PwError {
  const pid = /PID (\d+)/.exec(message(err))?.[1];
  const holder = pid ? `process ${pid}` : 'another process';
  return new PwError(
    'PW_ERR_DB_LOCKED',
    { cause: err },
    path,
    `${holder} holds it (DuckDB allows one read-write process per file). Stop that worker/process, ` +
      `or query the running worker through its HTTP endpoints instead of opening the file`,
  );
}

export async function openDuckDbStorage(options: DuckDbStorageOptions): Promise<Storage> {
  const inMemory = options.path === ':memory:';
  const path = inMemory ? options.path : resolve(options.path);
  if (!inMemory && !options.readOnly) mkdirSync(dirname(path), { recursive: true });
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, options.readOnly ? { access_mode: 'READ_ONLY' } : {});
  } catch (err) {
    if (/lock/i.test(message(err))) throw lockedError(path, err);
    throw new PwError('PW_ERR_STORAGE_READ', { cause: err }, path, message(err));
  }
  const writer = await instance.connect();
  const reader = await instance.connect();
  try {
    if (!options.readOnly) {
      for (const table of ALL_TABLES) {
        await writer.run(duckDbDdl(table));
        await addMissingColumns(writer, path, table);
      }
    }
  } catch (err) {
    writer.closeSync();
    reader.closeSync();
    instance.closeSync();
    throw err;
  }
  return new DuckDbStorage(path, instance, writer, reader);
}

/**
 * A file written by an older build lacks columns added since: add them (additive changes only,
 * the same rule BigQuery applies). A missing REQUIRED column cannot be back-filled: say so.
 */
async function addMissingColumns(conn: DuckDBConnection, path: string, table: AnyTable): Promise<void> {
  const existing = new Set(
    (
      await conn.runAndReadAll('SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?', [
        table.dataset,
        table.name,
      ])
    )
      .getRowObjectsJS()
      .map((r) => String(r.column_name)),
  );
  for (const [name, c] of columnsOf(table)) {
    if (existing.has(name)) continue;
    if (c.mode === 'REQUIRED') {
      throw new PwError(
        'PW_ERR_CONFIG',
        undefined,
        `${path}: table ${embeddedName(table)} lacks the required column ${name}; move the file aside and let the worker create a new one`,
      );
    }
    await conn.run(`ALTER TABLE ${embeddedName(table)} ADD COLUMN "${name}" ${duckDbColumnType(c)}`);
  }
}

class DuckDbStorage implements Storage {
  readonly kind = 'duckdb' as const;
  private readonly writes = new SerialQueue();
  private readonly reads = new SerialQueue();
  /** Per table: upserts waiting for the writer, to be merged in one statement. */
  /** Writes waiting for the writer, by group key (the table name, or `predictions+outcome`). */
  private readonly openGroups = new Map<string, PendingWrite[]>();
  /** Tables whose TEMP stage exists on the write connection. */
  private readonly staged = new Set<AnyTable>();
  private closed = false;

  constructor(
    readonly location: string,
    private readonly instance: DuckDBInstance,
    private writer: DuckDBConnection,
    private readonly reader: DuckDBConnection,
  ) {}

  // ---- generic helpers -------------------------------------------------------------------

  private ensureOpen(code: ErrorCode, what: string): void {
    if (this.closed) throw new PwError(code, undefined, what, `storage ${this.location} is closed`);
  }

  private async select<T extends AnyTable>(
    table: T,
    where: string,
    params: DuckDBValue[],
    types: DuckDBType[],
    tail: string,
  ): Promise<Array<RowOf<T>>> {
    this.ensureOpen('PW_ERR_STORAGE_READ', table.name);
    const raw = await this.reads
      .run(async () => (await this.reader.runAndReadAll(`${selectFrom(table)} WHERE ${where} ${tail}`, params, types)).getRowObjectsJS())
      .catch((err: unknown) => {
        throw new PwError('PW_ERR_STORAGE_READ', { cause: err }, embeddedName(table), message(err));
      });
    return raw.map((r) => {
      const parsed = table.rowSchema.safeParse(fromDuckDbRow(table, r));
      if (!parsed.success) {
        throw new PwError('PW_ERR_STORAGE_READ', { cause: parsed.error }, embeddedName(table), `stored row does not match the schema: ${parsed.error.message}`);
      }
      return parsed.data as RowOf<T>;
    });
  }

  private wrapWriteError(table: AnyTable, err: unknown): PwError {
    if (err instanceof PwError) return err;
    return new PwError('PW_ERR_SINK_WRITE', { cause: err }, embeddedName(table), message(err));
  }

  /**
   * Append rows to the table's stage and merge them (one statement); the stage is left empty.
   * Outside a caller's transaction the three steps run in one, so a group costs one commit
   * instead of three (a DuckDB commit, not the statements, is what a small write pays for).
   */
  private async stageAndMerge(table: AnyTable, rows: readonly Record<string, unknown>[], inTransaction = false): Promise<void> {
    const unique = lastPerKey(table, rows); // one statement may not update the same key twice
    if (unique.length === 0) return;
    if (!this.staged.has(table)) {
      await this.writer.run(stageDdl(table));
      this.staged.add(table);
    }
    if (!inTransaction) {
      // Fast path: append straight into the table. DuckDB's planner makes every INSERT … ON
      // CONFLICT cost ~15 ms on these wide tables; an appender flush costs a few ms however many
      // rows it carries and is atomic. A key that already exists (a redelivery, a re-seed) makes
      // the flush fail as a whole, and only then do we take the keyed merge below.
      if (unique.length === rows.length && (await this.appendNew(table, unique))) return;
      await this.writer.run('BEGIN TRANSACTION');
      try {
        await this.stageAndMerge(table, unique, true);
        await this.writer.run('COMMIT');
      } catch (err) {
        await this.writer.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
      return;
    }
    try {
      const appender = await this.writer.createAppender(stageName(table));
      try {
        for (const row of unique) {
          for (const [value, type] of rowParams(table, row)) appender.appendValue(value, type);
          appender.endRow();
        }
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
      await this.writer.run(mergeSql(table));
    } finally {
      await this.writer.run(`DELETE FROM ${stageName(table)}`);
    }
  }

  /** Appends rows whose keys are all new; false (nothing written) when any key already exists. */
  private async appendNew(table: AnyTable, rows: readonly Record<string, unknown>[]): Promise<boolean> {
    const appender = await this.writer.createAppender(table.name, table.dataset);
    try {
      for (const row of rows) {
        for (const [value, type] of rowParams(table, row)) appender.appendValue(value, type);
        appender.endRow();
      }
      appender.flushSync();
    } catch (err) {
      // Drop the rows the failed flush kept: otherwise closing (or, later, garbage collection)
      // flushes them again and aborts whatever the connection is doing then.
      try {
        appender.clear();
        appender.closeSync();
      } catch {
        // closing a failed appender may report the same error again
      }
      // A failed flush can leave the connection's transaction aborted (seen intermittently even
      // after a ROLLBACK): carry on with a fresh write connection instead.
      await this.replaceWriter();
      if (/duplicate key|constraint/i.test(message(err))) return false;
      throw err;
    }
    appender.closeSync();
    return true;
  }

  /** Swap the write connection for a new one (TEMP stage tables are per connection: recreate them). */
  private async replaceWriter(): Promise<void> {
    const old = this.writer;
    this.writer = await this.instance.connect();
    this.staged.clear();
    try {
      old.closeSync();
    } catch {
      // the old connection is being discarded because it is in a bad state
    }
  }

  /** Queue an upsert; it joins the table's open group if one is waiting for the writer. */
  private upsert(table: AnyTable, rows: Rows): Promise<void> {
    return this.enqueue(table.name, [[table, rows]]);
  }

  /** Queue a write of several tables' rows; it joins the open group with the same key. */
  private async enqueue(key: string, parts: ReadonlyArray<readonly [AnyTable, Rows]>): Promise<void> {
    this.ensureOpen('PW_ERR_SINK_WRITE', parts[0]![0].name);
    if (parts.every(([, rows]) => rows.length === 0)) return;
    return new Promise<void>((resolve, reject) => {
      const open = this.openGroups.get(key);
      if (open) {
        open.push({ parts, resolve, reject });
        return;
      }
      const group: PendingWrite[] = [{ parts, resolve, reject }];
      this.openGroups.set(key, group);
      // Commit after this turn of the event loop: every request whose I/O arrived in the same
      // turn joins the group, and the group costs one (synchronous) appender flush per table.
      setImmediate(() => this.startGroup(key, group));
    });
  }

  /** Queue a group's commit once (from its setImmediate, or earlier from replaceDate). */
  private startGroup(key: string, group: PendingWrite[]): void {
    if (this.openGroups.get(key) !== group) return; // already started
    this.openGroups.delete(key); // later writes start a new group
    void this.writes.run(() => this.commitGroup(group));
  }

  /** Each table's rows of the whole group in one merge, tables in order; on failure, member by member. */
  private async commitGroup(group: PendingWrite[]): Promise<void> {
    const byTable = new Map<AnyTable, Record<string, unknown>[]>();
    for (const g of group) for (const [table, rows] of g.parts) byTable.set(table, [...(byTable.get(table) ?? []), ...rows]);
    try {
      for (const [table, rows] of byTable) await this.stageAndMerge(table, rows);
      for (const g of group) g.resolve();
    } catch (err) {
      if (group.length === 1) return group[0]!.reject(this.wrapWriteError(group[0]!.parts[0]![0], err));
      for (const g of group) {
        let failed: { table: AnyTable; err: unknown } | undefined;
        for (const [table, rows] of g.parts) {
          if (failed) break;
          await this.stageAndMerge(table, rows).catch((e: unknown) => (failed = { table, err: e }));
        }
        if (failed) g.reject(this.wrapWriteError(failed.table, failed.err));
        else g.resolve();
      }
    }
  }

  private async replaceDate(table: AnyTable, gameDate: string, rows: readonly Record<string, unknown>[]): Promise<void> {
    this.ensureOpen('PW_ERR_SINK_WRITE', table.name);
    const foreign = rows.find((r) => r.game_date !== gameDate);
    if (foreign) {
      throw new PwError('PW_ERR_SINK_WRITE', undefined, embeddedName(table), `replaceDate(${gameDate}) got a row for ${String(foreign.game_date)}`);
    }
    // Upserts called before this run before it; those called after, after it.
    const open = this.openGroups.get(table.name);
    if (open) this.startGroup(table.name, open);
    await this.writes
      .run(async () => {
        await this.writer.run('BEGIN TRANSACTION');
        try {
          await this.writer.run(`DELETE FROM ${embeddedName(table)} WHERE game_date = CAST(? AS DATE)`, [gameDate], [VARCHAR]);
          await this.stageAndMerge(table, rows, true);
          await this.writer.run('COMMIT');
        } catch (err) {
          await this.writer.run('ROLLBACK').catch(() => undefined);
          throw err;
        }
      })
      .catch((err: unknown) => {
        throw this.wrapWriteError(table, err);
      });
  }

  /** `AND list_contains(?, system_id)` when a system filter is given. */
  private static systemFilter(systemIds: readonly string[] | undefined): { sql: string; values: DuckDBValue[]; types: DuckDBType[] } {
    if (systemIds === undefined) return { sql: '', values: [], types: [] };
    return { sql: ' AND list_contains(?, system_id)', values: [listValue([...systemIds])], types: [LIST(VARCHAR)] };
  }

  // ---- the interfaces ----------------------------------------------------------------------

  features: Storage['features'] = {
    loadSlate: (gameDate) => this.select(featureStoreTable, 'game_date = CAST(? AS DATE)', [gameDate], [VARCHAR], 'ORDER BY player_lookup'),
    upsert: (rows) => this.upsert(featureStoreTable, rows),
  };

  predictions: Storage['predictions'] = {
    write: (rows, outcome) =>
      outcome
        ? this.enqueue('predictions+outcome', [[playerPropPredictionsTable, rows], [requestOutcomesTable, [outcome]]])
        : this.upsert(playerPropPredictionsTable, rows),
    currentPredictions: (gameDate, systemIds) => {
      const f = DuckDbStorage.systemFilter(systemIds);
      return this.select(
        playerPropPredictionsTable,
        `game_date = CAST(? AS DATE)${f.sql}`,
        [gameDate, ...f.values],
        [VARCHAR, ...f.types],
        // The ONE current-row rule (storage.ts): latest publish time, then largest prediction_id.
        `QUALIFY ROW_NUMBER() OVER (PARTITION BY game_date, game_id, player_lookup, system_id
           ORDER BY request_published_at DESC, prediction_id DESC) = 1
         ORDER BY player_lookup, system_id, game_id`,
      );
    },
    allPredictions: (gameDate) =>
      this.select(
        playerPropPredictionsTable,
        'game_date = CAST(? AS DATE)',
        [gameDate],
        [VARCHAR],
        'ORDER BY player_lookup, system_id, request_published_at, prediction_id',
      ),
  };

  outcomes: Storage['outcomes'] = {
    record: (outcome) => this.upsert(requestOutcomesTable, [outcome]),
    forDate: (gameDate) =>
      this.select(requestOutcomesTable, 'game_date = CAST(? AS DATE)', [gameDate], [VARCHAR], 'ORDER BY received_at, message_id'),
    rejected: (sinceIso) =>
      sinceIso === undefined
        ? this.select(requestOutcomesTable, "outcome = 'rejected'", [], [], 'ORDER BY received_at, message_id')
        : this.select(
            requestOutcomesTable,
            "outcome = 'rejected' AND received_at >= CAST(? AS TIMESTAMPTZ)",
            [sinceIso],
            [VARCHAR],
            'ORDER BY received_at, message_id',
          ),
  };

  actuals: Storage['actuals'] = {
    forDate: (gameDate) =>
      this.select(playerGameSummaryTable, 'game_date = CAST(? AS DATE)', [gameDate], [VARCHAR], 'ORDER BY player_lookup, game_id'),
    upsert: (rows) => this.upsert(playerGameSummaryTable, rows),
  };

  accuracy: Storage['accuracy'] = {
    replaceDate: (gameDate, rows) => this.replaceDate(predictionAccuracyTable, gameDate, rows),
    forRange: (fromDate, toDate, systemIds) => {
      const f = DuckDbStorage.systemFilter(systemIds);
      return this.select(
        predictionAccuracyTable,
        `game_date BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)${f.sql}`,
        [fromDate, toDate, ...f.values],
        [VARCHAR, VARCHAR, ...f.types],
        'ORDER BY game_date, system_id, player_lookup, game_id',
      );
    },
  };

  signals: Storage['signals'] = {
    replaceDate: (gameDate, rows) => this.replaceDate(dailyPredictionSignalsTable, gameDate, rows),
    forDate: (gameDate) =>
      this.select(dailyPredictionSignalsTable, 'game_date = CAST(? AS DATE)', [gameDate], [VARCHAR], 'ORDER BY system_id'),
  };

  notifications: Storage['notifications'] = {
    find: async (gameDate, kind) =>
      (await this.select(notificationsTable, 'game_date = CAST(? AS DATE) AND kind = ?', [gameDate, kind], [VARCHAR, VARCHAR], ''))[0],
    record: (row) => this.upsert(notificationsTable, [row]),
  };

  /** The lifecycle tables (registry-store.ts) use this storage's own select and upsert. */
  private readonly tableAccess: DuckDbTableAccess = {
    select: (table, where, params, types, tail) => this.select(table, where, params, types, tail),
    upsert: (table, rows) => this.upsert(table, rows),
  };
  registryEvents: Storage['registryEvents'] = duckDbRegistryEvents(this.tableAccess);
  registry: Storage['registry'] = duckDbRegistrySnapshot(this.tableAccess);

  async ping(): Promise<void> {
    this.ensureOpen('PW_ERR_STORAGE_READ', 'ping');
    await this.reads.run(() => this.reader.run('SELECT 1')).catch((err: unknown) => {
      throw new PwError('PW_ERR_STORAGE_READ', { cause: err }, this.location, message(err));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Let queued statements finish before the connections go away.
    await Promise.all([this.writes.idle(), this.reads.idle()]);
    this.writer.closeSync();
    this.reader.closeSync();
    this.instance.closeSync();
  }
}
