/**
 * The storage thread runs under the heap caps storage-thread.ts documents (the old generation the
 * same as the event loop's --max-old-space-size, test/deploy/manifests.test.ts): read from the
 * running thread's own V8, not from the options object.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker as WorkerType } from 'node:worker_threads';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { STORAGE_THREAD_OLD_GENERATION_MB, STORAGE_THREAD_YOUNG_GENERATION_MB, openDuckDbStorageThread } from './storage-thread.js';

const started = vi.hoisted(() => [] as WorkerType[]);
vi.mock('node:worker_threads', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:worker_threads')>();
  class RecordedWorker extends original.Worker {
    constructor(...args: ConstructorParameters<typeof original.Worker>) {
      super(...args);
      started.push(this);
    }
  }
  return { ...original, Worker: RecordedWorker, default: { ...original, Worker: RecordedWorker } };
});

describe('storage thread heap limits', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pw-storage-thread-limits-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('by default the thread runs with the documented old- and young-generation caps', async () => {
    const storage = await openDuckDbStorageThread({ path: join(dir, 'limits.duckdb') });
    try {
      expect(started).toHaveLength(1);
      expect(started[0]!.resourceLimits).toMatchObject({ maxOldGenerationSizeMb: STORAGE_THREAD_OLD_GENERATION_MB, maxYoungGenerationSizeMb: STORAGE_THREAD_YOUNG_GENERATION_MB });
      // The thread's own V8 limit: the old generation plus the young one, not a limit sized from the machine's memory.
      const limitMb = (await started[0]!.getHeapStatistics()).heap_size_limit / 2 ** 20;
      expect(limitMb).toBeGreaterThanOrEqual(STORAGE_THREAD_OLD_GENERATION_MB);
      expect(limitMb).toBeLessThanOrEqual(STORAGE_THREAD_OLD_GENERATION_MB + 2 * STORAGE_THREAD_YOUNG_GENERATION_MB);
    } finally {
      await storage.close();
    }
  });
});
