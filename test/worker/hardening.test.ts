/**
 * Issue 7: the worker under hostile or unlucky input, end to end through POST /predict with real
 * in-memory DuckDB storage and the fixture models. Each block is one fault class.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { PwError, pwError } from '../../src/errors.js';
import type { Storage } from '../../src/storage/storage.js';
import { RAW_MESSAGE_LIMIT_BYTES } from '../../src/worker/handle-push.js';
import { bodyDigest } from '../../src/worker/envelope.js';
import { buildApp } from '../../src/worker/app.js';
import { FIXTURE_MODELS, HAVE_FIXTURES, SKIP_REASON, build, failingWrites, featureRow, loadFixtureModelSet, postPush, pushBody, request, today } from './helper.js';

const PLAYER = 'lebronjames';
const OTHER = 'stephencurry';
const date = today();
const seed = () => [featureRow(PLAYER, date), featureRow(OTHER, date, { points_avg_season: 27 })];
const hourAgo = () => new Date(Date.now() - 3_600_000).toISOString();

/** The exact request the Pub/Sub emulator made for a no-wrapper push (captured; see the file). */
const EMULATOR = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/emulator-pushes.json'), 'utf8')) as {
  no_wrapper: { headers: Record<string, string>; body_base64: string };
  wrapped: { headers: Record<string, string>; body_base64: string };
};

/** The stored outcome of one message id. */
async function findOutcome(storage: Storage, messageId: string) {
  return (await storage.outcomes.findMany([messageId]))[0];
}

describe.skipIf(!HAVE_FIXTURES)(`issue 7 hardening (${HAVE_FIXTURES ? 'fixtures found' : SKIP_REASON})`, () => {
  describe('class 1: no message poisons a date', () => {
    it('line_values [1e308, 1.7e308] is rejected and recorded; the date stays readable everywhere', async () => {
      const { app, storage } = await build({ features: seed() });
      expect((await postPush(app, pushBody(request(OTHER, date), { messageId: 'm-good' }))).statusCode).toBe(204);
      const poison = pushBody(request(PLAYER, date, { line_source: 'ODDS', actual_prop_line: null, line_values: [1e308, 1.7e308] }), { messageId: 'm-poison' });
      const res = await postPush(app, poison);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ outcome: 'rejected', reason_code: 'PW_ERR_PAYLOAD' });
      expect(res.json().reason).toContain('book line');
      const [outcome] = await storage.outcomes.rejected();
      expect(outcome).toMatchObject({ message_id: 'm-poison', raw_message: poison });
      // The read path still works for the whole date.
      const list = await app.inject({ method: 'GET', url: `/predictions?game_date=${date}` });
      expect(list.statusCode).toBe(200);
      expect((await storage.predictions.currentPredictions(date)).map((r) => r.player_lookup)).toEqual(Array(FIXTURE_MODELS.length).fill(OTHER));
    });

    it('a row its table schema refuses is never written: the message is rejected and recorded, not retried', async () => {
      const { app, storage } = await build({
        features: seed(),
        wrapStorage: failingWrites(() => true, () => pwError('PW_ERR_ROW_INVALID', 'nba_predictions.player_prop_predictions', 'row 1 of 3: edge: Invalid input')),
      });
      const body = pushBody(request(PLAYER, date), { messageId: 'm-invalid' });
      const res = await postPush(app, body);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ outcome: 'rejected', reason_code: 'PW_ERR_ROW_INVALID' });
      expect(await storage.outcomes.rejected()).toMatchObject([{ message_id: 'm-invalid', reason_code: 'PW_ERR_ROW_INVALID', raw_message: body }]);
      expect(await storage.predictions.allPredictions(date)).toHaveLength(0);
      // Bad data is not a sick store: /ready stays 200.
      expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    });
  });

  describe('class 4: a message id reused with another payload', () => {
    it('the second payload is a conflict: acknowledged, recorded apart with its body, nothing overwritten', async () => {
      const { app, storage } = await build({ features: seed() });
      expect((await postPush(app, pushBody(request(PLAYER, date), { messageId: 'id-1' }))).statusCode).toBe(204);
      const before = await storage.predictions.allPredictions(date);
      const bodyB = pushBody(request(OTHER, date), { messageId: 'id-1' });
      const res = await postPush(app, bodyB);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ outcome: 'rejected', reason_code: 'PW_ERR_MESSAGE_CONFLICT' });
      expect(await storage.predictions.allPredictions(date)).toEqual(before);
      expect(before.every((r) => r.player_lookup === PLAYER)).toBe(true);
      const original = await findOutcome(storage, 'id-1');
      expect(original).toMatchObject({ outcome: 'written', player_lookup: PLAYER });
      expect(original!.payload_digest).toMatch(/^[0-9a-f]{64}$/);
      const conflict = (await storage.outcomes.rejected())[0]!;
      expect(conflict.message_id).toMatch(/^id-1#conflict-[0-9a-f]{16}$/);
      expect(conflict).toMatchObject({ reason_code: 'PW_ERR_MESSAGE_CONFLICT', player_lookup: OTHER, raw_message: bodyB });
      expect(conflict.payload_digest).not.toBe(original!.payload_digest);
      // A true redelivery of A (same payload, even with other envelope metadata) is still fine.
      expect((await postPush(app, pushBody(request(PLAYER, date), { messageId: 'id-1', publishTime: '2026-01-01T12:00:05Z' }))).statusCode).toBe(204);
    });

    it('two pushes of one id with different players at the same moment: one written, the other a recorded conflict, nothing overwritten', async () => {
      const { app, storage } = await build({ features: seed() });
      const bodies = { [PLAYER]: pushBody(request(PLAYER, date), { messageId: 'id-race' }), [OTHER]: pushBody(request(OTHER, date), { messageId: 'id-race' }) };
      const [a, b] = await Promise.all([postPush(app, bodies[PLAYER]!), postPush(app, bodies[OTHER]!)]);
      expect([a.statusCode, b.statusCode].sort()).toEqual([200, 204]);
      const winner = a.statusCode === 204 ? PLAYER : OTHER;
      const loser = winner === PLAYER ? OTHER : PLAYER;
      expect((a.statusCode === 200 ? a : b).json()).toMatchObject({ outcome: 'rejected', reason_code: 'PW_ERR_MESSAGE_CONFLICT' });
      // The acknowledged push's rows are all there, and only they.
      const rows = await storage.predictions.allPredictions(date);
      expect(rows.filter((r) => r.player_lookup === winner)).toHaveLength(FIXTURE_MODELS.length);
      expect(rows.filter((r) => r.player_lookup === loser)).toHaveLength(0);
      expect(await findOutcome(storage, 'id-race')).toMatchObject({ outcome: 'written', player_lookup: winner, rows_written: FIXTURE_MODELS.length });
      expect(await storage.outcomes.rejected()).toMatchObject([{ reason_code: 'PW_ERR_MESSAGE_CONFLICT', player_lookup: loser, raw_message: bodies[loser] }]);
    });

    it('the same payload delivered twice at the same moment is one set of rows, both acknowledged', async () => {
      const { app, storage } = await build({ features: seed() });
      const body = pushBody(request(PLAYER, date), { messageId: 'id-twice' });
      const results = await Promise.all([postPush(app, body), postPush(app, body)]);
      expect(results.map((r) => r.statusCode)).toEqual([204, 204]);
      expect(await storage.predictions.allPredictions(date)).toHaveLength(FIXTURE_MODELS.length);
      expect(await storage.outcomes.rejected()).toEqual([]);
    });

    it('across two instances (no shared gate) both lookups pass, and still neither payload overwrites the other\'s rows', async () => {
      // Both instances read the outcome before either writes (a barrier holds the first two lookups).
      let arrived = 0;
      let release: () => void = () => {};
      const barrier = new Promise<void>((resolve) => (release = resolve));
      const racingLookups = (s: Storage): Storage => ({
        ...s,
        kind: s.kind,
        location: s.location,
        ping: () => s.ping(),
        close: () => s.close(),
        outcomes: {
          ...s.outcomes,
          findMany: async (ids) => {
            if (arrived < 2) {
              arrived += 1;
              if (arrived === 2) release();
              await barrier;
            }
            return s.outcomes.findMany(ids);
          },
        },
      });
      const first = await build({ features: seed(), wrapStorage: racingLookups });
      const shared = racingLookups(first.storage);
      const second = buildApp({ config: first.config, storage: { ...shared, kind: shared.kind, location: shared.location, ping: () => shared.ping(), close: async () => {} }, modelSet: await loadFixtureModelSet() });
      onTestFinished(() => second.close());
      await second.ready();
      const [a, b] = await Promise.all([
        postPush(first.app, pushBody(request(PLAYER, date), { messageId: 'id-multi' })),
        postPush(second, pushBody(request(OTHER, date), { messageId: 'id-multi' })),
      ]);
      expect(arrived).toBe(2);
      expect([a.statusCode, b.statusCode]).toEqual([204, 204]);
      const rows = await first.storage.predictions.allPredictions(date);
      expect(rows.filter((r) => r.player_lookup === PLAYER)).toHaveLength(FIXTURE_MODELS.length);
      expect(rows.filter((r) => r.player_lookup === OTHER)).toHaveLength(FIXTURE_MODELS.length);
      expect(new Set(rows.map((r) => r.prediction_id)).size).toBe(2 * FIXTURE_MODELS.length);
    });

    it('a body that cannot be decoded, reusing the id of a written message, is recorded apart: the written outcome stays', async () => {
      const { app, storage } = await build({ features: seed() });
      expect((await postPush(app, pushBody(request(PLAYER, date), { messageId: 'id-bad' }))).statusCode).toBe(204);
      const bad = pushBody({ player_lookup: OTHER }, { messageId: 'id-bad' });
      const res = await postPush(app, bad);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ outcome: 'rejected', reason_code: 'PW_ERR_PAYLOAD' });
      expect(res.json().message_id).toMatch(/^id-bad#conflict-[0-9a-f]{16}$/);
      expect(await findOutcome(storage, 'id-bad')).toMatchObject({ outcome: 'written', player_lookup: PLAYER });
      expect(await storage.outcomes.rejected()).toMatchObject([{ reason_code: 'PW_ERR_PAYLOAD', raw_message: bad }]);
      // A bad body under a fresh id is recorded under that id, as before.
      expect((await postPush(app, pushBody({ player_lookup: OTHER }, { messageId: 'id-fresh' }))).json()).toMatchObject({ message_id: 'id-fresh' });
    });
  });

  describe('class 5: any body ends in exactly one recorded outcome', () => {
    it('3.5 MB and 10 MB pushes are answered 200 and recorded, not 500 (no regex over the data)', async () => {
      const { app, storage } = await build({ env: { MAX_BODY_BYTES: String(8 * 1024 * 1024) }, features: seed() });
      const data = Buffer.alloc(2_700_000, 'A').toString('base64'); // ≈ 3.6 MB of valid base64
      const body = pushBody(null, { data, messageId: 'm-huge' });
      expect(body.length).toBeGreaterThan(3_500_000);
      const res = await postPush(app, body);
      expect(res.statusCode).toBe(200);
      expect(await storage.outcomes.rejected()).toMatchObject([{ message_id: 'm-huge', reason_code: 'PW_ERR_PAYLOAD' }]);
      // A near-10 MB data field that is base64 up to its last character: the old backtracking
      // regex threw "Maximum call stack size exceeded" (HTTP 500, redelivered forever).
      const big = await build({ env: { MAX_BODY_BYTES: String(16 * 1024 * 1024) }, features: seed() });
      const bad = pushBody(null, { data: `${'A'.repeat(10_000_000)}!`, messageId: 'm-deep' });
      const deep = await postPush(big.app, bad);
      expect(deep.statusCode).toBe(200);
      expect(await big.storage.outcomes.rejected()).toMatchObject([{ message_id: 'm-deep', reason_code: 'PW_ERR_ENVELOPE', reason: 'message.data is not base64' }]);
      // Over MAX_BODY_BYTES: refused before parsing, still recorded.
      const small = await build({ features: seed() });
      expect((await postPush(small.app, body)).statusCode).toBe(200);
      expect(await small.storage.outcomes.rejected()).toMatchObject([{ message_id: bodyDigest(body), reason_code: 'PW_ERR_ENVELOPE' }]);
    });

    it('deliveryAttempt as a string and messageId as a number are metadata, not a reason to reject', async () => {
      const { app, storage } = await build({ features: seed() });
      const envelope = JSON.parse(pushBody(request(PLAYER, date))) as { message: Record<string, unknown>; deliveryAttempt: unknown };
      envelope.message.messageId = 424242;
      envelope.deliveryAttempt = '3';
      envelope.message.attributes = { n: 1 };
      expect((await postPush(app, JSON.stringify(envelope))).statusCode).toBe(204);
      expect(await findOutcome(storage, '424242')).toMatchObject({ outcome: 'written', delivery_attempt: 3 });
    });

    it('an out-of-range publishTime falls back to the receive time, noted on the outcome', async () => {
      const { app, storage } = await build({ features: seed() });
      for (const [id, time] of [['m-far', '+275760-09-13T00:00:00.000Z'], ['m-9999', '9999-12-31T23:59:59Z'], ['m-1970', '1970-01-01T00:00:00Z']] as const) {
        const before = Date.now();
        expect((await postPush(app, pushBody(request(PLAYER, date), { messageId: id, publishTime: time }))).statusCode, id).toBe(204);
        const rows = (await storage.predictions.allPredictions(date)).filter((r) => r.message_id === id);
        expect(rows).toHaveLength(FIXTURE_MODELS.length);
        expect(Date.parse(rows[0]!.request_published_at)).toBeGreaterThanOrEqual(before - 1000);
        expect((await findOutcome(storage, id))!.reason).toContain('the receive time is used');
      }
      expect((await app.inject({ method: 'GET', url: `/predictions?game_date=${date}` })).statusCode).toBe(200);
    });

    it('an unparseable Content-Type still gets its body read and recorded', async () => {
      const { app, storage } = await build({ features: seed() });
      for (const [i, contentType] of ['}{', 'application/json; charset', 'a/b; =;', '/'].entries()) {
        const res = await postPush(app, pushBody(request(PLAYER, date), { messageId: `m-ct-${i}` }), { 'content-type': contentType });
        expect(res.statusCode, contentType).toBe(204);
      }
      const garbage = await postPush(app, 'garbage', { 'content-type': '}{' });
      expect(garbage.statusCode).toBe(200);
      expect((await storage.outcomes.rejected())[0]).toMatchObject({ raw_message: 'garbage', raw_message_encoding: 'utf8' });
    });

    it('a body that is not valid UTF-8 is kept byte-exact (base64, flagged)', async () => {
      const { app, storage } = await build({ features: seed() });
      const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80, 0x7d]);
      const res = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload: bytes });
      expect(res.statusCode).toBe(200);
      const [outcome] = await storage.outcomes.rejected();
      expect(outcome!.raw_message_encoding).toBe('base64');
      expect(Buffer.from(outcome!.raw_message!, 'base64').equals(bytes)).toBe(true);
    });

    it('raw_message keeps exactly the first 64 KiB, cut on a character boundary', async () => {
      const { app, storage } = await build({ env: { MAX_BODY_BYTES: String(1024 * 1024) }, features: seed() });
      const ascii = 'x'.repeat(RAW_MESSAGE_LIMIT_BYTES + 5000);
      await postPush(app, ascii);
      // 'é' is 2 bytes: put one across the 64 KiB boundary.
      const split = 'y'.repeat(RAW_MESSAGE_LIMIT_BYTES - 1) + 'é' + 'z'.repeat(100);
      await postPush(app, split);
      const byBody = new Map((await storage.outcomes.rejected()).map((o) => [o.raw_message!.slice(0, 1), o]));
      expect(byBody.get('x')!.raw_message).toBe('x'.repeat(RAW_MESSAGE_LIMIT_BYTES));
      expect(byBody.get('x')!.raw_message_encoding).toBe('utf8');
      expect(byBody.get('y')!.raw_message).toBe('y'.repeat(RAW_MESSAGE_LIMIT_BYTES - 1));
      expect(byBody.get('y')!.raw_message_encoding).toBe('utf8');
    });
  });

  describe('class 6: no-wrapper push subscriptions', () => {
    const emulatorHeaders = () => {
      const { host: _h, 'content-length': _l, connection: _c, ...headers } = EMULATOR.no_wrapper.headers;
      return headers;
    };

    it('the emulator fixture is a bare payload with the metadata headers', () => {
      const body = JSON.parse(Buffer.from(EMULATOR.no_wrapper.body_base64, 'base64').toString('utf8')) as Record<string, unknown>;
      expect(body).toHaveProperty('player_lookup');
      expect(body).not.toHaveProperty('message');
      expect(Object.keys(EMULATOR.no_wrapper.headers)).toEqual(expect.arrayContaining(['x-goog-pubsub-message-id', 'x-goog-pubsub-publish-time', 'x-goog-pubsub-subscription-name']));
    });

    it('is accepted: the body is the payload, id, publish time and subscription from the headers', async () => {
      const { app, storage } = await build({ features: seed() });
      // The emulator's exact headers and body format (compact JSON), with today's date.
      const captured = JSON.parse(Buffer.from(EMULATOR.no_wrapper.body_base64, 'base64').toString('utf8')) as Record<string, unknown>;
      const body = JSON.stringify({ ...captured, game_date: date, game_id: `${date.replaceAll('-', '')}_LAL_GSW` });
      const headers = emulatorHeaders();
      const res = await app.inject({ method: 'POST', url: '/predict', headers, payload: body });
      expect(res.statusCode, res.body).toBe(204);
      const rows = await storage.predictions.allPredictions(date);
      expect(rows).toHaveLength(FIXTURE_MODELS.length);
      expect(rows[0]).toMatchObject({ message_id: headers['x-goog-pubsub-message-id'], request_published_at: headers['x-goog-pubsub-publish-time'], line_value: 25.5 });
      expect(await findOutcome(storage, headers['x-goog-pubsub-message-id']!)).toMatchObject({
        outcome: 'written',
        subscription: headers['x-goog-pubsub-subscription-name'],
        payload_digest: bodyDigest(body),
      });
      // A redelivery (same id, same body) is idempotent.
      expect((await app.inject({ method: 'POST', url: '/predict', headers, payload: body })).statusCode).toBe(204);
      expect(await storage.predictions.allPredictions(date)).toHaveLength(FIXTURE_MODELS.length);
    });

    it('without the message-id header the outcome says why it cannot be accepted', async () => {
      const { app, storage } = await build({ features: seed() });
      const { 'x-goog-pubsub-message-id': _id, ...headers } = emulatorHeaders();
      const res = await app.inject({ method: 'POST', url: '/predict', headers, payload: JSON.stringify(request(PLAYER, date)) });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ reason_code: 'PW_ERR_ENVELOPE' });
      expect(res.json().reason).toMatch(/x-goog-pubsub-message-id.*write metadata/);
      expect(await storage.outcomes.rejected()).toHaveLength(1);
    });
  });

  describe('class 7: work that arrives before its data', () => {
    it('a player missing from a young slate is a retry; once the row lands the redelivery is written', async () => {
      const { app, storage } = await build({ env: { SLATE_RELOAD_INTERVAL_MS: '0' }, features: seed() });
      // Cache the slate first (another player), then push one whose row is not there yet.
      expect((await postPush(app, pushBody(request(PLAYER, date), { messageId: 'm-first' }))).statusCode).toBe(204);
      const late = pushBody(request('latecomer', date), { messageId: 'm-late' });
      const retry = await postPush(app, late);
      expect(retry.statusCode).toBe(503);
      expect(retry.json()).toMatchObject({ code: 'PW_ERR_PLAYER_PENDING' });
      expect(await findOutcome(storage, 'm-late')).toBeUndefined();
      await storage.features.upsert([featureRow('latecomer', date)]);
      expect((await postPush(app, late)).statusCode).toBe(204);
      expect((await storage.predictions.allPredictions(date)).filter((r) => r.player_lookup === 'latecomer')).toHaveLength(FIXTURE_MODELS.length);
    });

    it('a player missing from an old slate is rejected (PW_ERR_PLAYER_NOT_FOUND)', async () => {
      const { app } = await build({ features: seed().map((r) => ({ ...r, created_at: hourAgo() })) });
      const res = await postPush(app, pushBody(request('nobody', date), { messageId: 'm-nobody' }));
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ reason_code: 'PW_ERR_PLAYER_NOT_FOUND' });
    });

    it('a date beyond MAX_FUTURE_DAYS is rejected at once, not retried as a young slate until dead-lettered', async () => {
      const { addDays } = await import('../../src/jobs/format.js');
      const { app, storage } = await build({ env: { MAX_FUTURE_DAYS: '3' }, features: seed() });
      const far = pushBody(request(PLAYER, addDays(date, 4)), { messageId: 'm-far' });
      const res = await postPush(app, far);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ reason_code: 'PW_ERR_FUTURE_MESSAGE' });
      expect(await findOutcome(storage, 'm-far')).toMatchObject({ outcome: 'rejected', reason_code: 'PW_ERR_FUTURE_MESSAGE', rows_written: 0 });
      // The last date inside the bound is still work that may arrive before its data: a retry.
      const near = await postPush(app, pushBody(request(PLAYER, addDays(date, 3)), { messageId: 'm-near' }));
      expect(near.statusCode).toBe(503);
      expect(near.json()).toMatchObject({ code: 'PW_ERR_PLAYER_PENDING' });
    });
  });

  describe('class 8: /ready reflects the write path', () => {
    it('a failing write makes /ready 503 until a write succeeds again', async () => {
      let diskFull = false;
      const { app } = await build({
        features: seed(),
        wrapStorage: failingWrites(() => diskFull, () => new PwError('PW_ERR_SINK_WRITE', undefined, 'prediction rows', 'IO Error: No space left on device')),
      });
      expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
      diskFull = true;
      expect((await postPush(app, pushBody(request(PLAYER, date), { messageId: 'm-full' }))).statusCode).toBe(503);
      const ready = await app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().reasons.join(' ')).toContain('No space left on device');
      diskFull = false;
      expect((await postPush(app, pushBody(request(PLAYER, date), { messageId: 'm-full' }))).statusCode).toBe(204);
      expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    });
  });
});

describe.skipIf(!HAVE_FIXTURES)('class 3 in the worker: a champion that predicts nonsense', () => {
  it('an out-of-range champion prediction answers 503 and stores no row for it', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { createModelSet } = await import('../../src/models/model-set-loader.js');
    const { ModelStore } = await import('../../src/models/model-store.js');
    const { V9_FEATURE_INDEX, V9_FEATURE_NAMES } = await import('../../src/features/contract.js');
    const { tinyCatBoostJson } = await import('../models/helpers.js');
    const dir = mkdtempSync(join(tmpdir(), 'pw-nonsense-'));
    try {
      // Plausible on the load-time probes (injury_risk 0), 510 points for a player with injury_risk 1.
      writeFileSync(join(dir, 'champ.json'), tinyCatBoostJson({ featureNames: V9_FEATURE_NAMES, bias: 10, trees: [{ feature: V9_FEATURE_INDEX.injury_risk, leaves: [0, 500] }] }));
      const modelSet = await createModelSet({ championPath: 'champ.json', registry: {}, store: new ModelStore({ cwd: dir, cacheDir: join(dir, 'cache') }), engine: 'auto', logger: { info() {}, warn() {}, error() {} } });
      const { app, storage } = await build({ modelSet, features: [featureRow(PLAYER, date, { injury_risk: 1 }), featureRow(OTHER, date, { injury_risk: 0 })] });
      const res = await postPush(app, pushBody(request(PLAYER, date), { messageId: 'm-510' }));
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ code: 'PW_ERR_CHAMPION_FAILED' });
      expect(await storage.predictions.allPredictions(date)).toHaveLength(0);
      expect(await findOutcome(storage, 'm-510')).toBeUndefined();
      expect((await postPush(app, pushBody(request(OTHER, date), { messageId: 'm-10' }))).statusCode).toBe(204);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a CatBoost classifier exported to ONNX as champion is refused at load: /ready 503, pushes retried', async () => {
    const { createModelSet } = await import('../../src/models/model-set-loader.js');
    const { ModelStore } = await import('../../src/models/model-store.js');
    const { PROJECT_MODEL_FIXTURES, tempDir } = await import('../models/helpers.js');
    const t = tempDir();
    try {
      const modelSet = await createModelSet({ championPath: 'loss/logloss_d3.onnx', registry: {}, store: new ModelStore({ cwd: PROJECT_MODEL_FIXTURES, cacheDir: join(t.dir, 'cache') }), engine: 'auto', logger: { info() {}, warn() {}, error() {} } });
      expect(modelSet.status()[0]).toMatchObject({ state: 'failed', errorCode: 'PW_ERR_MODEL_UNSUPPORTED' });
      const { app } = await build({ modelSet, features: seed() });
      expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(503);
      const res = await postPush(app, pushBody(request(PLAYER, date), { messageId: 'm-clf' }));
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ code: 'PW_ERR_CHAMPION_NOT_LOADED' });
    } finally {
      t.cleanup();
    }
  });
});
