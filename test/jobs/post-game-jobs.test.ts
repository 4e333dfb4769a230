/**
 * Post-game jobs against the real embedded storage (DuckDB in memory): grading, signals and picks
 * read the current rows through storage and write with replaceDate; Slack goes to a local
 * HTTP receiver.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDuckDbStorage } from '../../src/storage/duckdb/index.js';
import type { Storage } from '../../src/storage/storage.js';
import { runGradeJob, formatGradeSummary } from '../../src/jobs/grade-job.js';
import { runSignalsJob } from '../../src/jobs/signals-job.js';
import { runPicksJob, formatPicksSummary } from '../../src/jobs/picks-job.js';
import { isPwError } from '../../src/errors.js';
import { GAME_DATE, actualRow, predictionRow } from '../helpers/post-game-rows.js';

const CHAMP = 'catboost_v9';
const CHAL = 'catboost_v9_train1102_0215';
const NOW = new Date('2026-02-11T11:00:00.000Z');

let storage: Storage;
beforeEach(async () => {
  storage = await openDuckDbStorage({ path: ':memory:' });
});
afterEach(async () => {
  await storage.close();
});

describe('runGradeJob', () => {
  it('grades push, void, no-line and non-book rows correctly, per system', async () => {
    await storage.predictions.write([
      predictionRow({ player_lookup: 'winner', predicted_points: 27.5, line_value: 24.5 }),
      predictionRow({ player_lookup: 'pusher', predicted_points: 28, line_value: 24 }),
      predictionRow({ player_lookup: 'dnp', predicted_points: 27.5, line_value: 24.5 }),
      predictionRow({ player_lookup: 'noline', line_value: null }),
      predictionRow({ player_lookup: 'notbook', predicted_points: 30, line_value: 20, has_prop_line: false, recommendation: 'OVER', edge: 10 }),
      predictionRow({ player_lookup: 'nobox', predicted_points: 27.5, line_value: 24.5 }),
      predictionRow({ system_id: CHAL, player_lookup: 'winner', predicted_points: 20, line_value: 24.5 }),
    ]);
    await storage.actuals.upsert([
      actualRow({ player_lookup: 'winner', points: 30 }),
      actualRow({ player_lookup: 'pusher', points: 24 }),
      actualRow({ player_lookup: 'dnp', points: 0, minutes_played: 0 }),
      actualRow({ player_lookup: 'noline', points: 12 }),
      actualRow({ player_lookup: 'notbook', points: 31 }),
    ]);
    const result = await runGradeJob({ storage, gameDate: GAME_DATE, now: NOW });
    expect(result.rowsWritten).toBe(7);
    expect(result.ungraded).toBe(1);

    const stored = await storage.accuracy.forRange(GAME_DATE, GAME_DATE);
    const outcome = Object.fromEntries(stored.filter((r) => r.system_id === CHAMP).map((r) => [r.player_lookup, r.outcome]));
    expect(outcome).toEqual({ winner: 'WIN', pusher: 'PUSH', dnp: 'VOID', noline: 'NO_BET', notbook: 'NO_BET', nobox: 'UNGRADED' });
    expect(stored.find((r) => r.player_lookup === 'notbook')!.outcome_reason).toBe('no_book_line');

    const [champ, chal] = result.bySystem;
    expect(champ!.system_id).toBe(CHAMP);
    expect(champ!.metrics.all).toMatchObject({ wins: 1, losses: 0, pushes: 1, voids: 1, hit_rate_pct: 100 });
    expect(chal!.system_id).toBe(CHAL);
    expect(chal!.metrics.all).toMatchObject({ wins: 0, losses: 1, hit_rate_pct: 0 });
    expect(formatGradeSummary(result).split('\n')[2]).toMatch(/^catboost_v9 /);
  });

  it('re-grading gives identical rows, and reflects rows that became current in between, without duplicates', async () => {
    await storage.predictions.write([
      predictionRow({ player_lookup: 'a', predicted_points: 27.5, line_value: 24.5 }),
      predictionRow({ system_id: CHAL, player_lookup: 'a', predicted_points: 27.5, line_value: 24.5 }),
    ]);
    await storage.actuals.upsert([actualRow({ player_lookup: 'a', points: 30 }), actualRow({ player_lookup: 'b', points: 10 })]);
    await runGradeJob({ storage, gameDate: GAME_DATE, now: NOW });
    const first = await storage.accuracy.forRange(GAME_DATE, GAME_DATE);
    await runGradeJob({ storage, gameDate: GAME_DATE, now: NOW });
    const second = await storage.accuracy.forRange(GAME_DATE, GAME_DATE);
    expect(second).toEqual(first);
    expect(second).toHaveLength(2);

    // a later request for 'a' (new line) supersedes the first row; a new player 'b' arrives
    await storage.predictions.write([
      predictionRow({
        player_lookup: 'a',
        message_id: 'm2',
        predicted_points: 27.5,
        line_value: 29.5,
        request_published_at: '2026-02-10T18:00:00.000Z',
      }),
      predictionRow({ player_lookup: 'b', message_id: 'm2', predicted_points: 15, line_value: 12.5 }),
    ]);
    await runGradeJob({ storage, gameDate: GAME_DATE, now: new Date('2026-02-11T12:00:00.000Z') });
    const third = await storage.accuracy.forRange(GAME_DATE, GAME_DATE);
    expect(third).toHaveLength(3);
    const champA = third.find((r) => r.system_id === CHAMP && r.player_lookup === 'a')!;
    expect(champA.line_value).toBe(29.5);
    // graded against the current row: UNDER 29.5 (predicted 27.5), scored 30 -> LOSS
    expect(champA.recommendation).toBe('UNDER');
    expect(champA.outcome).toBe('LOSS');
  });
  it('refuses to write when the current rows repeat a key (never duplicates in prediction_accuracy)', async () => {
    const row = predictionRow({ player_lookup: 'a' });
    let replaced = false;
    const stub = {
      ...storage,
      predictions: { ...storage.predictions, currentPredictions: async () => [row, { ...row, prediction_id: 'other' }] },
      accuracy: { ...storage.accuracy, replaceDate: async () => void (replaced = true) },
    } as Storage;
    const err = await runGradeJob({ storage: stub, gameDate: GAME_DATE, now: NOW }).catch((e: unknown) => e);
    expect(isPwError(err, 'PW_ERR_JOB_INPUT')).toBe(true);
    expect(replaced).toBe(false);
  });
});

describe('runSignalsJob', () => {
  it('writes one row per present and expected system, idempotently', async () => {
    const rows = Array.from({ length: 12 }, (_, i) =>
      predictionRow({ player_lookup: `p${i}`, game_id: `g${i % 6}`, predicted_points: i % 3 === 0 ? 26 : 17, line_value: 20.5 }),
    );
    await storage.predictions.write([...rows, predictionRow({ system_id: CHAL, player_lookup: 'p0', game_id: 'g0' })]);
    const expected = [CHAMP, CHAL, 'catboost_v9_train1201_0131'];
    const first = await runSignalsJob({ storage, gameDate: GAME_DATE, expectedSystemIds: expected, now: NOW });
    expect(first.slateGames).toBe(6);
    await runSignalsJob({ storage, gameDate: GAME_DATE, expectedSystemIds: expected, now: NOW });
    const stored = await storage.signals.forDate(GAME_DATE);
    expect(stored.map((r) => r.system_id).sort()).toEqual([...expected].sort());
    const bySystem = Object.fromEntries(stored.map((r) => [r.system_id, r]));
    expect(bySystem[CHAMP]).toMatchObject({ total_picks: 12, over_count: 4, high_edge_picks: 4 });
    expect(bySystem[CHAL]!.daily_signal).toBe('INSUFFICIENT_DATA');
    expect(bySystem['catboost_v9_train1201_0131']!.total_picks).toBe(0);
  });
});

interface Receiver {
  url: string;
  bodies: unknown[];
  status: number;
  server: Server;
}

async function startReceiver(): Promise<Receiver> {
  const rec = { bodies: [] as unknown[], status: 200 } as Receiver;
  rec.server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      rec.bodies.push(JSON.parse(body));
      res.writeHead(rec.status, { 'content-type': 'text/plain' }).end(rec.status === 200 ? 'ok' : 'boom');
    });
  });
  await new Promise<void>((r) => rec.server.listen(0, '127.0.0.1', r));
  rec.url = `http://127.0.0.1:${(rec.server.address() as AddressInfo).port}/services/T000/B000/secret`;
  return rec;
}

describe('runPicksJob', () => {
  let rec: Receiver;
  beforeEach(async () => {
    rec = await startReceiver();
    await storage.predictions.write([
      predictionRow({ player_lookup: 'champover', predicted_points: 25, line_value: 20.5 }),
      predictionRow({ player_lookup: 'champsmall', predicted_points: 22, line_value: 20.5 }),
      predictionRow({ system_id: CHAL, player_lookup: 'chalhuge', predicted_points: 40, line_value: 20.5 }),
      predictionRow({ system_id: CHAL, player_lookup: 'chalunder', predicted_points: 5, line_value: 20.5 }),
    ]);
  });
  afterEach(async () => {
    await new Promise((r) => rec.server.close(r));
  });

  const base = () => ({ storage, gameDate: GAME_DATE, primarySystemId: CHAMP, webhookUrl: rec.url, now: NOW });

  it('picks never contain challenger rows', async () => {
    const r = await runPicksJob({ ...base(), send: false, force: false });
    expect(r.picks.map((p) => p.player_lookup)).toEqual(['champover']);
    expect(r.delivery).toBe('not_requested');
    expect(rec.bodies).toHaveLength(0);
    expect(formatPicksSummary(r)).toContain('1. champover — OVER 20.5 pts / edge +4.5 | conf 85');
  });

  it('sends once per date; a re-run does not resend; force does', async () => {
    const first = await runPicksJob({ ...base(), send: true, force: false });
    expect(first.delivery).toBe('sent');
    expect(rec.bodies).toHaveLength(1);
    expect(JSON.stringify(rec.bodies[0])).toContain('champover');
    expect(JSON.stringify(rec.bodies[0])).not.toContain('chalhuge');
    expect((await storage.notifications.find(GAME_DATE, 'picks_slack'))?.sent_at).toBe(NOW.toISOString());

    const again = await runPicksJob({ ...base(), send: true, force: false });
    expect(again.delivery).toBe('skipped_already_sent');
    expect(formatPicksSummary(again)).toContain('already sent');
    expect(rec.bodies).toHaveLength(1);

    const forced = await runPicksJob({ ...base(), send: true, force: true, now: new Date('2026-02-11T12:00:00.000Z') });
    expect(forced.delivery).toBe('sent');
    expect(rec.bodies).toHaveLength(2);
    expect((await storage.notifications.find(GAME_DATE, 'picks_slack'))?.sent_at).toBe('2026-02-11T12:00:00.000Z');
  });

  it('a receiver answering 500 is a retryable PW_ERR_NOTIFY and is not recorded, so a retry sends', async () => {
    rec.status = 500;
    const err = await runPicksJob({ ...base(), send: true, force: false }).catch((e: unknown) => e);
    expect(isPwError(err, 'PW_ERR_NOTIFY')).toBe(true);
    expect((err as { retryable: boolean }).retryable).toBe(true);
    expect((err as Error).message).toContain('HTTP 500');
    expect((err as Error).message).not.toContain('secret'); // the webhook path is a credential
    expect(await storage.notifications.find(GAME_DATE, 'picks_slack')).toBeUndefined();

    rec.status = 200;
    const retry = await runPicksJob({ ...base(), send: true, force: false });
    expect(retry.delivery).toBe('sent');
    expect(rec.bodies).toHaveLength(2);
  });

  it('--send without a webhook URL is an input error', async () => {
    const err = await runPicksJob({ ...base(), webhookUrl: undefined, send: true, force: false }).catch((e: unknown) => e);
    expect(isPwError(err, 'PW_ERR_JOB_INPUT')).toBe(true);
  });
});
