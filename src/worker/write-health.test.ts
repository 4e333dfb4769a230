import { describe, expect, it, onTestFinished } from 'vitest';
import { pwError } from '../errors.js';
import { openDuckDbStorage } from '../storage/duckdb/index.js';
import { sampleOutcomeRow } from '../storage/sample-rows.js';
import type { Storage } from '../storage/storage.js';
import { WRITE_CHECK_TTL_MS, trackWrites } from './write-health.js';

/** In-memory storage whose checkWrite is counted and fails while `failing.now` is set. */
async function counted() {
  const inner = await openDuckDbStorage({ path: ':memory:' });
  onTestFinished(() => inner.close());
  const calls = { n: 0 };
  const failing = { now: false };
  const storage: Storage = {
    ...inner,
    kind: inner.kind,
    location: inner.location,
    ping: () => inner.ping(),
    close: () => inner.close(),
    checkWrite: async () => {
      calls.n += 1;
      if (failing.now) throw pwError('PW_ERR_SINK_WRITE', 'nba_predictions.worker_write_check', 'No space left on device');
      return inner.checkWrite();
    },
  };
  return { storage, calls, failing };
}

describe('write health: the active check behind /ready', () => {
  it('runs the check at most once per WRITE_CHECK_TTL_MS; concurrent probes share one run', async () => {
    const { storage, calls } = await counted();
    let t = Date.parse('2026-01-01T12:00:00Z');
    const { health } = trackWrites(storage, () => new Date(t));
    await Promise.all([health.check(), health.check(), health.check()]);
    expect(calls.n).toBe(1);
    t += WRITE_CHECK_TTL_MS - 1;
    expect((await health.check()).healthy).toBe(true);
    expect(calls.n).toBe(1);
    t += 1;
    await health.check();
    expect(calls.n).toBe(2);
  });

  it('a failing check makes the write path unhealthy with its reason; a later successful write makes it healthy', async () => {
    const { storage, failing } = await counted();
    let t = Date.parse('2026-01-01T12:00:00Z');
    const tracked = trackWrites(storage, () => new Date(t));
    failing.now = true;
    const state = await tracked.health.check();
    expect(state).toMatchObject({ healthy: false, failedAt: '2026-01-01T12:00:00.000Z' });
    expect(state.error).toContain('No space left on device');
    // Within the TTL the failure is reported without another check...
    expect((await tracked.health.check()).healthy).toBe(false);
    // ...but a real write that succeeds shows the store is back.
    await tracked.storage.outcomes.record(sampleOutcomeRow());
    expect(tracked.health.state().healthy).toBe(true);
    // And once the TTL has passed, a passing check does too.
    failing.now = false;
    t += WRITE_CHECK_TTL_MS;
    expect((await tracked.health.check()).healthy).toBe(true);
  });
});
