/**
 * @module worker/outcome-lookup
 * Every push looks up its message id's stored outcome (a reused id with another payload is a
 * conflict: issue 7, class 4). One query per push would cap the worker at the store's query rate
 * (measured: embedded DuckDB fell from ~300-500 to ~25-60 pushes/s), so lookups are batched like
 * the sink's group commit: ids asked for while a query is in flight (or in the same turn) go into
 * the next single `findMany` query; at most one query is in flight per worker.
 */
import type { OutcomeLog } from '../storage/storage.js';
import type { RequestOutcomeRow } from '../storage/tables/request-outcomes.js';

/** Largest id list per query. */
export const MAX_LOOKUP_BATCH = 500;

export type OutcomeLookup = (messageId: string) => Promise<RequestOutcomeRow | undefined>;

interface Waiter {
  resolve: (row: RequestOutcomeRow | undefined) => void;
  reject: (err: unknown) => void;
}

/** A batching `find` over `outcomes.findMany` (errors reach every caller of that batch). */
export function batchedOutcomeLookup(outcomes: Pick<OutcomeLog, 'findMany'>): OutcomeLookup {
  let pending = new Map<string, Waiter[]>();
  let running = false;
  let scheduled = false;

  const flush = async (): Promise<void> => {
    scheduled = false;
    if (running || pending.size === 0) return;
    running = true;
    const batch = new Map<string, Waiter[]>();
    for (const [id, waiters] of pending) {
      if (batch.size >= MAX_LOOKUP_BATCH) break;
      batch.set(id, waiters);
    }
    for (const id of batch.keys()) pending.delete(id);
    try {
      const rows = await outcomes.findMany([...batch.keys()]);
      const byId = new Map(rows.map((r) => [r.message_id, r]));
      for (const [id, waiters] of batch) for (const w of waiters) w.resolve(byId.get(id));
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
    } finally {
      running = false;
      if (pending.size > 0) void flush();
    }
  };

  return (messageId) =>
    new Promise((resolve, reject) => {
      const waiters = pending.get(messageId);
      if (waiters) waiters.push({ resolve, reject });
      else pending.set(messageId, [{ resolve, reject }]);
      if (!running && !scheduled) {
        scheduled = true;
        setImmediate(() => void flush());
      }
    });
}

/** Unbatched: one findMany per call (tests, one-off callers). */
export function directOutcomeLookup(outcomes: Pick<OutcomeLog, 'findMany'>): OutcomeLookup {
  return async (messageId) => (await outcomes.findMany([messageId]))[0];
}
