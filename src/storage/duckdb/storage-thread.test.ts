import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { isPwError } from '../../errors.js';
import { runStorageContract } from '../storage.contract.js';
import { samplePredictionRow, sampleOutcomeRow, SAMPLE_DATE } from '../sample-rows.js';
import { openDuckDbStorage } from './duckdb-storage.js';
import { fromWireError, loaderFlags, openDuckDbStorageThread, perTurn, toWireError } from './storage-thread.js';

// The same contract as the in-process store, through the thread (arguments and results cloned).
runStorageContract({ name: 'duckdb on a storage thread (:memory:)', create: () => openDuckDbStorageThread({ path: ':memory:' }) });

describe('duckdb storage thread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pw-storage-thread-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a write resolves once committed: the file, opened after close, has the rows and the outcome', async () => {
    const path = join(dir, 'committed.duckdb');
    const storage = await openDuckDbStorageThread({ path });
    const rows = [samplePredictionRow(), samplePredictionRow({ prediction_id: 'b'.repeat(32), system_id: 'challenger_a', model_role: 'challenger' })];
    await storage.predictions.write(rows, sampleOutcomeRow());
    await storage.close();
    const reopened = await openDuckDbStorage({ path, readOnly: true });
    try {
      expect(await reopened.predictions.allPredictions(SAMPLE_DATE)).toHaveLength(2);
      expect((await reopened.outcomes.findMany([sampleOutcomeRow().message_id]))[0]?.outcome).toBe('written');
    } finally {
      await reopened.close();
    }
  });

  it('a write that cannot be folded rejects with PW_ERR_SINK_WRITE, as in-process, instead of throwing synchronously', async () => {
    const threaded = await openDuckDbStorageThread({ path: ':memory:' });
    const inline = await openDuckDbStorage({ path: ':memory:' });
    try {
      for (const storage of [inline, threaded]) {
        let settled: unknown;
        try {
          settled = await storage.predictions.write([null as unknown as ReturnType<typeof samplePredictionRow>]).then(() => 'resolved', (e: unknown) => e);
        } catch (e) {
          settled = `threw synchronously: ${(e as Error).message}`;
        }
        expect(isPwError(settled, 'PW_ERR_SINK_WRITE'), String(settled)).toBe(true);
      }
    } finally {
      await threaded.close();
      await inline.close();
    }
  });

  it('an open that fails rejects with the same PwError as in-process (a file that is not a database: PW_ERR_STORAGE_READ)', async () => {
    const path = join(dir, 'not-a-database.duckdb');
    writeFileSync(path, 'this is not a DuckDB file\n'.repeat(200));
    const inline = await openDuckDbStorage({ path }).then(() => null, (e: unknown) => e);
    const threaded = await openDuckDbStorageThread({ path }).then(() => null, (e: unknown) => e);
    expect(isPwError(inline, 'PW_ERR_STORAGE_READ')).toBe(true);
    expect(isPwError(threaded, 'PW_ERR_STORAGE_READ')).toBe(true);
    expect((threaded as Error).message).toBe((inline as Error).message);
  });

  it('outcome lookups through the shared known-id filter: stored ids, ids recorded since, and never-seen ids', async () => {
    const path = join(dir, 'known.duckdb');
    const first = await openDuckDbStorageThread({ path });
    await first.predictions.write([samplePredictionRow()], sampleOutcomeRow({ message_id: 'stored', payload_digest: 'd-stored' }));
    await first.close();
    const storage = await openDuckDbStorageThread({ path });
    try {
      await new Promise((r) => setTimeout(r, 500)); // the filter of a one-row table is filled by now
      expect((await storage.outcomes.findMany(['stored', 'never'])).map((o) => o.payload_digest)).toEqual(['d-stored']);
      await storage.outcomes.record(sampleOutcomeRow({ message_id: 'recorded-now', payload_digest: 'd-now' }));
      expect((await storage.outcomes.findMany(['recorded-now'])).map((o) => o.payload_digest)).toEqual(['d-now']);
      // Never-seen ids are answered on this side of the thread: no message crosses for them.
      const posted = vi.spyOn(Worker.prototype, 'postMessage');
      try {
        expect(await storage.outcomes.findMany(['never-1', 'never-2'])).toEqual([]);
        expect(posted).not.toHaveBeenCalled();
      } finally {
        posted.mockRestore();
      }
    } finally {
      await storage.close();
    }
    const closed = await storage.outcomes.findMany(['never-3']).then(() => null, (e: unknown) => e);
    expect(isPwError(closed, 'PW_ERR_SINK_WRITE')).toBe(true);
  });

  it('absent answers stay undefined and errors keep their code across the thread', async () => {
    const storage = await openDuckDbStorageThread({ path: ':memory:' });
    try {
      expect(await storage.notifications.find(SAMPLE_DATE, 'nothing')).toBeUndefined();
      const err = await storage.accuracy.replaceDate('2026-01-01', [], ['x']).then(() => null, (e: unknown) => e);
      expect(err).toBeNull();
      const bad = await storage.signals.replaceDate('2026-01-01', [{ game_date: '2026-01-02' } as never]).then(() => null, (e: unknown) => e);
      expect(isPwError(bad, 'PW_ERR_SINK_WRITE')).toBe(true);
      expect((bad as Error).message).toContain('2026-01-02');
    } finally {
      await storage.close();
    }
  });

  it('after close every call rejects with PW_ERR_SINK_WRITE', async () => {
    const storage = await openDuckDbStorageThread({ path: ':memory:' });
    await storage.close();
    await storage.close(); // idempotent
    const err = await storage.predictions.write([samplePredictionRow()]).then(() => null, (e: unknown) => e);
    expect(isPwError(err, 'PW_ERR_SINK_WRITE')).toBe(true);
  });

  it('a thread that dies (its heap limit) is reported once through onLost, and every call then rejects with PW_ERR_SINK_WRITE', async () => {
    const path = join(dir, 'lost.duckdb');
    const lost: Error[] = [];
    const storage = await openDuckDbStorageThread(
      { path },
      { onLost: (err) => lost.push(err), resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32 } },
    );
    await storage.predictions.write([samplePredictionRow()], sampleOutcomeRow()); // it works until then
    expect(lost).toEqual([]);
    // ~96 MB of distinct strings in one call: more than the thread's 32 MB heap can hold.
    const huge = Array.from({ length: 96 }, (_, i) => samplePredictionRow({ prediction_id: `${i}`.padStart(32, '0'), features_snapshot: `"${String(i).repeat(1 << 20)}"` }));
    const write = await storage.predictions.write(huge).then(() => null, (e: unknown) => e);
    expect(isPwError(write, 'PW_ERR_SINK_WRITE')).toBe(true);
    await vi.waitFor(() => expect(lost).toHaveLength(1));
    expect(isPwError(lost[0], 'PW_ERR_SINK_WRITE')).toBe(true);
    expect(lost[0]!.message).toMatch(/storage thread (failed|exited).*memory/i);
    const later = await storage.ping().then(() => null, (e: unknown) => e);
    expect(later).toBe(lost[0]);
    await storage.close();
    expect(lost).toHaveLength(1);
    // What was acknowledged before is in the file (the log is replayed by the next open).
    const reopened = await openDuckDbStorage({ path });
    try {
      expect(await reopened.predictions.allPredictions(SAMPLE_DATE)).toHaveLength(1);
    } finally {
      await reopened.close();
    }
  });

  it('a thread that dies while closing is not reported through onLost: close() rejects with PW_ERR_SINK_WRITE instead', async () => {
    const lost: Error[] = [];
    const storage = await openDuckDbStorageThread(
      { path: join(dir, 'dies-closing.duckdb') },
      { onLost: (err) => lost.push(err), resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32 } },
    );
    const huge = Array.from({ length: 96 }, (_, i) => samplePredictionRow({ prediction_id: `${i}`.padStart(32, '0'), features_snapshot: `"${String(i).repeat(1 << 20)}"` }));
    const write = storage.predictions.write(huge).then(() => null, (e: unknown) => e);
    const closed = await storage.close().then(() => null, (e: unknown) => e); // posted with the write: the thread dies while closing
    expect(isPwError(await write, 'PW_ERR_SINK_WRITE')).toBe(true);
    expect(isPwError(closed, 'PW_ERR_SINK_WRITE')).toBe(true);
    expect(lost).toEqual([]);
  });

  it('a thread ended by close() is not a loss: onLost is never called', async () => {
    const lost: Error[] = [];
    const storage = await openDuckDbStorageThread({ path: join(dir, 'closed.duckdb') }, { onLost: (err) => lost.push(err) });
    await storage.predictions.write([samplePredictionRow()], sampleOutcomeRow());
    await storage.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(lost).toEqual([]);
  });

  it('a wire error round-trips code and message; a plain error stays plain', () => {
    const back = fromWireError(toWireError(fromWireError({ message: 'boom', code: 'PW_ERR_SINK_WRITE' })));
    expect(isPwError(back, 'PW_ERR_SINK_WRITE')).toBe(true);
    expect(back.message).toBe('boom');
    expect(isPwError(fromWireError(toWireError(new Error('plain'))))).toBe(false);
    expect(isPwError(fromWireError({ message: 'x', code: 'NOT_A_CODE' }))).toBe(false);
  });

  it('the thread gets the loader flags of the process, not its per-process V8 flags', () => {
    expect(loaderFlags(['--env-file=config/local.env', '--import', 'tsx', '--max-semi-space-size=2', '--require=./a.cjs', '--cpu-prof', '-r', 'x', '--conditions=dev'])).toEqual([
      '--import',
      'tsx',
      '--require=./a.cjs',
      '-r',
      'x',
      '--conditions=dev',
    ]);
  });

  it('messages go in one array per event-loop turn; flush sends what waits at once', async () => {
    const posted: number[][] = [];
    const q = perTurn<number>((batch) => posted.push(batch));
    q.add(1);
    q.add(2);
    expect(posted).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(posted).toEqual([[1, 2]]);
    q.add(3);
    q.flush();
    expect(posted).toEqual([[1, 2], [3]]);
    await new Promise((r) => setImmediate(r));
    expect(posted).toEqual([[1, 2], [3]]); // nothing left: no empty message
  });
});
