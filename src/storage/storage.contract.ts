/**
 * @module storage/storage.contract
 * The behaviour every Storage implementation must have, as one vitest suite:
 * `runStorageContract({ name, create, skip })`. `create` returns a fresh, empty storage for each
 * case; `skip` maps a case name to the reason it cannot run against that implementation (the
 * reason is printed in the test name, so a skip is never silent).
 *
 * @example
 *   runStorageContract({ name: 'duckdb', create: () => openDuckDbStorage({ path: ':memory:' }) });
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from './storage.js';
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
} from './sample-rows.js';

export const STORAGE_CONTRACT_CASES = [
  'features: upsert then loadSlate round-trips arrays and nulls',
  'features: upsert by (game_date, player_lookup) replaces the row',
  'predictions: writing the same rows twice keeps one copy',
  'predictions: rows written with their outcome store both, also on redelivery',
  'predictions: current row is the latest publish time, whatever the write order',
  'predictions: a publish-time tie goes to the larger prediction_id',
  'predictions: currentPredictions filters by system',
  'predictions: allPredictions keeps history, ordered by player, system, publish time',
  'outcomes: one outcome per message_id (the latest); forDate and rejected read them back',
  'actuals: upsert by key and forDate',
  'accuracy: replaceDate twice leaves the same rows; forRange filters dates and systems',
  'signals: replaceDate replaces only that date',
  'performance: replaceDate is idempotent per date; forRange reads dates in order with nulls intact',
  'notifications: find is undefined until recorded; record upserts by (date, kind)',
  'ping resolves and close is idempotent',
  'registryEvents: append keeps every event once, list orders by time and filters by system',
  'registry: upsert by system_id; all lists every row',
] as const;

export type StorageContractCase = (typeof STORAGE_CONTRACT_CASES)[number];

export interface StorageContractOptions {
  name: string;
  /** A fresh, empty storage; closed after each case. */
  create: () => Promise<Storage>;
  /** Cases this implementation cannot run, each with its reason. */
  skip?: Partial<Record<StorageContractCase, string>>;
}

const OTHER_DATE = '2025-11-09';

/** Sort rows by the given columns (for interfaces that promise no order). */
function by<R>(rows: R[], ...cols: Array<keyof R>): R[] {
  return [...rows].sort((a, b) => {
    for (const c of cols) {
      const x = String(a[c]);
      const y = String(b[c]);
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  });
}

export function runStorageContract({ name, create, skip = {} }: StorageContractOptions): void {
  describe(`Storage contract: ${name}`, () => {
    let storage: Storage;

    beforeEach(async () => {
      storage = await create();
    });
    afterEach(async () => {
      await storage?.close();
    });

    const cases = new Set<string>();
    const test = (title: StorageContractCase, body: () => Promise<void>) => {
      cases.add(title);
      const reason = skip[title];
      if (reason) it.skip(`${title} [skipped: ${reason}]`, body);
      else it(title, body);
    };

    test('features: upsert then loadSlate round-trips arrays and nulls', async () => {
      const full = sampleFeatureRow();
      const sparse = sampleFeatureRow({
        player_lookup: 'anthonydavis',
        feature_names: [],
        features: [],
        feature_quality_score: null,
        team_abbr: null,
        opponent_team_abbr: null,
      });
      const otherDay = sampleFeatureRow({ game_date: OTHER_DATE });
      await storage.features.upsert([full, sparse, otherDay]);

      expect(by(await storage.features.loadSlate(SAMPLE_DATE), 'player_lookup')).toEqual([sparse, full]);
      expect(await storage.features.loadSlate(OTHER_DATE)).toEqual([otherDay]);
      expect(await storage.features.loadSlate('2025-11-10')).toEqual([]);
    });

    test('features: upsert by (game_date, player_lookup) replaces the row', async () => {
      await storage.features.upsert([sampleFeatureRow()]);
      const updated = sampleFeatureRow({ features: [30, 31.5], feature_quality_score: 50 });
      await storage.features.upsert([updated]);
      expect(await storage.features.loadSlate(SAMPLE_DATE)).toEqual([updated]);
    });

    test('predictions: writing the same rows twice keeps one copy', async () => {
      const champion = samplePredictionRow();
      const challenger = samplePredictionRow({
        prediction_id: 'f'.repeat(32),
        system_id: 'catboost_v9_train1102_0215',
        model_role: 'challenger',
        line_value: null,
        has_prop_line: false,
        edge: null,
        recommendation: 'NO_LINE',
        line_provenance: 'none',
        missing_critical_features: ['vegas_points_line'],
        defaulted_features: [],
      });
      await storage.predictions.write([champion, challenger]);
      await storage.predictions.write([champion, challenger]); // a Pub/Sub redelivery
      expect(await storage.predictions.allPredictions(SAMPLE_DATE)).toEqual([champion, challenger]);
    });

    test('predictions: rows written with their outcome store both, also on redelivery', async () => {
      const row = samplePredictionRow();
      const outcome = sampleOutcomeRow({ message_id: row.message_id, game_date: row.game_date });
      await storage.predictions.write([row], outcome);
      await storage.predictions.write([row], { ...outcome, received_at: '2025-11-08T13:00:00.000Z' }); // redelivered
      expect(await storage.predictions.allPredictions(SAMPLE_DATE)).toEqual([row]);
      const outcomes = await storage.outcomes.forDate(SAMPLE_DATE);
      expect(outcomes).toHaveLength(1);
      expect(outcomes[0]).toMatchObject({ message_id: row.message_id, outcome: 'written' });
    });

    test('predictions: current row is the latest publish time, whatever the write order', async () => {
      const later = samplePredictionRow({
        prediction_id: '1'.repeat(32), // the smaller id: the publish time alone must decide
        message_id: 'msg-later',
        request_published_at: '2025-11-08T18:00:00.000Z',
        line_value: 26.5,
      });
      const earlier = samplePredictionRow({
        prediction_id: '9'.repeat(32),
        message_id: 'msg-earlier',
        request_published_at: '2025-11-08T12:00:00.000Z',
      });
      const otherSystem = samplePredictionRow({
        prediction_id: '5'.repeat(32),
        system_id: 'catboost_v9_train1102_0215',
        model_role: 'challenger',
        message_id: 'msg-earlier',
        request_published_at: '2025-11-08T12:00:00.000Z',
      });
      await storage.predictions.write([later]);
      await storage.predictions.write([earlier, otherSystem]); // the older message arrives last

      const current = by(await storage.predictions.currentPredictions(SAMPLE_DATE), 'system_id');
      expect(current).toEqual([later, otherSystem]);
    });

    test('predictions: a publish-time tie goes to the larger prediction_id', async () => {
      const published = '2025-11-08T12:00:00.000Z';
      const larger = samplePredictionRow({ prediction_id: 'b'.repeat(32), message_id: 'm-b', request_published_at: published });
      const smaller = samplePredictionRow({ prediction_id: 'a'.repeat(32), message_id: 'm-a', request_published_at: published });
      await storage.predictions.write([larger]);
      await storage.predictions.write([smaller]);
      expect(await storage.predictions.currentPredictions(SAMPLE_DATE)).toEqual([larger]);
    });

    test('predictions: currentPredictions filters by system', async () => {
      const champion = samplePredictionRow();
      const challenger = samplePredictionRow({ prediction_id: 'c'.repeat(32), system_id: 'catboost_v9_q43', model_role: 'challenger' });
      const elsewhere = samplePredictionRow({ prediction_id: 'd'.repeat(32), game_date: OTHER_DATE, game_id: '20251109_LAL_BOS' });
      await storage.predictions.write([champion, challenger, elsewhere]);

      expect(await storage.predictions.currentPredictions(SAMPLE_DATE, ['catboost_v9_q43'])).toEqual([challenger]);
      expect(by(await storage.predictions.currentPredictions(SAMPLE_DATE), 'system_id')).toEqual([champion, challenger]);
      expect(await storage.predictions.currentPredictions(SAMPLE_DATE, [])).toEqual([]);
      expect(await storage.predictions.currentPredictions(OTHER_DATE)).toEqual([elsewhere]);
    });

    test('predictions: allPredictions keeps history, ordered by player, system, publish time', async () => {
      const rows = [
        samplePredictionRow({ prediction_id: '3'.repeat(32), player_lookup: 'zionwilliamson', request_published_at: '2025-11-08T09:00:00.000Z' }),
        samplePredictionRow({ prediction_id: '2'.repeat(32), request_published_at: '2025-11-08T14:00:00.000Z' }),
        samplePredictionRow({ prediction_id: '1'.repeat(32), request_published_at: '2025-11-08T13:00:00.000Z' }),
        samplePredictionRow({ prediction_id: '4'.repeat(32), system_id: 'a_challenger', model_role: 'challenger' }),
      ];
      await storage.predictions.write(rows);
      const all = await storage.predictions.allPredictions(SAMPLE_DATE);
      expect(all.map((r) => r.prediction_id)).toEqual(['4'.repeat(32), '1'.repeat(32), '2'.repeat(32), '3'.repeat(32)]);
      expect((await storage.predictions.currentPredictions(SAMPLE_DATE)).length).toBe(3);
    });

    test('outcomes: one outcome per message_id (the latest); forDate and rejected read them back', async () => {
      const written = sampleOutcomeRow();
      const rejected = sampleOutcomeRow({
        message_id: 'msg-bad',
        outcome: 'rejected',
        reason_code: 'PW_ERR_PAYLOAD',
        reason: 'game_date missing',
        player_lookup: null,
        game_date: null,
        rows_written: 0,
        systems: [],
        delivery_attempt: null,
        raw_message: '{"bad":true}',
        received_at: '2025-11-08T13:00:00.000Z',
      });
      // A first delivery rejected, then the redelivery (received later) written: the later one wins.
      await storage.outcomes.record(
        sampleOutcomeRow({ outcome: 'rejected', reason_code: 'PW_ERR_PLAYER_NOT_FOUND', rows_written: 0, received_at: '2025-11-08T11:00:00.000Z' }),
      );
      await storage.outcomes.record(written);
      await storage.outcomes.record(written); // recording the same outcome twice keeps one
      await storage.outcomes.record(rejected);

      expect(await storage.outcomes.forDate(SAMPLE_DATE)).toEqual([written]);
      const found = await storage.outcomes.findMany(['msg-bad', 'msg-never', 'msg-1']);
      expect([...found].sort((a, b) => a.message_id.localeCompare(b.message_id))).toEqual([written, rejected]);
      expect(await storage.outcomes.findMany([])).toEqual([]);
      expect(await storage.outcomes.rejected()).toEqual([rejected]);
      expect(await storage.outcomes.rejected('2025-11-08T13:00:00.000Z')).toEqual([rejected]);
      expect(await storage.outcomes.rejected('2025-11-08T13:00:00.001Z')).toEqual([]);
    });

    test('actuals: upsert by key and forDate', async () => {
      const played = sampleActualRow();
      const dnp = sampleActualRow({ player_lookup: 'anthonydavis', points: null, minutes_played: 0 });
      await storage.actuals.upsert([sampleActualRow({ points: 3 }), dnp]);
      await storage.actuals.upsert([played]);
      expect(by(await storage.actuals.forDate(SAMPLE_DATE), 'player_lookup')).toEqual([dnp, played]);
      expect(await storage.actuals.forDate(OTHER_DATE)).toEqual([]);
    });

    test('accuracy: replaceDate twice leaves the same rows; forRange filters dates and systems', async () => {
      const rows = [
        sampleAccuracyRow(),
        sampleAccuracyRow({ player_lookup: 'anthonydavis', system_id: 'catboost_v9_q43', model_role: 'challenger', outcome: 'VOID', is_voided: true, void_reason: 'DNP', prediction_correct: null, actual_points: null }),
      ];
      const nextDay = sampleAccuracyRow({ game_date: OTHER_DATE });
      await storage.accuracy.replaceDate(OTHER_DATE, [nextDay]);
      await storage.accuracy.replaceDate(SAMPLE_DATE, rows);
      await storage.accuracy.replaceDate(SAMPLE_DATE, rows); // a re-grade

      const sorted = by(rows, 'system_id');
      expect(by(await storage.accuracy.forRange(SAMPLE_DATE, SAMPLE_DATE), 'system_id')).toEqual(sorted);
      expect(await storage.accuracy.forRange(SAMPLE_DATE, OTHER_DATE)).toHaveLength(3);
      expect(await storage.accuracy.forRange(OTHER_DATE, OTHER_DATE)).toEqual([nextDay]);
      expect(await storage.accuracy.forRange(SAMPLE_DATE, OTHER_DATE, ['catboost_v9_q43'])).toEqual([rows[1]]);

      // Re-grading one system rewrites that system's rows only; the other system's rows stay.
      const regraded = { ...rows[0]!, absolute_error: 9.5 };
      await storage.accuracy.replaceDate(SAMPLE_DATE, [regraded]);
      expect(by(await storage.accuracy.forRange(SAMPLE_DATE, SAMPLE_DATE), 'system_id')).toEqual(by([regraded, rows[1]!], 'system_id'));
      // No rows and no named systems: nothing graded, nothing deleted.
      await storage.accuracy.replaceDate(SAMPLE_DATE, []);
      expect(await storage.accuracy.forRange(SAMPLE_DATE, SAMPLE_DATE)).toHaveLength(2);
      // A system graded to zero rows is cleared when named; a row of another system is refused.
      await expect(storage.accuracy.replaceDate(SAMPLE_DATE, [regraded], ['catboost_v9_q43'])).rejects.toMatchObject({ code: 'PW_ERR_SINK_WRITE' });
      await storage.accuracy.replaceDate(SAMPLE_DATE, [], ['catboost_v9', 'catboost_v9_q43']);
      expect(await storage.accuracy.forRange(SAMPLE_DATE, SAMPLE_DATE)).toEqual([]);
      expect(await storage.accuracy.forRange(OTHER_DATE, OTHER_DATE)).toEqual([nextDay]);
    });

    test('signals: replaceDate replaces only that date', async () => {
      const champion = sampleSignalRow();
      const challenger = sampleSignalRow({ system_id: 'catboost_v9_q43', model_role: 'challenger', daily_signal: 'RED', avg_pvl: null });
      const nextDay = sampleSignalRow({ game_date: OTHER_DATE });
      await storage.signals.replaceDate(SAMPLE_DATE, [champion, challenger]);
      await storage.signals.replaceDate(OTHER_DATE, [nextDay]);
      const recomputed = sampleSignalRow({ daily_signal: 'YELLOW', calculated_at: '2025-11-08T20:00:00.000Z' });
      await storage.signals.replaceDate(SAMPLE_DATE, [recomputed]);

      expect(await storage.signals.forDate(SAMPLE_DATE)).toEqual([recomputed]);
      expect(await storage.signals.forDate(OTHER_DATE)).toEqual([nextDay]);
    });

    test('performance: replaceDate is idempotent per date; forRange reads dates in order with nulls intact', async () => {
      const champion = samplePerformanceRow();
      const starved = samplePerformanceRow({
        system_id: 'catboost_v9_q43',
        model_role: 'challenger',
        hit_rate_pct: null,
        rolling_7d_hit_rate_pct: null,
        state: 'INSUFFICIENT_DATA',
        previous_state: null,
        action: 'NO_CHANGE',
        coverage_status: 'MISSING',
        predicted_rows: 0,
        training_end_date: '2025-10-31',
        days_since_training: 8,
      });
      const nextDay = samplePerformanceRow({ game_date: OTHER_DATE });
      await storage.performance.replaceDate(SAMPLE_DATE, [champion, starved]);
      await storage.performance.replaceDate(SAMPLE_DATE, [champion, starved]);
      await storage.performance.replaceDate(OTHER_DATE, [nextDay]);
      expect(await storage.performance.forRange(SAMPLE_DATE, OTHER_DATE)).toEqual([champion, starved, nextDay]);
      const recomputed = samplePerformanceRow({ state: 'HEALTHY', action: 'NO_CHANGE' });
      await storage.performance.replaceDate(SAMPLE_DATE, [recomputed]);
      expect(await storage.performance.forRange(SAMPLE_DATE, SAMPLE_DATE)).toEqual([recomputed]);
      expect(await storage.performance.forRange(OTHER_DATE, OTHER_DATE)).toEqual([nextDay]);
    });

    test('notifications: find is undefined until recorded; record upserts by (date, kind)', async () => {
      expect(await storage.notifications.find(SAMPLE_DATE, 'picks_slack')).toBeUndefined();
      await storage.notifications.record(sampleNotificationRow());
      const resent = sampleNotificationRow({ payload: JSON.stringify({ text: 'forced resend' }), sent_at: '2025-11-08T17:00:00.000Z' });
      await storage.notifications.record(resent);
      expect(await storage.notifications.find(SAMPLE_DATE, 'picks_slack')).toEqual(resent);
      expect(await storage.notifications.find(SAMPLE_DATE, 'bias_alert_slack')).toBeUndefined();
      expect(await storage.notifications.find(OTHER_DATE, 'picks_slack')).toBeUndefined();
    });

    test('ping resolves and close is idempotent', async () => {
      await expect(storage.ping()).resolves.toBeUndefined();
      await storage.close();
      await expect(storage.close()).resolves.toBeUndefined();
    });

    test('registryEvents: append keeps every event once, list orders by time and filters by system', async () => {
      const promote = sampleRegistryEventRow();
      const rollback = sampleRegistryEventRow({
        event_id: '2025-11-09T10:00:00.000Z-b',
        event_time: '2025-11-09T10:00:00.000Z',
        action: 'rollback',
        from_path: promote.to_path,
        from_sha256: promote.to_sha256,
        to_path: promote.from_path,
        to_sha256: promote.from_sha256,
        forced: true,
        reason: 'bad night',
        metrics: null,
      });
      const retire = sampleRegistryEventRow({ event_id: '2025-11-08T09:00:00.000Z-c', event_time: '2025-11-08T09:00:00.000Z', action: 'retire', system_id: 'catboost_v9_demo_q43' });
      await storage.registryEvents.append(rollback);
      await storage.registryEvents.append(promote);
      await storage.registryEvents.append(retire);
      await storage.registryEvents.append(promote); // a retried append does not duplicate
      expect(await storage.registryEvents.list()).toEqual([retire, promote, rollback]);
      expect(await storage.registryEvents.list('catboost_v9')).toEqual([promote, rollback]);
      expect(await storage.registryEvents.list('nobody')).toEqual([]);
    });

    test('registry: upsert by system_id; all lists every row', async () => {
      const champion = sampleModelRegistryRow();
      const challenger = sampleModelRegistryRow({ system_id: 'catboost_v9_demo_q43', role: 'challenger', train_start: '2024-01-01', train_end: '2024-03-31', backtest_n_edge_3plus: 148 });
      await storage.registry.upsert([challenger, champion]);
      const retired = { ...challenger, enabled: false, description: 'Retired: gone' };
      await storage.registry.upsert([retired]);
      expect(await storage.registry.all()).toEqual([champion, retired]);
    });

    it('every skip names an existing case and gives a reason', () => {
      for (const [title, reason] of Object.entries(skip)) {
        expect(cases.has(title), title).toBe(true);
        expect(String(reason).trim().length, `skip reason for ${title}`).toBeGreaterThan(0);
      }
    });
  });
}
