/**
 * @module storage/duckdb/known-message-ids
 * Which message ids have an outcome in an embedded database file, as a Bloom filter (bloom-filter.ts),
 * so the per-push outcome lookup (issue 7: a reused message id) needs no query for an id never
 * seen, which is every push but redeliveries. Measured in bench:worker: one lookup query per batch
 * of ~10 pushes cost ~1.5 ms of CPU and, queued behind commits, ~9 ms of latency per push.
 *
 * The bits live in a SharedArrayBuffer, so the worker's event loop can read the filter the storage
 * thread keeps (storage-thread.ts): a push whose id the filter has never seen is answered without
 * even a message to that thread. The filter is filled in the background after the open (one scan
 * of the message_id column on a connection of its own), so /ready never waits for it; until then
 * every id "might exist" and is looked up as before. Ids recorded meanwhile are added as they come.
 * It is sized for four times the stored outcomes (at least 2^20) at 1 % false positives: 1.2 MB
 * per million ids. A false positive costs one query, never a wrong answer.
 */
import type { DuckDBInstance } from '@duckdb/node-api';
import { BloomFilter } from '../bloom-filter.js';
import { embeddedName, requestOutcomesTable } from '../tables/index.js';

const MIN_CAPACITY = 1 << 20;
const FALSE_POSITIVE_RATE = 0.01;

/** What another thread needs to read the same filter: the shared memory and its shape. */
export interface SharedKnownIds {
  /** Int32 0: 1 once filled; then the filter's 32-bit words. */
  buffer: SharedArrayBuffer;
  bitCount: number;
  hashes: number;
}

export class KnownMessageIds {
  private readonly filter: BloomFilter;
  private readonly filled: Int32Array;

  private constructor(readonly shared: SharedKnownIds) {
    this.filled = new Int32Array(shared.buffer, 0, 1);
    this.filter = new BloomFilter(shared.bitCount, shared.hashes, new Uint32Array(shared.buffer, 4, BloomFilter.wordsFor(shared.bitCount)));
  }

  /** A new, unfilled filter sized for `storedOutcomes` already in the table. */
  static sizedFor(storedOutcomes: number): KnownMessageIds {
    const { bitCount, hashes } = BloomFilter.sizeFor(Math.max(MIN_CAPACITY, 4 * storedOutcomes), FALSE_POSITIVE_RATE);
    return new KnownMessageIds({ buffer: new SharedArrayBuffer(4 + 4 * BloomFilter.wordsFor(bitCount)), bitCount, hashes });
  }

  /** A view of a filter another thread keeps (read it; the owner adds and fills). */
  static view(shared: SharedKnownIds): KnownMessageIds {
    return new KnownMessageIds(shared);
  }

  /** Record that `messageId` now has an outcome. */
  add(messageId: string): void {
    this.filter.add(messageId);
  }

  /** Whether the stored ids are all in (before that, every id might exist). */
  get ready(): boolean {
    return Atomics.load(this.filled, 0) === 1;
  }

  /** False only when `messageId` certainly has no outcome. */
  mightExist(messageId: string): boolean {
    return !this.ready || this.filter.mightContain(messageId);
  }

  /**
   * Add every stored outcome's id, on a connection of its own, then mark the filter ready. On
   * failure it stays unready (every id is looked up, as without it); the error is returned, not thrown.
   */
  async load(instance: DuckDBInstance): Promise<Error | null> {
    const conn = await instance.connect();
    try {
      const result = await conn.stream(`SELECT message_id FROM ${embeddedName(requestOutcomesTable)}`);
      for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
        for (const id of chunk.getColumnValues(0)) this.filter.add(String(id));
      }
      Atomics.store(this.filled, 0, 1);
      return null;
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    } finally {
      conn.closeSync();
    }
  }
}

/** How many outcomes the file holds (sizes the filter; cheap: DuckDB keeps the count). */
export async function storedOutcomeCount(instance: DuckDBInstance): Promise<number> {
  const conn = await instance.connect();
  try {
    return Number((await conn.runAndReadAll(`SELECT count(*) FROM ${embeddedName(requestOutcomesTable)}`)).getRows()[0]![0]);
  } finally {
    conn.closeSync();
  }
}
