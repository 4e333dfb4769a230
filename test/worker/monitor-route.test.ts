/**
 * POST /jobs/monitor through the real app: the digest reaches only the internal digest webhook,
 * never the user-facing picks webhook (and picks never reach the digest webhook).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, featureRow, postPush, pushBody, request, today } from './helper.js';

interface Hook {
  server: Server;
  url: string;
  received: Array<{ text: string }>;
}

async function hook(): Promise<Hook> {
  const received: Hook['received'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text: string });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

let picks: Hook;
let digest: Hook;
beforeAll(async () => {
  [picks, digest] = await Promise.all([hook(), hook()]);
});
afterAll(async () => {
  for (const h of [picks, digest]) await new Promise((r) => h.server.close(r));
});

const players = ['alpha', 'bravo', 'charlie', 'delta'];

describe('POST /jobs/monitor', () => {
  it('writes the date idempotently and sends the digest to the digest webhook only', async () => {
    const date = today();
    const { app, storage, modelSet } = await build({
      env: { SLACK_WEBHOOK_URL_SIGNALS: picks.url, SLACK_WEBHOOK_URL_DIGEST: digest.url },
      features: players.map((p, i) => featureRow(p, date, { points_avg_season: 12 + 4 * i, points_avg_last_5: 10 + 5 * i })),
    });
    for (const [i, p] of players.entries()) {
      const res = await postPush(app, pushBody(request(p, date, { actual_prop_line: 14.5 + 3 * i, line_values: [14.5 + 3 * i] }), { messageId: `m-${p}` }));
      expect(res.statusCode).toBe(204);
    }
    await storage.actuals.upsert(
      players.map((p, i) => ({ player_lookup: p, game_id: `${date.replaceAll('-', '')}_LAL_GSW`, game_date: date, points: 20 + i, minutes_played: 30, team_abbr: 'LAL', opponent_team_abbr: 'GSW' })),
    );
    expect((await app.inject({ method: 'POST', url: '/jobs/grade', payload: { game_date: date } })).statusCode).toBe(200);

    const res = await app.inject({ method: 'POST', url: '/jobs/monitor', payload: { game_date: date, send: true } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.digest).toBe('sent');
    expect(body.rows.map((r: { system_id: string }) => r.system_id)).toEqual(expect.arrayContaining(modelSet.loaded.map((m) => m.systemId)));
    expect(body.rows.every((r: { coverage_status: string }) => r.coverage_status === 'OK')).toBe(true);
    // model age comes from the registry the worker loaded (its model set), not a second copy
    const trained = modelSet.status().filter((s) => s.trainEnd);
    expect(trained.length).toBeGreaterThan(0);
    for (const s of trained) {
      expect(body.rows.find((r: { system_id: string }) => r.system_id === s.systemId)).toMatchObject({ training_end_date: s.trainEnd });
    }
    expect(digest.received).toHaveLength(1);
    expect(digest.received[0]!.text).toContain('Model digest');
    expect(picks.received).toHaveLength(0);

    const stored = await storage.performance.forRange(date, date);
    const again = await app.inject({ method: 'POST', url: '/jobs/monitor', payload: { game_date: date, send: true } });
    expect(again.json().digest).toBe('skipped_already_sent');
    expect((await storage.performance.forRange(date, date)).map(({ calculated_at: _c, ...r }) => r)).toEqual(stored.map(({ calculated_at: _c, ...r }) => r));

    // and the picks go to the picks webhook, never to the digest webhook
    expect((await app.inject({ method: 'POST', url: '/jobs/picks', payload: { game_date: date, send: true } })).json().delivery).toBe('sent');
    expect(picks.received).toHaveLength(1);
    expect(digest.received).toHaveLength(1);
  });

  it('refuses a bad body like the other jobs', async () => {
    const { app } = await build();
    const res = await app.inject({ method: 'POST', url: '/jobs/monitor', payload: {} });
    expect(res.statusCode).toBe(400);
  });
});
