/**
 * @module storage/duckdb/table-writer
 * The write connection and how rows reach a table: one transaction per group, appended, falling
 * back to a keyed merge.
 *
 * Fast path (`commitAppend`): BEGIN; each table's rows as data chunks (one native call per
 * column, not per value) through an appender kept open on the connection, APPEND_SLICE_ROWS rows
 * per turn of the event loop, flushed once into the transaction; COMMIT. The COMMIT (WAL write
 * and fsync) runs on DuckDB's thread through the async API, off the event loop; only building
 * the chunks and the flush of in-memory chunks run on it. A key that already
 * exists (a redelivery, a re-seed) fails the flush and the whole transaction rolls back.
 *
 * Merge path (`commitMerge`): rows go through an appender into a connection-local stage table,
 * then one `INSERT … SELECT … ON CONFLICT (key) DO UPDATE` per table merges them (DuckDB's planner
 * makes this ~15 ms on these wide tables, so it is only the fallback); all tables in one
 * transaction.
 *
 * Callers sequence their use through one queue (write-queue.ts): this class assumes it is never
 * entered twice at once.
 */
import { DuckDBDataChunk, listValue, type DuckDBAppender, type DuckDBConnection, type DuckDBInstance, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import { lastPerKey } from '../keys.js';
import type { AnyTable, Column } from '../tables/index.js';
import { columnsOf, mergeSql, paramType, stageDdl, stageName, toParam } from './values.js';

export type Rows = readonly Record<string, unknown>[];

/** DuckDB's vector size: the most rows one data chunk holds. */
const CHUNK_ROWS = 2048;

/** A value as a data chunk takes it: like a bound parameter, but BIGINT as a bigint. */
function chunkValue(c: Column, value: unknown): DuckDBValue {
  if (c.type === 'INT64' && value !== null && value !== undefined) {
    return c.mode === 'REPEATED' ? listValue((value as number[]).map((v) => BigInt(v))) : BigInt(value as number);
  }
  return toParam(c, value);
}

/**
 * One reusable data chunk per table. A chunk holds native vectors for CHUNK_ROWS rows (~1 MB for
 * the predictions table) that JavaScript's garbage collector does not see: a new chunk per group
 * measured RSS growing by hundreds of MB under load, so each table's chunk is reset and reused.
 */
const chunks = new Map<AnyTable, DuckDBDataChunk>();

function chunkFor(table: AnyTable): DuckDBDataChunk {
  let chunk = chunks.get(table);
  if (!chunk) {
    chunk = DuckDBDataChunk.create(columnsOf(table).map(([, c]) => paramType(c)));
    chunks.set(table, chunk);
  }
  return chunk;
}

/**
 * Rows converted and appended per turn of the event loop when a batch is applied
 * (`commitAppend`): building a chunk costs ~5 µs per prediction row on the calling thread and the
 * Node binding has no asynchronous append, so a batch of ~300 rows built at once held the storage
 * thread ~2 ms before its ~2 ms flush (bench/duckdb-append.ts), during which no push could reach
 * the ingest log (most of bench:worker's p99). Between slices the thread logs and acknowledges
 * the pushes that arrived; the flush stays one call (it has a fixed cost of ~1 ms). 32 measured
 * best against 16 and 64 (bench/README.md). The price: a batch takes a little longer to apply
 * (p90 of the apply 17–25 → 21–31 ms in a review's run), and a bulk append of 20,000 rows (a
 * seed) ~1.4× longer.
 */
export const APPEND_SLICE_ROWS = 32;

/** Append `rows` (at most CHUNK_ROWS) to `appender` as one data chunk, bound with the stage's types. */
function appendChunk(appender: DuckDBAppender, table: AnyTable, rows: Rows): void {
  const chunk = chunkFor(table);
  chunk.reset();
  chunk.rowCount = rows.length;
  chunk.setColumns(columnsOf(table).map(([name, c]) => rows.map((row) => chunkValue(c, row[name]))));
  appender.appendDataChunk(chunk);
}

/** Append `rows` to `appender` as data chunks of at most CHUNK_ROWS rows. */
function appendChunks(appender: DuckDBAppender, table: AnyTable, rows: Rows): void {
  for (let first = 0; first < rows.length; first += CHUNK_ROWS) appendChunk(appender, table, rows.slice(first, first + CHUNK_ROWS));
}

/** Let the event loop run what waits (messages, I/O callbacks) before going on. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class TableWriter {
  /** Tables whose TEMP stage exists on the write connection. */
  private readonly staged = new Set<AnyTable>();
  /** Appenders kept open on the write connection, per table (creating one costs ~1 ms). */
  private readonly appenders = new Map<AnyTable, DuckDBAppender>();

  constructor(
    private readonly instance: DuckDBInstance,
    private conn: DuckDBConnection,
  ) {}

  /** Run one statement on the write connection. */
  async run(sql: string, values?: DuckDBValue[], types?: DuckDBType[]): Promise<void> {
    await this.conn.run(sql, values, types);
  }

  /** Run `body` inside BEGIN…COMMIT; ROLLBACK and rethrow when it throws. */
  async transaction(body: () => Promise<void> | void): Promise<void> {
    await this.conn.run('BEGIN TRANSACTION');
    try {
      await body();
      await this.conn.run('COMMIT');
    } catch (err) {
      await this.conn.run('ROLLBACK').catch(() => undefined);
      this.staged.clear(); // a stage created in this transaction is gone with it
      throw err;
    }
  }

  /**
   * Every table's rows appended in one transaction (all or nothing). Throws when any key already
   * exists or a row breaks a constraint; nothing is stored then and the connection is replaced
   * (a failed flush can leave it unusable). Rows must be unique per key (see `needsMerge`).
   */
  async commitAppend(byTable: ReadonlyMap<AnyTable, Rows>): Promise<void> {
    try {
      await this.transaction(async () => {
        for (const [table, rows] of byTable) {
          if (rows.length === 0) continue;
          const appender = await this.appenderFor(table);
          for (let first = 0; first < rows.length; first += APPEND_SLICE_ROWS) {
            if (first > 0) await nextTurn();
            appendChunk(appender, table, rows.slice(first, first + APPEND_SLICE_ROWS));
          }
          appender.flushSync();
        }
      });
    } catch (err) {
      await this.replaceConnection();
      throw err;
    }
  }

  /** Every table's rows merged by key (last row per key wins) in one transaction; all or nothing. */
  async commitMerge(byTable: ReadonlyMap<AnyTable, Rows>): Promise<void> {
    await this.transaction(async () => {
      for (const [table, rows] of byTable) await this.merge(table, rows);
    });
  }

  /** Merge rows by key inside the caller's transaction (last row per key wins). */
  async merge(table: AnyTable, rows: Rows): Promise<void> {
    const unique = lastPerKey(table, rows); // one statement may not update the same key twice
    if (unique.length === 0) return;
    if (!this.staged.has(table)) {
      await this.conn.run(stageDdl(table));
      this.staged.add(table);
    }
    try {
      const appender = await this.conn.createAppender(stageName(table));
      try {
        appendChunks(appender, table, unique);
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
      await this.conn.run(mergeSql(table));
    } finally {
      await this.conn.run(`DELETE FROM ${stageName(table)}`);
    }
  }

  private async appenderFor(table: AnyTable): Promise<DuckDBAppender> {
    let appender = this.appenders.get(table);
    if (!appender) {
      appender = await this.conn.createAppender(table.name, table.dataset);
      this.appenders.set(table, appender);
    }
    return appender;
  }

  /** Swap the write connection for a new one (appenders and TEMP stages are per connection). */
  private async replaceConnection(): Promise<void> {
    for (const appender of this.appenders.values()) {
      // Drop rows a failed flush kept: otherwise closing (or garbage collection) flushes them again.
      try {
        appender.clear();
        appender.closeSync();
      } catch {
        // closing a failed appender may report the same error again
      }
    }
    this.appenders.clear();
    const old = this.conn;
    this.conn = await this.instance.connect();
    this.staged.clear();
    try {
      old.closeSync();
    } catch {
      // the old connection is being discarded because it is in a bad state
    }
  }

  /** Close the appenders and the write connection (call once the queue is idle). */
  close(): void {
    for (const appender of this.appenders.values()) appender.closeSync();
    this.appenders.clear();
    this.conn.closeSync();
  }
}

/** True when rows repeat a key (the append path would refuse them: merge, last row wins). */
export function repeatsKey(table: AnyTable, rows: Rows): boolean {
  return lastPerKey(table, rows).length !== rows.length;
}
