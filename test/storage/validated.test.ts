/**
 * Issue 7, class 1: `validatedStorage` checks every row against its table's zod schema before
 * any write, for every table, so nothing is stored that the read path (which parses with the same
 * schemas) would refuse. Over the real embedded DuckDB storage.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPwError } from '../../src/errors.js';
import { openDuckDbStorage } from '../../src/storage/duckdb/index.js';
import {
  SAMPLE_DATE,
  sampleAccuracyRow,
  sampleActualRow,
  sampleFeatureRow,
  sampleNotificationRow,
  sampleOutcomeRow,
  samplePerformanceRow,
  samplePredictionRow,
  sampleSignalRow,
  sampleRegistryEventRow,
  sampleModelRegistryRow,
} from '../../src/storage/sample-rows.js';
import type { Storage } from '../../src/storage/storage.js';
import { validatedStorage } from '../../src/storage/validated.js';

let storage: Storage;
beforeEach(async () => {
  storage = validatedStorage(await openDuckDbStorage({ path: ':memory:' }));
});
afterEach(async () => {
  await storage.close();
});

async function refused(write: Promise<unknown>, table: string, field: string): Promise<void> {
  const err = await write.then(() => undefined, (e: unknown) => e);
  expect(isPwError(err, 'PW_ERR_ROW_INVALID'), String(err)).toBe(true);
  expect((err as Error).message).toContain(table);
  expect((err as Error).message).toContain(field);
  expect((err as { retryable: boolean }).retryable).toBe(false);
}

describe('validatedStorage: no row is written that its table would refuse on read', () => {
  it('predictions (and the outcome written with them): nothing of the call is stored', async () => {
    const good = samplePredictionRow();
    const bad = samplePredictionRow({ prediction_id: 'p-bad', line_value: Infinity, edge: -Infinity });
    await refused(storage.predictions.write([good, bad], sampleOutcomeRow()), 'player_prop_predictions', 'line_value');
    await refused(storage.predictions.write([good], sampleOutcomeRow({ received_at: '+275760-09-13T00:00:00.000Z' })), 'prediction_request_outcomes', 'received_at');
    expect(await storage.predictions.allPredictions(SAMPLE_DATE)).toEqual([]);
    expect(await storage.outcomes.forDate(SAMPLE_DATE)).toEqual([]);
    await storage.predictions.write([good], sampleOutcomeRow());
    expect(await storage.predictions.currentPredictions(SAMPLE_DATE)).toEqual([good]);
  });

  it('every other table', async () => {
    await refused(storage.outcomes.record(sampleOutcomeRow({ rows_written: 1.5 })), 'prediction_request_outcomes', 'rows_written');
    await refused(storage.features.upsert([sampleFeatureRow({ features: [Number.NaN] })]), 'ml_feature_store_v2', 'features');
    await refused(storage.actuals.upsert([sampleActualRow({ points: Infinity })]), 'player_game_summary', 'points');
    await refused(storage.accuracy.replaceDate(SAMPLE_DATE, [sampleAccuracyRow({ absolute_error: Number.NaN })]), 'prediction_accuracy', 'absolute_error');
    await refused(storage.signals.replaceDate(SAMPLE_DATE, [sampleSignalRow({ avg_abs_edge: Infinity })]), 'daily_prediction_signals', 'avg_abs_edge');
    await refused(storage.notifications.record(sampleNotificationRow({ game_date: '2025-13-45x' })), 'notifications', 'game_date');
    await refused(storage.performance.replaceDate(SAMPLE_DATE, [samplePerformanceRow({ bets: 2.5 })]), 'model_performance_daily', 'bets');
    expect(await storage.outcomes.forDate(SAMPLE_DATE)).toEqual([]);
    expect(await storage.features.loadSlate(SAMPLE_DATE)).toEqual([]);
    expect(await storage.actuals.forDate(SAMPLE_DATE)).toEqual([]);
    expect(await storage.accuracy.forRange(SAMPLE_DATE, SAMPLE_DATE)).toEqual([]);
    expect(await storage.signals.forDate(SAMPLE_DATE)).toEqual([]);
    expect(await storage.performance.forRange(SAMPLE_DATE, SAMPLE_DATE)).toEqual([]);
    await refused(storage.registryEvents.append(sampleRegistryEventRow({ event_time: 'yesterday' })), 'model_registry_events', 'event_time');
    await refused(storage.registry.upsert([sampleModelRegistryRow({ backtest_mae: Number.NaN })]), 'model_registry', 'backtest_mae');
    expect(await storage.registryEvents.list()).toEqual([]);
    expect(await storage.registry.all()).toEqual([]);
  });

  it('valid rows pass through unchanged', async () => {
    await storage.features.upsert([sampleFeatureRow()]);
    expect(await storage.features.loadSlate(SAMPLE_DATE)).toEqual([sampleFeatureRow()]);
  });
});
