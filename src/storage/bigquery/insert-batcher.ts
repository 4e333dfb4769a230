/**
 * @module storage/bigquery/insert-batcher
 * Streaming inserts of concurrent requests share one `insertAll` call per table: rows wait at most
 * `maxDelayMs` (or until `maxRows` / `maxBytes` are reached) and go out together, so a burst of
 * pushes costs a few insert calls instead of one or two per message (BigQuery's own advice: up to
 * 500 rows per request; request size limit 10 MB).
 *
 * Each caller's promise resolves only once the call carrying ALL its rows succeeded (a Pub/Sub
 * message is acknowledged only after its insert: nothing is written behind the caller's back). If
 * a shared call fails, each caller's rows are retried in a call of their own, so one bad row (or
 * one oversized message) fails only its own caller; insertIds make the retry of rows BigQuery may
 * already have stored harmless (best-effort dedup, then read-side dedup).
 */
import type { AnyTable } from '../tables/index.js';

/** One streamed row: BigQuery's insertId and the row as JSON. */
export interface StreamRow {
  insertId: string;
  json: Record<string, unknown>;
}

/** Sends one insertAll call; rejects when BigQuery refused any row. */
export type InsertCall = (table: AnyTable, rows: readonly StreamRow[]) => Promise<void>;

export interface InsertBatcherOptions {
  /** The longest a row waits for others before its call goes out (ms). Default 10. */
  maxDelayMs?: number;
  /** A call goes out as soon as it holds this many rows. Default 500 (BigQuery's advice). */
  maxRows?: number;
  /** … or this many bytes of row JSON. Default 5 MB (half the request limit). */
  maxBytes?: number;
}

/** Counters for benches and logs. */
export interface InsertStats {
  calls: number;
  rows: number;
  bytes: number;
}

interface Waiter {
  rows: readonly StreamRow[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface Pending {
  waiters: Waiter[];
  rows: number;
  bytes: number;
  timer: NodeJS.Timeout;
}

export class InsertBatcher {
  readonly stats: InsertStats = { calls: 0, rows: 0, bytes: 0 };
  private readonly maxDelayMs: number;
  private readonly maxRows: number;
  private readonly maxBytes: number;
  private readonly pending = new Map<AnyTable, Pending>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly call: InsertCall,
    options: InsertBatcherOptions = {},
  ) {
    this.maxDelayMs = options.maxDelayMs ?? 10;
    this.maxRows = options.maxRows ?? 500;
    this.maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
  }

  /** Insert rows (joining the table's pending call); resolves once they are stored. */
  insert(table: AnyTable, rows: readonly StreamRow[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    const bytes = rows.reduce((n, r) => n + JSON.stringify(r.json).length, 0);
    return new Promise<void>((resolve, reject) => {
      let pending = this.pending.get(table);
      if (pending && (pending.rows + rows.length > this.maxRows || pending.bytes + bytes > this.maxBytes)) {
        this.send(table, pending);
        pending = undefined;
      }
      if (!pending) {
        const created: Pending = { waiters: [], rows: 0, bytes: 0, timer: setTimeout(() => this.send(table, created), this.maxDelayMs) };
        pending = created;
        this.pending.set(table, created);
      }
      pending.waiters.push({ rows, resolve, reject });
      pending.rows += rows.length;
      pending.bytes += bytes;
      if (pending.rows >= this.maxRows || pending.bytes >= this.maxBytes) this.send(table, pending);
    });
  }

  /** Send every pending call now and wait for all calls in flight (close, tests). */
  async flush(): Promise<void> {
    for (const [table, pending] of [...this.pending]) this.send(table, pending);
    await Promise.allSettled([...this.inFlight]);
  }

  private send(table: AnyTable, pending: Pending): void {
    if (this.pending.get(table) !== pending) return; // already sent
    this.pending.delete(table);
    clearTimeout(pending.timer);
    const task = this.deliver(table, pending).finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }

  private async deliver(table: AnyTable, pending: Pending): Promise<void> {
    const { waiters } = pending;
    try {
      await this.count(table, waiters.flatMap((w) => w.rows), pending.bytes);
      for (const w of waiters) w.resolve();
      return;
    } catch (err) {
      if (waiters.length === 1) {
        waiters[0]!.reject(err);
        return;
      }
    }
    // One caller's bad rows must not fail the others: each caller on its own.
    await Promise.all(
      waiters.map(async (w) => {
        try {
          await this.count(table, w.rows, w.rows.reduce((n, r) => n + JSON.stringify(r.json).length, 0));
          w.resolve();
        } catch (err) {
          w.reject(err);
        }
      }),
    );
  }

  private async count(table: AnyTable, rows: readonly StreamRow[], bytes: number): Promise<void> {
    this.stats.calls++;
    this.stats.rows += rows.length;
    this.stats.bytes += bytes;
    await this.call(table, rows);
  }
}
