/**
 * @module storage/duckdb/write-queue
 * The write queue and group commit. Writes run on one connection through a FIFO queue (a
 * connection runs one statement at a time and BEGIN…COMMIT must not interleave).
 *
 * Group commit: writes wait in one open group while the writer is busy; when the writer turns to
 * the group (or, when it was idle, after the current turn of the event loop, so every request
 * whose I/O arrived in that turn joins) the group is closed and committed as ONE transaction: all
 * its tables' rows appended, one COMMIT. A transaction costs about the same for 6 rows as for
 * 600, so the group grows with load while a lone write waits for nothing. The window is bounded:
 * a group closes at MAX_GROUP_ROWS rows (the next write opens a new one), and no group waits for
 * more than the commit in front of it.
 *
 * Each caller's promise resolves only once its rows are committed (no write-behind: an
 * acknowledged Pub/Sub message is never lost). If the group's append fails (a key that already
 * exists, or a bad row), it is merged by key in one transaction; if that fails too, its members
 * are merged one by one, each in its own transaction, so one bad write is rejected alone and
 * leaves nothing behind while the others are stored and resolved.
 */
import { VARCHAR } from '@duckdb/node-api';
import { PwError, type ErrorCode } from '../../errors.js';
import { embeddedName, type AnyTable } from '../tables/index.js';
import { systemFilter } from './table-reader.js';
import { message, SerialQueue } from './serial-queue.js';
import { repeatsKey, type Rows, type TableWriter } from './table-writer.js';

/** A group closes once it holds this many rows (bounds a commit's size and its latency). */
export const MAX_GROUP_ROWS = 4096;

/** One caller's write: rows for one or more tables, committed together. */
interface PendingWrite {
  parts: ReadonlyArray<readonly [AnyTable, Rows]>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface Group {
  members: PendingWrite[];
  rows: number;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class WriteQueue {
  private readonly queue = new SerialQueue();
  /** The group new writes join; its commit is already queued. */
  private open: Group | null = null;
  private closed = false;

  constructor(
    private readonly location: string,
    private readonly writer: TableWriter,
  ) {}

  private ensureOpen(code: ErrorCode, what: string): void {
    if (this.closed) throw new PwError(code, undefined, what, `storage ${this.location} is closed`);
  }

  /** Queue an upsert of one table's rows (joins the open group). */
  upsert(table: AnyTable, rows: Rows): Promise<void> {
    return this.enqueue([[table, rows]]);
  }

  /**
   * Queue a write of several tables' rows, stored together or not at all; it joins the open
   * group. Resolves once committed; rejects with PW_ERR_SINK_WRITE.
   */
  async enqueue(parts: ReadonlyArray<readonly [AnyTable, Rows]>): Promise<void> {
    this.ensureOpen('PW_ERR_SINK_WRITE', parts[0]![0].name);
    const rowCount = parts.reduce((n, [, rows]) => n + rows.length, 0);
    if (rowCount === 0) return;
    return new Promise<void>((resolve, reject) => {
      let group = this.open;
      if (!group) {
        const created: Group = { members: [], rows: 0 };
        group = created;
        this.open = created;
        void this.queue.run(async () => {
          await nextTurn(); // let writes of this turn of the event loop join
          if (this.open === created) this.open = null; // later writes start a new group
          await this.commitGroup(created.members);
        });
      }
      group.members.push({ parts, resolve, reject });
      group.rows += rowCount;
      if (group.rows >= MAX_GROUP_ROWS && this.open === group) this.open = null;
    });
  }

  /** One transaction for the whole group; on failure, a keyed merge; then member by member. */
  private async commitGroup(members: PendingWrite[]): Promise<void> {
    const byTable = tablesOf(members);
    try {
      const repeats = [...byTable].some(([table, rows]) => repeatsKey(table, rows));
      // Rows repeating a key (in one write or across the group) go straight to the merge.
      if (!repeats) {
        await this.writer.commitAppend(byTable);
        for (const m of members) m.resolve();
        return;
      }
    } catch {
      // a key that already exists (a redelivery), or a bad row: the merge below tells which
    }
    try {
      await this.writer.commitMerge(byTable);
      for (const m of members) m.resolve();
      return;
    } catch (err) {
      if (members.length === 1) return members[0]!.reject(wrapWriteError(members[0]!.parts[0]![0], err));
    }
    // A bad write among several: each member in its own transaction, so only it fails.
    for (const m of members) {
      try {
        await this.writer.commitMerge(tablesOf([m]));
        m.resolve();
      } catch (err) {
        m.reject(wrapWriteError(m.parts[0]![0], err));
      }
    }
  }

  /**
   * Replace every row of one game date in one transaction (DELETE + merge); with `systemIds`,
   * only those systems' rows of the date are deleted (the others stay). Writes queued before this
   * call are committed before it; those queued after, after it.
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
    this.open = null; // its commit is queued ahead of this one
    await this.queue
      .run(() =>
        this.writer.transaction(async () => {
          await this.writer.run(`DELETE FROM ${embeddedName(table)} WHERE game_date = CAST(? AS DATE)${only.sql}`, [gameDate, ...only.values], [VARCHAR, ...only.types]);
          await this.writer.merge(table, rows);
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

/** Each table's rows of the members, tables in first-seen order. */
function tablesOf(members: readonly PendingWrite[]): Map<AnyTable, Record<string, unknown>[]> {
  const byTable = new Map<AnyTable, Record<string, unknown>[]>();
  for (const m of members) {
    for (const [table, rows] of m.parts) {
      let list = byTable.get(table);
      if (!list) byTable.set(table, (list = []));
      for (const row of rows) list.push(row);
    }
  }
  return byTable;
}

function wrapWriteError(table: AnyTable, err: unknown): PwError {
  if (err instanceof PwError) return err;
  return new PwError('PW_ERR_SINK_WRITE', { cause: err }, embeddedName(table), message(err));
}
