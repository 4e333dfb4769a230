/**
 * @module storage/duckdb/known-message-ids
 * Which message ids have an outcome in an embedded database file, as a Bloom filter (bloom-filter.ts),
 * so the per-push outcome lookup (issue 7: a reused message id) needs no query for an id never
 * seen, which is every push but redeliveries. Measured in bench:worker: one lookup query per batch
 * of ~10 pushes cost ~1.5 ms of CPU and, queued behind commits, ~9 ms of latency per push.
 *
 * The filter is filled in the background after the open (one scan of the message_id column on a
 * connection of its own), so /ready never waits for it; until it is filled every id "might exist"
 * and is looked up as before. Ids recorded meanwhile are added once it is filled. It is sized for
 * four times the stored outcomes (at least 2^20) at 1 % false positives: 1.2 MB per million ids.
 * A false positive costs one query, never a wrong answer.
 */
import type { DuckDBInstance } from '@duckdb/node-api';
import { BloomFilter } from '../bloom-filter.js';
import { embeddedName, requestOutcomesTable } from '../tables/index.js';

const MIN_CAPACITY = 1 << 20;
const FALSE_POSITIVE_RATE = 0.01;

export class KnownMessageIds {
  private filter: BloomFilter | null = null;
  private early: string[] = [];

  /** Record that `messageId` now has an outcome. */
  add(messageId: string): void {
    if (this.filter) this.filter.add(messageId);
    else this.early.push(messageId);
  }

  /** False only when `messageId` certainly has no stored outcome. */
  mightExist(messageId: string): boolean {
    return this.filter ? this.filter.mightContain(messageId) : true;
  }

  /** Whether the filter is filled (before that, every id might exist). */
  get ready(): boolean {
    return this.filter !== null;
  }

  /**
   * Fill the filter from the stored outcomes, on a connection of its own. On failure the filter
   * stays empty-and-unready (every id is looked up, as without it); the error is returned, not thrown.
   */
  async load(instance: DuckDBInstance): Promise<Error | null> {
    const conn = await instance.connect();
    try {
      const table = embeddedName(requestOutcomesTable);
      const count = Number((await conn.runAndReadAll(`SELECT count(*) FROM ${table}`)).getRows()[0]![0]);
      const filter = BloomFilter.forCapacity(Math.max(MIN_CAPACITY, 4 * count), FALSE_POSITIVE_RATE);
      const result = await conn.stream(`SELECT message_id FROM ${table}`);
      for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
        for (const id of chunk.getColumnValues(0)) filter.add(String(id));
      }
      for (const id of this.early) filter.add(id);
      this.early = [];
      this.filter = filter;
      return null;
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    } finally {
      conn.closeSync();
    }
  }
}
