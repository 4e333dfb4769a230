/**
 * @module storage/duckdb/duckdb-storage
 * The embedded Storage: one DuckDB file (or ':memory:' in tests) holding every table of
 * ALL_TABLES. This file opens the database and assembles the parts:
 *   - migrate.ts       creates tables, adds columns an older file lacks;
 *   - write-queue.ts   the FIFO write queue and group commit (one caller's promise resolves only
 *                      once its rows are committed; a failing group is retried member by member);
 *   - table-writer.ts  the write connection: append, or stage + keyed merge when a key exists;
 *   - table-reader.ts  the read connection (its own queue; MVCC) and schema-checked rows;
 *   - table-stores.ts  the Storage interfaces (SQL per table) over the two;
 *   - ingest-log.ts, buffered-writes.ts  (a file opened read-write) the fsynced log the two hot
 *                      tables are written through and applied from in batches, replayed here at open;
 *   - known-message-ids.ts  the Bloom filter of stored message ids (outcome lookups).
 * Writes are keyed upserts, so re-running any step is safe. The serving worker runs all of this on
 * a storage thread (storage-thread.ts).
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
import { DuckDBInstance } from '@duckdb/node-api';
import { PwError } from '../../errors.js';
import type { Storage } from '../storage.js';
import { migrate } from './migrate.js';
import { message } from './serial-queue.js';
import { TableReader } from './table-reader.js';
import { accuracyStore, actualsStore, featureStore, foldedWrite, notificationLog, outcomeLog, predictionSink, signalStore, type DuckDbParts } from './table-stores.js';
import { TableWriter } from './table-writer.js';
import { WriteQueue } from './write-queue.js';
import { performanceStore } from './performance-store.js';
import { registryEventLog, registrySnapshotStore } from './registry-store.js';
import { duckDbWriteCheck } from './write-check-store.js';
import { BufferedWrites, type BufferedWritesOptions } from './buffered-writes.js';
import { IngestLog, TABLES_BY_LOG_NAME, ingestLogDir, readAll } from './ingest-log.js';
import { KnownMessageIds, storedOutcomeCount, type SharedKnownIds } from './known-message-ids.js';
import type { FoldedWrite } from './write-codec.js';

export interface DuckDbStorageOptions {
  /** Batch sizes of the ingest log (a database file opened read-write); defaults in buffered-writes.ts. */
  ingest?: BufferedWritesOptions;
  /** A file path (its directory is created) or ':memory:'. */
  path: string;
  /** Open without write access (CLI reports). Still conflicts with a read-write holder. */
  readOnly?: boolean;
}

/**
 * DuckDB's buffer pool cap for a database file (its default is 80 % of the machine's RAM): the
 * worker's tables are small and written append-only, and a Cloud Run instance has 512 MB–1 GB
 * (issue 10 keeps the whole worker under 250 MB RSS). Beyond it DuckDB evicts cached blocks
 * (they are on disk); a single result larger than the cap fails with PW_ERR_STORAGE_READ.
 * ':memory:' databases (tests) and read-only opens keep DuckDB's default.
 */
export const DUCKDB_FILE_MEMORY_LIMIT = '128MB';
/**
 * WAL size that triggers an automatic checkpoint (DuckDB's default is 16 MB, which at push rates
 * checkpoints every few seconds; a checkpoint stalls the writer for 90–430 ms and costs CPU
 * proportional to the table's index). Larger means fewer stalls; the WAL is replayed on the next
 * open and checkpointed on close.
 */
export const DUCKDB_CHECKPOINT_THRESHOLD = '256MB';
/**
 * DuckDB worker threads for a database file. The worker's statements are small appends and
 * commits on one connection: one thread measured 336 µs of CPU per message (6 rows + outcome)
 * against 543 with DuckDB's default (one per core), which the request handling needs.
 */
export const DUCKDB_FILE_THREADS = '1';

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

/**
 * Open (creating and migrating unless read-only) the embedded database at `options.path`.
 * Throws PW_ERR_DB_LOCKED when another process holds the file, PW_ERR_STORAGE_READ when it cannot
 * be opened, PW_ERR_CONFIG when its schema cannot be migrated.
 */
export async function openDuckDbStorage(options: DuckDbStorageOptions): Promise<EmbeddedStorage> {
  const inMemory = options.path === ':memory:';
  const path = inMemory ? options.path : resolve(options.path);
  if (!inMemory && !options.readOnly) mkdirSync(dirname(path), { recursive: true });
  let instance: DuckDBInstance;
  try {
    // The cap is for the long-running read-write process (the worker); a read-only open (CLI
    // reports) may need more for one large result and exits when done.
    const settings: Record<string, string> =
      inMemory || options.readOnly ? {} : { memory_limit: DUCKDB_FILE_MEMORY_LIMIT, checkpoint_threshold: DUCKDB_CHECKPOINT_THRESHOLD, threads: DUCKDB_FILE_THREADS };
    if (options.readOnly) settings.access_mode = 'READ_ONLY';
    instance = await DuckDBInstance.create(path, settings);
  } catch (err) {
    if (/lock/i.test(message(err))) throw lockedError(path, err);
    throw new PwError('PW_ERR_STORAGE_READ', { cause: err }, path, message(err));
  }
  const writer = await instance.connect();
  const reader = await instance.connect();
  const tableWriter = new TableWriter(instance, writer);
  const writes = new WriteQueue(path, tableWriter);
  let log: BufferedWrites | undefined;
  let knownLoaded: Promise<unknown> = Promise.resolve();
  try {
    if (options.readOnly) refuseUnappliedLog(path);
    else await migrate(writer, path);
    if (!inMemory && !options.readOnly) {
      const dir = ingestLogDir(path);
      const { records, through } = readLog(dir);
      const ingestLog = openIngestLog(dir);
      const known = KnownMessageIds.sizedFor(await storedOutcomeCount(instance));
      log = new BufferedWrites(ingestLog, writes, options.ingest, known, duckDbWriteCheck(writes));
      // What an earlier process acknowledged but did not apply (it stopped without closing).
      await log.applyReplayed(records);
      ingestLog.deleteThrough(through);
      knownLoaded = known.load(instance); // in the background: /ready does not wait for it
    }
  } catch (err) {
    writer.closeSync();
    reader.closeSync();
    instance.closeSync();
    throw err;
  }
  const storage = new DuckDbStorage(path, instance, tableWriter, { writes, reads: new TableReader(path, reader), log }, knownLoaded);
  if (log) knownIdsByStorage.set(storage, log.known.shared);
  return storage;
}

/** The embedded Storage, with the storage thread's entry for writes folded on the event loop. */
export interface EmbeddedStorage extends Storage {
  /**
   * Write `folded`, a write of the logged tables as write-codec.ts `foldParts` folds it (what
   * `predictions.write` and `outcomes.record` write). Resolves and rejects as those methods do;
   * PW_ERR_SINK_WRITE for a value that is not such a write.
   */
  writeFolded(folded: FoldedWrite): Promise<void>;
}

const knownIdsByStorage = new WeakMap<Storage, SharedKnownIds>();

/**
 * The shared known-message-id filter of an embedded storage opened read-write on a file (undefined
 * otherwise): the storage thread hands it to the event loop (storage-thread.ts).
 */
export function sharedKnownIds(storage: Storage): SharedKnownIds | undefined {
  return knownIdsByStorage.get(storage);
}

/** Every record of the log folder (PW_ERR_STORAGE_READ when it is not a readable folder or a record is corrupt). */
function readLog(dir: string): ReturnType<typeof readAll> {
  try {
    return readAll(dir, TABLES_BY_LOG_NAME);
  } catch (err) {
    if (err instanceof PwError) throw err;
    throw new PwError('PW_ERR_STORAGE_READ', { cause: err }, dir, `the ingest log folder cannot be read (${message(err)}); it must be a folder the worker can write`);
  }
}

/** The log, open for appending (PW_ERR_STORAGE_READ when the folder cannot be created). */
function openIngestLog(dir: string): IngestLog {
  try {
    return new IngestLog(dir);
  } catch (err) {
    throw new PwError('PW_ERR_STORAGE_READ', { cause: err }, dir, `the ingest log folder cannot be created (${message(err)}); it must be a folder the worker can write`);
  }
}

/**
 * A read-only open cannot apply an ingest log an earlier worker left behind (it stopped without
 * closing): refuse rather than answer without those acknowledged writes.
 */
function refuseUnappliedLog(path: string): void {
  const dir = ingestLogDir(path);
  const waiting = readLog(dir).records.length > 0;
  if (waiting) {
    throw new PwError(
      'PW_ERR_STORAGE_READ',
      undefined,
      path,
      `${dir} holds acknowledged writes not yet in the database (the worker stopped without closing it); ` +
        'open it read-write once (start the worker, or run any command that writes) to apply them',
    );
  }
}

class DuckDbStorage implements EmbeddedStorage {
  readonly kind = 'duckdb' as const;
  private closed = false;
  private readonly parts: DuckDbParts;
  readonly features: Storage['features'];
  readonly predictions: Storage['predictions'];
  readonly outcomes: Storage['outcomes'];
  readonly actuals: Storage['actuals'];
  readonly accuracy: Storage['accuracy'];
  readonly signals: Storage['signals'];
  readonly notifications: Storage['notifications'];
  readonly performance: Storage['performance'];
  readonly registryEvents: Storage['registryEvents'];
  readonly registry: Storage['registry'];
  readonly checkWrite: Storage['checkWrite'];

  constructor(
    readonly location: string,
    private readonly instance: DuckDBInstance,
    private readonly writer: TableWriter,
    parts: DuckDbParts,
    /** The known-id filter's background load (close waits for it: it holds a connection). */
    private readonly knownLoaded: Promise<unknown>,
  ) {
    this.parts = parts;
    this.features = featureStore(this.parts);
    this.predictions = predictionSink(this.parts);
    this.outcomes = outcomeLog(this.parts);
    this.actuals = actualsStore(this.parts);
    this.accuracy = accuracyStore(this.parts);
    this.signals = signalStore(this.parts);
    this.notifications = notificationLog(this.parts);
    this.performance = performanceStore(this.parts);
    this.registryEvents = registryEventLog(this.parts);
    this.registry = registrySnapshotStore(this.parts);
    this.checkWrite = duckDbWriteCheck(this.parts.writes, this.parts.log);
  }

  ping(): Promise<void> {
    return this.parts.reads.ping();
  }

  writeFolded(folded: FoldedWrite): Promise<void> {
    return foldedWrite(this.parts, folded);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Apply the ingest log, then let queued statements finish before the connections go away.
    try {
      await this.knownLoaded;
      await this.parts.log?.close();
    } finally {
      await Promise.all([this.parts.writes.close(), this.parts.reads.close()]);
    }
    this.writer.close();
    this.instance.closeSync();
  }
}
