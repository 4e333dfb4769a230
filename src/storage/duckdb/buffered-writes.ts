/**
 * @module storage/duckdb/buffered-writes
 * The hot tables' write path of an embedded database file: every write to
 * `player_prop_predictions` and `prediction_request_outcomes` (one per push) is acknowledged once
 * it is in the fsynced ingest log (ingest-log.ts), then applied to DuckDB in batches through the
 * write queue: when INGEST_MAX_WRITES writes are waiting, INGEST_MAX_DELAY_MS after the first
 * one, before any read of those tables, and on close. A batch is one transaction (rows deduplicated
 * by key, last write wins) instead of one per ~7 pushes, which is what took the six-model worker
 * from ~800 to ~2,000 pushes/s (bench:worker).
 *
 * What a caller sees is unchanged: a write resolves only when it is durable (log fsynced), and every
 * read of these tables first applies what was acknowledged before it (read-your-writes), except
 * `pendingOutcome`, which answers the per-push outcome lookup from memory without forcing a batch.
 * Segments are deleted once their batch is committed; after a crash the next read-write open
 * replays them (idempotent: keyed merge), so an acknowledged write is never lost.
 *
 * If applying a batch fails (a full disk, an I/O error), its writes stay waiting (and in the log),
 * every new write is refused with that PW_ERR_SINK_WRITE (retryable: Pub/Sub redelivers) and so is
 * the /ready write check, and the batch is retried every INGEST_RETRY_MS until it succeeds. A write
 * DuckDB refuses for what it holds while the store takes others (the tables' zod schemas make this
 * rare) is set aside in `<file>.ingest-quarantine.log` with a warning, so it blocks nothing.
 */
import { PwError } from '../../errors.js';
import { lastPerKey } from '../keys.js';
import { playerPropPredictionsTable, requestOutcomesTable, type AnyTable } from '../tables/index.js';
import type { RequestOutcomeRow } from '../tables/request-outcomes.js';
import { appendFileSync } from 'node:fs';
import { encodeRecord, type IngestLog } from './ingest-log.js';
import { encodeParts, type LoggedParts } from './write-codec.js';
import { KnownMessageIds } from './known-message-ids.js';
import { SerialQueue } from './serial-queue.js';
import type { Rows } from './table-writer.js';
import type { WriteQueue } from './write-queue.js';

/** The tables whose writes go through the ingest log (every push writes them). */
export const LOGGED_TABLES: ReadonlySet<AnyTable> = new Set<AnyTable>([playerPropPredictionsTable, requestOutcomesTable]);

/** The parts of `predictions.write(rows, outcome)`: the rows, and the outcome with them when given. */
export function predictionWriteParts(rows: Rows, outcome?: RequestOutcomeRow): LoggedParts {
  return outcome ? [[playerPropPredictionsTable, rows], [requestOutcomesTable, [outcome]]] : [[playerPropPredictionsTable, rows]];
}

/** The parts of `outcomes.record(outcome)`. */
export function outcomeWriteParts(outcome: RequestOutcomeRow): LoggedParts {
  return [[requestOutcomesTable, [outcome]]];
}

/**
 * A batch is applied once this many writes wait, or INGEST_MAX_DELAY_MS after the first of them
 * was acknowledged. Neither changes what a reader sees (reads of the logged tables apply the log
 * first) or what a crash keeps (the log replays); they set how many pushes share a transaction's
 * fixed cost (~3–4 ms of CPU). A batch is built in slices (table-writer.ts APPEND_SLICE_ROWS) with
 * pushes logged in between. bench:worker, six models, open loop, two runs each (bench/README.md,
 * "Batch window"): 512/100 against 96/20 costs 868–962 vs 1,109–1,110 µs of CPU per push at
 * 1,000 pushes/s sent (p50 1.2–1.6 vs 3.0 ms), 738–777 vs 833–879 at 1,500, 671–673 vs 706–720 at
 * 2,000 (p99 48–55 vs 40–41 ms: a bigger batch's one flush holds the thread longer), and the same
 * at saturation (closed loop: 2,341–2,691 vs 2,389–2,761 req/s). 192/50 fell in between.
 */
export const INGEST_MAX_WRITES = 512;
/** See INGEST_MAX_WRITES. */
export const INGEST_MAX_DELAY_MS = 100;
/** Retry interval after a batch failed to apply. */
export const INGEST_RETRY_MS = 1000;
/**
 * Most acknowledged writes waiting for a batch: beyond it a new write first waits until the next
 * batch takes them (backpressure: a checkpoint that stalls DuckDB for seconds must not grow the
 * heap without bound; measured 186 MB of storage-thread heap in such a stall without it). With the
 * batch being applied, at most ~2 × this many writes are held in memory (~5.5 KB each with six
 * models, write-codec.ts: ~45 MB at most). 4,096 is ~2 s of pushes at 2,000/s, about a
 * checkpoint's stall under load: open loop at 2,000 pushes/s, two runs each, p99 of the second
 * 15 s 32–35 ms (max 54–59) against 103–162 ms (max 247–299) with 2,048, peak RSS +15–20 MB
 * (bench/README.md).
 */
export const INGEST_MAX_PENDING = 4096;

interface Entry {
  parts: LoggedParts;
  segment: number;
}

export interface BufferedWritesOptions {
  maxWrites?: number;
  maxDelayMs?: number;
  retryMs?: number;
  maxPending?: number;
}

export class BufferedWrites {
  private pending: Entry[] = [];
  /** The latest acknowledged, not yet applied outcome per message id. */
  private readonly outcomes = new Map<string, RequestOutcomeRow>();
  private readonly applying = new SerialQueue();
  /** The apply queued behind the running one, not started yet: later callers share it (see apply). */
  private queuedApply: Promise<void> | null = null;
  /** Writes waiting for room in `pending` (backpressure), woken when a batch takes its writes out. */
  private roomWaiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;
  private failure: PwError | null = null;
  private closed = false;
  /** Acknowledged writes set aside because DuckDB refused them (see quarantine). */
  quarantined = 0;
  private readonly maxWrites: number;
  private readonly maxDelayMs: number;
  private readonly retryMs: number;
  private readonly maxPending: number;
  /** Where refused acknowledged writes are kept: `<file>.ingest-quarantine.log`. */
  readonly quarantineFile: string;

  constructor(
    private readonly log: IngestLog,
    private readonly queue: WriteQueue,
    options: BufferedWritesOptions = {},
    /** The message ids with an outcome (stored or waiting here); this adds every new one. */
    readonly known: KnownMessageIds = KnownMessageIds.sizedFor(0),
    /** A write that proves the store takes writes now (the /ready write check). */
    private readonly probe: () => Promise<void> = () => Promise.reject(new Error('no probe')),
  ) {
    this.maxWrites = options.maxWrites ?? INGEST_MAX_WRITES;
    this.maxDelayMs = options.maxDelayMs ?? INGEST_MAX_DELAY_MS;
    this.retryMs = options.retryMs ?? INGEST_RETRY_MS;
    this.maxPending = options.maxPending ?? INGEST_MAX_PENDING;
    this.quarantineFile = `${log.dir}-quarantine.log`;
  }

  /**
   * Log one write (every table in LOGGED_TABLES); resolves once it is durable. `payload` is
   * `parts` encoded (write-codec.ts), when the caller has it (the storage thread encodes the
   * folded write it receives, not the rows it unfolds).
   * Rejects with PW_ERR_SINK_WRITE when the log cannot be written, or while applying a batch is
   * failing.
   */
  async enqueue(parts: LoggedParts, payload?: Uint8Array): Promise<void> {
    if (this.closed) throw this.closedError();
    if (this.failure) throw this.failure;
    if (parts.every(([, rows]) => rows.length === 0)) return;
    while (this.pending.length >= this.maxPending) {
      // Backpressure: wait until the next batch takes the waiting writes out of `pending` (not
      // until it is applied: a batch whose commit runs a checkpoint takes seconds).
      const room = new Promise<void>((resolve) => this.roomWaiters.push(resolve));
      // An apply that fails before taking the batch (the log cannot be sealed) rejects this write
      // instead of leaving it waiting for room that never comes.
      await Promise.race([room, this.apply()]);
      if (this.failure) throw this.failure;
      // A close that began while this write waited has applied what it found: a write logged now
      // would be acknowledged but left in the log, so it is refused (retryable), never acknowledged.
      if (this.closed) throw this.closedError();
    }
    // Registered the moment it is on disk (synchronously, inside the log's flush): an apply that
    // seals the segment afterwards always finds it here before deleting that segment.
    await this.log.append(payload ?? encodeParts(parts), (segment) => {
      this.pending.push({ parts, segment });
      for (const [table, rows] of parts) {
        if (table !== requestOutcomesTable) continue;
        for (const row of rows) {
          this.outcomes.set(String(row.message_id), row as RequestOutcomeRow);
          this.known.add(String(row.message_id));
        }
      }
    });
    if (this.pending.length >= this.maxWrites) void this.apply().catch(() => undefined);
    else this.timer ??= setTimeout(() => void this.apply().catch(() => undefined), this.maxDelayMs).unref();
  }

  /** The acknowledged outcome of `messageId` not yet in the database, if any (the latest wins). */
  pendingOutcome(messageId: string): RequestOutcomeRow | undefined {
    return this.outcomes.get(messageId);
  }

  /**
   * False when `messageId` certainly has no outcome, stored or waiting (no query needed): every
   * acknowledged outcome is added to `known` as it reaches the log.
   */
  mightHaveOutcome(messageId: string): boolean {
    return this.known.mightExist(messageId);
  }

  /**
   * Apply every write acknowledged so far (call before reading a logged table). Rejects with the
   * failure when the batch cannot be applied (its writes stay waiting and are retried).
   */
  drain(): Promise<void> {
    return this.apply();
  }

  /**
   * The /ready write check's part: throws the current failure to apply a batch, if any; then
   * appends an empty record to the log and syncs it (rejects with PW_ERR_SINK_WRITE when the log
   * cannot be written: a full disk, a folder that became read-only). Replay skips empty records.
   */
  async checkHealth(): Promise<void> {
    if (this.failure) throw this.failure;
    // Once closing, a probe record would land after the last apply and outlive the close.
    if (this.closed) throw this.closedError();
    await this.log.append(encodeParts([]));
  }

  /** What a write or a write check gets once close has begun (retryable: Pub/Sub redelivers). */
  private closedError(): PwError {
    return new PwError('PW_ERR_SINK_WRITE', undefined, this.log.dir, 'storage is closed');
  }

  /** Wake the writes waiting for room (they look at `pending`, `failure` and `closed` again). */
  private wakeRoomWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * Apply every write waiting when the apply starts, after the one running (if any). Calls made
   * while an apply is queued and not started share it, since it will take their writes too: a
   * slow batch (a checkpoint) with writes arriving meanwhile is followed by ONE batch of all of
   * them, not by one small transaction (and one log segment) per write that arrived.
   */
  private apply(): Promise<void> {
    if (this.queuedApply) return this.queuedApply;
    const run = this.applying.run(async () => {
      this.queuedApply = null; // from here on, a new call must queue a new apply
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      if (this.pending.length === 0) {
        this.wakeRoomWaiters();
        // Nothing waits: what the log holds is applied or empty (write-check probes); drop it.
        if (this.log.writing) this.log.deleteThrough(this.log.seal());
        return;
      }
      const sealed = this.log.seal();
      const batch = this.pending.filter((e) => e.segment <= sealed);
      this.pending = this.pending.filter((e) => e.segment > sealed);
      this.wakeRoomWaiters();
      try {
        await this.commit(batch);
      } catch (err) {
        this.pending = [...batch, ...this.pending];
        this.failure = err instanceof PwError ? err : new PwError('PW_ERR_SINK_WRITE', { cause: err }, this.log.dir, String(err));
        this.wakeRoomWaiters(); // they now see the failure
        if (!this.closed) this.timer = setTimeout(() => void this.apply().catch(() => undefined), this.retryMs).unref();
        throw this.failure;
      }
      this.failure = null;
      this.log.deleteThrough(sealed);
      for (const e of batch) {
        for (const [table, rows] of e.parts) {
          if (table !== requestOutcomesTable) continue;
          for (const row of rows) if (this.outcomes.get(String(row.message_id)) === row) this.outcomes.delete(String(row.message_id));
        }
      }
    });
    this.queuedApply = run;
    return run;
  }

  /** One transaction for the batch (last write per key wins); if it fails, write by write. */
  private async commit(batch: readonly Entry[]): Promise<void> {
    const byTable = new Map<AnyTable, Record<string, unknown>[]>();
    for (const e of batch) {
      for (const [table, rows] of e.parts) {
        const list = byTable.get(table) ?? [];
        byTable.set(table, list);
        for (const row of rows) list.push(row);
      }
    }
    const combined = [...byTable].map(([table, rows]) => [table, lastPerKey(table, rows) as Rows] as const);
    try {
      await this.queue.enqueue(combined);
      return;
    } catch {
      // one write spoils the batch: the queue isolates it when each write is its own member
    }
    const settled = await Promise.allSettled(batch.map((e) => this.queue.enqueue(e.parts)));
    const refused = batch.flatMap((e, i) => (settled[i]!.status === 'rejected' ? [{ entry: e, reason: (settled[i] as PromiseRejectedResult).reason as unknown }] : []));
    if (refused.length === 0) return;
    // Poison or a failing store? If the others went in, or the store takes a write now (the write
    // check), these writes are refused for what they hold: set them aside instead of retrying forever.
    const storeWorks = refused.length < batch.length || (await this.probe().then(() => true, () => false));
    if (!storeWorks) throw refused[0]!.reason;
    this.quarantine(refused);
  }

  /**
   * Keep acknowledged writes DuckDB refuses in `<file>.ingest-quarantine.log` (same record format,
   * never replayed) and say so on stderr: they are not lost, and they do not block the others.
   */
  private quarantine(refused: ReadonlyArray<{ entry: Entry; reason: unknown }>): void {
    appendFileSync(this.quarantineFile, Buffer.concat(refused.map(({ entry }) => encodeRecord(encodeParts(entry.parts)))));
    this.quarantined += refused.length;
    const why = refused[0]!.reason instanceof Error ? (refused[0]!.reason as Error).message : String(refused[0]!.reason);
    process.emitWarning(`${refused.length} acknowledged write(s) refused by DuckDB were set aside in ${this.quarantineFile}: ${why}`, { code: 'PW_INGEST_QUARANTINE' });
  }

  /**
   * Apply records an earlier process acknowledged but did not apply (replay at open), with the
   * same isolation as a batch: a record DuckDB refuses is set aside, the others are stored.
   */
  async applyReplayed(records: readonly LoggedParts[]): Promise<void> {
    const writes = records.filter((parts) => parts.length > 0); // empty: a write check's probe
    if (writes.length > 0) await this.commit(writes.map((parts) => ({ parts, segment: 0 })));
  }

  /**
   * Refuse new writes, let the ones being logged finish (they are acknowledged), apply everything,
   * then close the log (its folder is removed when empty). Rejects when the last batch cannot be
   * applied; the log keeps it for the next open.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.log.idle(); // those being written are registered as they reach the disk
      await this.apply();
    } finally {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      await this.log.close();
    }
  }
}
