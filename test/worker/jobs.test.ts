/**
 * POST /jobs/grade, /jobs/signals, /jobs/picks: the post-game jobs over HTTP, as Cloud Scheduler
 * (plain JSON) or a Pub/Sub push (envelope) calls them, against real storage and real models.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, featureRow, postPush, pushBody, request, today } from './helper.js';
import type { PlayerGameSummaryRow } from '../../src/storage/tables/player-game-summary.js';

let slack: Server;
let slackUrl = '';
const received: unknown[] = [];

beforeAll(async () => {
  slack = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => slack.listen(0, '127.0.0.1', r));
  slackUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  await new Promise((r) => slack.close(r));
});

const players = ['alpha', 'bravo', 'charlie', 'delta'];

async function predictedDay() {
  const date = today();
  const built = await build({
    env: { SLACK_WEBHOOK_URL_SIGNALS: slackUrl },
    features: players.map((p, i) => featureRow(p, date, { points_avg_season: 12 + 4 * i, points_avg_last_5: 10 + 5 * i })),
  });
  for (const [i, p] of players.entries()) {
    const res = await postPush(built.app, pushBody(request(p, date, { actual_prop_line: 14.5 + 3 * i, line_values: [14.5 + 3 * i] }), { messageId: `m-${p}` }));
    expect(res.statusCode).toBe(204);
  }
  const actuals: PlayerGameSummaryRow[] = players.map((p, i) => ({
    player_lookup: p,
    game_id: `${date.replaceAll('-', '')}_LAL_GSW`,
    game_date: date,
    points: i === 3 ? 0 : 20 + i,
    minutes_played: i === 3 ? 0 : 30,
    team_abbr: 'LAL',
    opponent_team_abbr: 'GSW',
  }));
  await built.storage.actuals.upsert(actuals);
  return { ...built, date };
}

describe('job routes', () => {
  it('grades every system for a date from a plain JSON call, idempotently', async () => {
    const { app, storage, modelSet, date } = await predictedDay();
    const first = await app.inject({ method: 'POST', url: '/jobs/grade', payload: { game_date: date } });
    expect(first.statusCode).toBe(200);
    const body = first.json();
    expect(body.rows_written).toBe(players.length * modelSet.loaded.length);
    expect(body.systems.map((s: { system_id: string }) => s.system_id)[0]).toBe('catboost_v9');
    const again = await app.inject({ method: 'POST', url: '/jobs/grade', payload: { game_date: date } });
    expect(again.json().rows_written).toBe(body.rows_written);
    const rows = await storage.accuracy.forRange(date, date);
    expect(rows).toHaveLength(players.length * modelSet.loaded.length);
    expect(rows.filter((r) => r.player_lookup === 'delta').every((r) => r.outcome === 'VOID' || r.outcome === 'NO_BET')).toBe(true);
  });

  it('accepts a Pub/Sub envelope and answers a bad one with 200 so Pub/Sub stops redelivering', async () => {
    const { app, date, modelSet } = await predictedDay();
    const envelope = pushBody({ game_date: date });
    const ok = await app.inject({ method: 'POST', url: '/jobs/signals', headers: { 'content-type': 'application/json' }, payload: envelope });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().signals).toHaveLength(modelSet.loaded.length);

    const bad = await app.inject({ method: 'POST', url: '/jobs/signals', headers: { 'content-type': 'application/json' }, payload: pushBody({ game_date: 'soon' }) });
    expect(bad.statusCode).toBe(200);
    expect(bad.json()).toMatchObject({ ok: false, error: 'PW_ERR_JOB_INPUT' });

    const direct = await app.inject({ method: 'POST', url: '/jobs/grade', payload: {} });
    expect(direct.statusCode).toBe(400);
    expect(direct.json().reason).toMatch(/game_date is required/);
  });

  it('sends champion-only picks to Slack once per date; a re-run does not resend unless forced', async () => {
    const { app, date } = await predictedDay();
    const before = received.length;
    const sent = await app.inject({ method: 'POST', url: '/jobs/picks', payload: { game_date: date, send: true } });
    expect(sent.statusCode).toBe(200);
    expect(sent.json().delivery).toBe('sent');
    expect(sent.json().system_id).toBe('catboost_v9');
    expect(received.length).toBe(before + 1);

    const rerun = await app.inject({ method: 'POST', url: '/jobs/picks', payload: { game_date: date, send: true } });
    expect(rerun.json().delivery).toBe('skipped_already_sent');
    expect(received.length).toBe(before + 1);

    const forced = await app.inject({ method: 'POST', url: '/jobs/picks', payload: { game_date: date, send: true, force: true } });
    expect(forced.json().delivery).toBe('sent');
    expect(received.length).toBe(before + 2);
  });

  it('resolves "yesterday" in the slate time zone', async () => {
    const { app } = await predictedDay();
    const res = await app.inject({ method: 'POST', url: '/jobs/grade', payload: { target_date: 'yesterday' } });
    expect(res.statusCode).toBe(200);
    const d = new Date(`${today()}T12:00:00Z`);
    d.setUTCDate(d.getUTCDate() - 1);
    expect(res.json().game_date).toBe(d.toISOString().slice(0, 10));
  });
});

describe('GET /predictions', () => {
  it('lists the current rows of a date as JSON lines, filterable by system', async () => {
    const { app, date, modelSet } = await predictedDay();
    const all = await app.inject({ method: 'GET', url: `/predictions?game_date=${date}` });
    expect(all.statusCode).toBe(200);
    const rows = all.body.trim().split('\n').map((l) => JSON.parse(l) as { system_id: string; player_lookup: string });
    expect(rows).toHaveLength(players.length * modelSet.loaded.length);
    const champ = await app.inject({ method: 'GET', url: `/predictions?game_date=${date}&system_id=catboost_v9` });
    expect(champ.body.trim().split('\n').map((l) => JSON.parse(l).system_id)).toEqual(players.map(() => 'catboost_v9'));
    expect((await app.inject({ method: 'GET', url: '/predictions?game_date=yesterday' })).statusCode).toBe(400);
  });
});
