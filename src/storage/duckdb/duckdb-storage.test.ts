import { describe, expect, it } from 'vitest';
import { isPwError } from '../../errors.js';
import { runStorageContract } from '../storage.contract.js';
import { sampleFeatureRow, sampleOutcomeRow, samplePredictionRow, SAMPLE_DATE } from '../sample-rows.js';
import { featureStoreTable } from '../tables/index.js';
import { predictionWriteParts } from './buffered-writes.js';
import { openDuckDbStorage } from './duckdb-storage.js';
import { foldParts, type FoldedWrite } from './write-codec.js';

runStorageContract({ name: 'duckdb (:memory:)', create: () => openDuckDbStorage({ path: ':memory:' }) });

describe('duckdb storage', () => {
  it('a folded write (the storage thread\'s entry) stores the rows and the outcome as predictions.write does', async () => {
    const storage = await openDuckDbStorage({ path: ':memory:' });
    try {
      const rows = [samplePredictionRow(), samplePredictionRow({ prediction_id: 'b'.repeat(32), system_id: 'challenger_a', model_role: 'challenger' })];
      await storage.writeFolded(foldParts(predictionWriteParts(rows, sampleOutcomeRow())));
      expect(await storage.predictions.allPredictions(SAMPLE_DATE)).toEqual(expect.arrayContaining(rows));
      expect((await storage.outcomes.findMany([sampleOutcomeRow().message_id]))[0]?.outcome).toBe('written');
    } finally {
      await storage.close();
    }
  });

  it('a folded write of a table that is not logged, or a value that is not a write, is refused and writes nothing', async () => {
    const storage = await openDuckDbStorage({ path: ':memory:' });
    try {
      const notLogged = await storage.writeFolded(foldParts([[featureStoreTable, [sampleFeatureRow()]]])).then(() => null, (e: unknown) => e);
      expect(isPwError(notLogged, 'PW_ERR_SINK_WRITE')).toBe(true);
      expect((notLogged as Error).message).toMatch(/ml_feature_store_v2 is not written through the ingest log/);
      const garbage = await storage.writeFolded({ not: 'a write' } as unknown as FoldedWrite).then(() => null, (e: unknown) => e);
      expect(isPwError(garbage, 'PW_ERR_SINK_WRITE')).toBe(true);
      expect(await storage.features.loadSlate(SAMPLE_DATE)).toEqual([]);
    } finally {
      await storage.close();
    }
  });

  it('serialises concurrent writes: every message of a burst is stored once', async () => {
    const storage = await openDuckDbStorage({ path: ':memory:' });
    try {
      const writes = Array.from({ length: 50 }, (_, i) =>
        storage.predictions.write([
          samplePredictionRow({ prediction_id: `${i}`.padStart(31, '0') + 'a', player_lookup: `player${i}`, message_id: `m${i}` }),
          samplePredictionRow({ prediction_id: `${i}`.padStart(31, '0') + 'b', player_lookup: `player${i}`, message_id: `m${i}`, system_id: 'challenger_a', model_role: 'challenger' }),
        ]),
      );
      await Promise.all([...writes, ...writes.map(() => storage.predictions.currentPredictions(SAMPLE_DATE))]);
      expect(await storage.predictions.allPredictions(SAMPLE_DATE)).toHaveLength(100);
    } finally {
      await storage.close();
    }
  });

  it('a batch with the same prediction_id twice keeps the last one', async () => {
    const storage = await openDuckDbStorage({ path: ':memory:' });
    try {
      const second = samplePredictionRow({ predicted_points: 30 });
      await storage.predictions.write([samplePredictionRow(), second]);
      expect(await storage.predictions.allPredictions(SAMPLE_DATE)).toEqual([second]);
    } finally {
      await storage.close();
    }
  });

  it('a failed replaceDate leaves the previous rows in place (one transaction)', async () => {
    const storage = await openDuckDbStorage({ path: ':memory:' });
    try {
      const { sampleSignalRow } = await import('../sample-rows.js');
      const kept = sampleSignalRow();
      await storage.signals.replaceDate(SAMPLE_DATE, [kept]);
      // A NOT NULL violation in the INSERT must roll back the DELETE.
      const broken = { ...sampleSignalRow({ system_id: 'x' }), signal_explanation: null } as unknown as typeof kept;
      await expect(storage.signals.replaceDate(SAMPLE_DATE, [broken])).rejects.toMatchObject({ code: 'PW_ERR_SINK_WRITE' });
      expect(await storage.signals.forDate(SAMPLE_DATE)).toEqual([kept]);
    } finally {
      await storage.close();
    }
  });

  it('rewriting existing keys (the merge fallback after a refused append) leaves the connection usable', async () => {
    const storage = await openDuckDbStorage({ path: ':memory:' });
    try {
      const { sampleNotificationRow } = await import('../sample-rows.js');
      for (const sent_at of ['2026-02-10T12:00:00.000Z', '2026-02-11T12:00:00.000Z', '2026-02-12T12:00:00.000Z']) {
        await storage.notifications.record(sampleNotificationRow({ sent_at }));
        await storage.predictions.write([samplePredictionRow({ prediction_id: sent_at.replace(/\D/g, '').padEnd(32, '0') })]);
      }
      expect((await storage.notifications.find(SAMPLE_DATE, sampleNotificationRow().kind))?.sent_at).toBe('2026-02-12T12:00:00.000Z');
      expect(await storage.predictions.allPredictions(SAMPLE_DATE)).toHaveLength(3);
    } finally {
      await storage.close();
    }
  });

  it('one failing write in a group: the others are stored and resolved, only the bad one is rejected (issue 7, class 9)', async () => {
    const storage = await openDuckDbStorage({ path: ':memory:' });
    try {
      const { sampleOutcomeRow } = await import('../sample-rows.js');
      const message = (i: number) => {
        const messageId = `msg-${i}`;
        const rows = ['a', 'b', 'c'].map((s) =>
          samplePredictionRow({ prediction_id: `${i}${s}`.padStart(32, '0'), player_lookup: `player${i}`, message_id: messageId, system_id: `sys_${s}` }),
        );
        return { rows, outcome: sampleOutcomeRow({ message_id: messageId, player_lookup: `player${i}`, rows_written: 3 }) };
      };
      const good = [0, 1, 2, 4, 5].map(message);
      // Message 3's outcome breaks a NOT NULL column: its write must fail alone, in the same group.
      const bad = message(3);
      const badOutcome = { ...bad.outcome, received_at: null } as unknown as typeof bad.outcome;
      // All six are called in one turn of the event loop, so they join one write group.
      const settled = await Promise.allSettled([
        ...good.slice(0, 3).map((m) => storage.predictions.write(m.rows, m.outcome)),
        storage.predictions.write(bad.rows, badOutcome),
        ...good.slice(3).map((m) => storage.predictions.write(m.rows, m.outcome)),
      ]);
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect((settled[3] as PromiseRejectedResult).reason).toMatchObject({ code: 'PW_ERR_SINK_WRITE' });
      const stored = await storage.predictions.allPredictions(SAMPLE_DATE);
      expect(stored.map((r) => r.prediction_id).sort()).toEqual(good.flatMap((m) => m.rows.map((r) => r.prediction_id)).sort());
      const outcomes = await storage.outcomes.forDate(SAMPLE_DATE);
      expect(outcomes.map((o) => o.message_id).sort()).toEqual(good.map((m) => m.outcome.message_id).sort());
      // The storage stays usable: the bad message, corrected and redelivered, is stored.
      await storage.predictions.write(bad.rows, bad.outcome);
      expect(await storage.predictions.allPredictions(SAMPLE_DATE)).toHaveLength(18);
    } finally {
      await storage.close();
    }
  });

  it('a write after close fails with a clear error', async () => {
    const storage = await openDuckDbStorage({ path: ':memory:' });
    await storage.close();
    await expect(storage.predictions.write([samplePredictionRow()])).rejects.toMatchObject({ code: 'PW_ERR_SINK_WRITE' });
  });
});
