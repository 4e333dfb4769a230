/**
 * @module worker/write-health
 * /ready must reflect the write path, not only reads (issue 7, class 8: with a full disk every
 * write failed with 503 while /ready stayed 200). `trackWrites(storage)` wraps every write method
 * of a Storage; a write that fails for a reason a retry could fix (anything but a row refused by
 * its schema, which is bad data, not a bad store) marks the write path unhealthy until the next
 * write succeeds. Pub/Sub redelivers the 503'd messages, so a store that recovers is seen as
 * soon as one of them is written.
 *
 * Reacting to failed pushes is not enough for a startup probe: a revision that cannot write
 * (read-only data dir, full disk, a BigQuery account without write rights) would pass it and only
 * fail once traffic arrives. So /ready also runs the storage's ACTIVE write check
 * (`Storage.checkWrite`: embedded, one upserted row that reaches the file; BigQuery, an IAM
 * permission test), at most once per WRITE_CHECK_TTL_MS (concurrent probes share one run), and
 * its result feeds the same state: a failing check makes the write path unhealthy, a passing one
 * (like any successful write) makes it healthy.
 */
import { describeError, isPwError } from '../errors.js';
import type { Storage } from '../storage/storage.js';

export interface WriteHealthState {
  healthy: boolean;
  /** ISO time and one-line reason of the failure that made it unhealthy. */
  failedAt?: string;
  error?: string;
}

/** /ready runs the active write check at most this often; probes in between reuse its result. */
export const WRITE_CHECK_TTL_MS = 10_000;

export interface WriteHealth {
  /** The state after the last write (real or check). */
  state(): WriteHealthState;
  /**
   * Run the storage's active write check unless one started less than WRITE_CHECK_TTL_MS ago
   * (then wait for that one), and return the resulting state. Never throws.
   */
  check(): Promise<WriteHealthState>;
}

/** Returns `storage` with every write tracked, and the health it feeds. */
export function trackWrites(
  storage: Storage,
  now: () => Date = () => new Date(),
  checkTtlMs: number = WRITE_CHECK_TTL_MS,
): { storage: Storage; health: WriteHealth } {
  let state: WriteHealthState = { healthy: true };
  const track = async <T>(write: () => Promise<T>): Promise<T> => {
    try {
      const result = await write();
      state = { healthy: true };
      return result;
    } catch (err) {
      if (!isPwError(err, 'PW_ERR_ROW_INVALID') && (!isPwError(err) || err.retryable)) {
        state = { healthy: false, failedAt: now().toISOString(), error: describeError(err) };
      }
      throw err;
    }
  };
  const tracked: Storage = {
    ...storage,
    kind: storage.kind,
    location: storage.location,
    features: { ...storage.features, loadSlate: (d) => storage.features.loadSlate(d), upsert: (rows) => track(() => storage.features.upsert(rows)) },
    predictions: {
      ...storage.predictions,
      write: (rows, outcome) => track(() => storage.predictions.write(rows, outcome)),
      currentPredictions: (d, s) => storage.predictions.currentPredictions(d, s),
      allPredictions: (d) => storage.predictions.allPredictions(d),
    },
    outcomes: {
      ...storage.outcomes,
      record: (row) => track(() => storage.outcomes.record(row)),
      findMany: (ids) => storage.outcomes.findMany(ids),
      forDate: (d) => storage.outcomes.forDate(d),
      rejected: (since) => storage.outcomes.rejected(since),
    },
    actuals: { ...storage.actuals, forDate: (d) => storage.actuals.forDate(d), upsert: (rows) => track(() => storage.actuals.upsert(rows)) },
    accuracy: {
      ...storage.accuracy,
      replaceDate: (d, rows, systemIds) => track(() => storage.accuracy.replaceDate(d, rows, systemIds)),
      forRange: (f, t, s) => storage.accuracy.forRange(f, t, s),
    },
    signals: { ...storage.signals, replaceDate: (d, rows) => track(() => storage.signals.replaceDate(d, rows)), forDate: (d) => storage.signals.forDate(d) },
    notifications: { ...storage.notifications, find: (d, k) => storage.notifications.find(d, k), record: (row) => track(() => storage.notifications.record(row)) },
    performance: {
      ...storage.performance,
      replaceDate: (d, rows) => track(() => storage.performance.replaceDate(d, rows)),
      forRange: (f, t) => storage.performance.forRange(f, t),
    },
    ping: () => storage.ping(),
    close: () => storage.close(),
    checkWrite: () => track(() => storage.checkWrite()),
  };
  let lastCheck: { startedAt: number; done: Promise<void> } | undefined;
  const check = async (): Promise<WriteHealthState> => {
    const t = now().getTime();
    if (!lastCheck || t - lastCheck.startedAt >= checkTtlMs) {
      lastCheck = { startedAt: t, done: tracked.checkWrite().catch(() => undefined) };
    }
    await lastCheck.done;
    return state;
  };
  return { storage: tracked, health: { state: () => state, check } };
}
