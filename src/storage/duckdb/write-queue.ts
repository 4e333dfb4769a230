/**
 * @module storage/duckdb/write-queue
 * The write queue and group commit. Writes run on one connection through a FIFO queue (a
 * connection runs one statement at a time and BEGIN…COMMIT must not interleave). Upserts with the
 * same group key (the table name, or `predictions+outcome`) that arrive while the writer is busy
 * join one group and are written together: a statement costs about the same for 6 rows as for
 * 60, so throughput grows with load while a lone write waits for nothing. Each caller's promise
 * resolves only once its rows are committed (no write-behind: an acknowledged Pub/Sub message is
 * never lost); if a group fails, its members are retried one by one so one bad message cannot
 * fail the others.
 */
import { PwError, type ErrorCode } from '../../errors.js';
import { embeddedName, type AnyTable } from '../tables/index.js';
import { systemFilter } from './table-reader.js';
import { message, SerialQueue } from './serial-queue.js';
import { VARCHAR } from '@duckdb/node-api';
import type { Rows, TableWriter } from './table-writer.js';

/** One caller's write: rows for one or more tables, committed in this order. */
interface PendingWrite {
  parts: ReadonlyArray<readonly [AnyTable, Rows]>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class WriteQueue {
  private readonly queue = new SerialQueue();
  /** Writes waiting for the writer, by group key. */
  private readonly openGroups = new Map<string, PendingWrite[]>();
  private closed = false;

  constructor(
    private readonly location: string,
    private readonly writer: TableWriter,
  ) {}

  private ensureOpen(code: ErrorCode, what: string): void {
    if (this.closed) throw new PwError(code, undefined, what, `storage ${this.location} is closed`);
  }

  /** Queue an upsert; it joins the table's open group if one is waiting for the writer. */
  upsert(table: AnyTable, rows: Rows): Promise<void> {
    return this.enqueue(table.name, [[table, rows]]);
  }

  /**
   * Queue a write of several tables' rows (committed in the given order); it joins the open
   * group with the same key. Resolves once committed; rejects with PW_ERR_SINK_WRITE.
   */
  async enqueue(key: string, parts: ReadonlyArray<readonly [AnyTable, Rows]>): Promise<void> {
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
    void this.queue.run(() => this.commitGroup(group));
  }

  /** Each table's rows of the whole group in one write, tables in order; on failure, member by member. */
  private async commitGroup(group: PendingWrite[]): Promise<void> {
    const byTable = new Map<AnyTable, Record<string, unknown>[]>();
    for (const g of group) for (const [table, rows] of g.parts) byTable.set(table, [...(byTable.get(table) ?? []), ...rows]);
    try {
      for (const [table, rows] of byTable) await this.writer.write(table, rows);
      for (const g of group) g.resolve();
    } catch (err) {
      if (group.length === 1) return group[0]!.reject(wrapWriteError(group[0]!.parts[0]![0], err));
      for (const g of group) {
        let failed: { table: AnyTable; err: unknown } | undefined;
        for (const [table, rows] of g.parts) {
          if (failed) break;
          await this.writer.write(table, rows).catch((e: unknown) => (failed = { table, err: e }));
        }
        if (failed) g.reject(wrapWriteError(failed.table, failed.err));
        else g.resolve();
      }
    }
  }

  /**
   * Replace every row of one game date in one transaction (DELETE + merge); with `systemIds`,
   * only those systems' rows of the date are deleted (the others stay). Upserts queued before this
   * call run before it; those queued after, after it.
   */
  async replaceDate(table: AnyTable, gameDate: string, rows: Rows, systemIds?: readonly string[]): Promise<void> {
    this.ensureOpen('PW_ERR_SINK_WRITE', table.name);
    const foreign = rows.find((r) => r.game_date !== gameDate);
    if (foreign) {
      throw new PwError('PW_ERR_SINK_WRITE', undefined, embeddedName(table), `replaceDate(${gameDate}) got a row for ${String(foreign.game_date)}`);
    }
    const outside = systemIds && rows.find((r) => !systemIds.includes(String(r.system_id)));
    if (outside) {
      throw new PwError('PW_ERR_SINK_WRITE', undefined, embeddedName(table), `replaceDate(${gameDate}) got a row for system ${String(outside.system_id)}, not among ${systemIds.join(', ')}`);
    }
    const only = systemFilter(systemIds);
    const open = this.openGroups.get(table.name);
    if (open) this.startGroup(table.name, open);
    await this.queue
      .run(() =>
        this.writer.transaction(async () => {
          await this.writer.run(`DELETE FROM ${embeddedName(table)} WHERE game_date = CAST(? AS DATE)${only.sql}`, [gameDate, ...only.values], [VARCHAR, ...only.types]);
          await this.writer.write(table, rows, true);
        }),
      )
      .catch((err: unknown) => {
        throw wrapWriteError(table, err);
      });
  }

  /** Refuse new writes and wait for the queued ones to settle. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue.idle();
  }
}

function wrapWriteError(table: AnyTable, err: unknown): PwError {
  if (err instanceof PwError) return err;
  return new PwError('PW_ERR_SINK_WRITE', { cause: err }, embeddedName(table), message(err));
}
