/**
 * The monitor job against the real embedded storage (DuckDB in memory): idempotent per date,
 * state carried across dates in both directions, coverage of starved and never-seen systems,
 * champion transitions alerted once, the digest only on its own internal webhook.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDuckDbStorage } from '../../src/storage/duckdb/index.js';
import type { Storage } from '../../src/storage/storage.js';
import { runMonitorJob, formatMonitorSummary } from '../../src/jobs/monitor-job.js';
import { dateRange } from '../../src/jobs/format.js';
import { isPwError } from '../../src/errors.js';
import { gradedDay, outcomeRow, predictionRows } from '../helpers/monitoring-rows.js';

const CHAMP = 'catboost_v9';
const NOW = new Date('2026-02-20T11:00:00.000Z');

interface Receiver {
  url: string;
  received: Array<{ path: string; body: { text: string } }>;
  server: Server;
}

async function receiver(): Promise<Receiver> {
  const received: Receiver['received'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text: string } });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, server };
}

let storage: Storage;
let picks: Receiver;
let alerts: Receiver;
let digest: Receiver;
beforeEach(async () => {
  storage = await openDuckDbStorage({ path: ':memory:' });
  [picks, alerts, digest] = await Promise.all([receiver(), receiver(), receiver()]);
});
afterEach(async () => {
  await storage.close();
  for (const r of [picks, alerts, digest]) await new Promise((ok) => r.server.close(ok));
});

/** One date's data: graded rows at the given edge-3+ record, predictions and outcomes for the systems that ran. */
async function seedDay(date: string, spec: Record<string, { w: number; l: number; rows?: number }>) {
  const graded = Object.entries(spec).flatMap(([id, s]) => gradedDay(id, date, { wins: s.w, losses: s.l, edge3Wins: s.w, edge3Losses: s.l }));
  await storage.accuracy.replaceDate(date, graded);
  await storage.predictions.write(Object.entries(spec).flatMap(([id, s]) => predictionRows(id, date, s.rows ?? s.w + s.l)));
  await storage.outcomes.record(outcomeRow(date, `m-${date}`, Object.keys(spec).filter((id) => (spec[id]!.rows ?? 1) > 0)));
}

function monitor(date: string, extra: Partial<Parameters<typeof runMonitorJob>[0]> = {}) {
  return runMonitorJob({
    storage,
    gameDate: date,
    championSystemId: CHAMP,
    expectedSystemIds: [CHAMP, 'cb_a', 'cb_never'],
    trainingEndBySystem: { cb_a: '2026-01-31' },
    now: NOW,
    ...extra,
  });
}

describe('runMonitorJob', () => {
  it('is idempotent per date: re-running leaves the same rows', async () => {
    await seedDay('2026-02-10', { [CHAMP]: { w: 15, l: 10 }, cb_a: { w: 12, l: 13 } });
    const first = await monitor('2026-02-10');
    const stored1 = await storage.performance.forRange('2026-02-10', '2026-02-10');
    const second = await monitor('2026-02-10');
    const stored2 = await storage.performance.forRange('2026-02-10', '2026-02-10');
    expect(stored1).toEqual(first.rows);
    expect(stored2).toEqual(stored1);
    expect(second.rows).toEqual(first.rows);
    expect(stored1.map((r) => r.system_id)).toEqual([CHAMP, 'cb_a', 'cb_never']);
    expect(stored1.find((r) => r.system_id === 'cb_never')).toMatchObject({ coverage_status: 'MISSING', predicted_rows: 0 });
    expect(stored1.find((r) => r.system_id === 'cb_a')).toMatchObject({ days_since_training: 10, training_end_date: '2026-01-31' });
    expect(formatMonitorSummary(first)).toContain('cb_never');
  });

  it('catches a starved challenger', async () => {
    await seedDay('2026-02-10', { [CHAMP]: { w: 15, l: 10, rows: 100 }, cb_a: { w: 2, l: 2, rows: 30 } });
    const r = await monitor('2026-02-10');
    expect(r.rows.find((x) => x.system_id === 'cb_a')).toMatchObject({ coverage_status: 'STARVED', predicted_rows: 30, champion_rows: 100 });
  });

  it('carries state across dates: the champion degrades, is alerted once, then recovers and is alerted once', async () => {
    // 14-day edge-3+ basis, 30 bets a day: 4 good days (HEALTHY), 8 bad days, then 16 good days.
    const dates = dateRange('2026-02-01', '2026-02-28');
    const good = { w: 24, l: 6 };
    const bad = { w: 6, l: 24 };
    const plan = dates.map((_, i) => (i < 4 ? good : i < 12 ? bad : good));
    const states: string[] = [];
    const alertStatus: string[] = [];
    for (const [i, date] of dates.entries()) {
      await seedDay(date, { [CHAMP]: plan[i]!, cb_a: good });
      const r = await monitor(date, { send: true, alertWebhookUrl: alerts.url, digestWebhookUrl: digest.url, picksWebhookUrl: picks.url });
      states.push(r.rows[0]!.state);
      alertStatus.push(r.championAlert);
    }
    expect(states[0]).toBe('HEALTHY');
    expect(states).toContain('BLOCKED');
    expect(states.at(-1)).toBe('HEALTHY');
    const stored = await storage.performance.forRange(dates[0]!, dates.at(-1)!);
    const champ = stored.filter((r) => r.system_id === CHAMP);
    const transitions = champ.filter((r) => r.action !== 'NO_CHANGE').map((r) => `${r.previous_state}->${r.state}:${r.action}`);
    expect(transitions.filter((t) => t.endsWith('DEGRADED')).length).toBeGreaterThan(0);
    expect(transitions.filter((t) => t.endsWith('RECOVERED')).length).toBeGreaterThan(0);
    // one alert per transition, on the alert webhook only
    expect(alerts.received).toHaveLength(transitions.length);
    expect(alertStatus.filter((s) => s === 'sent')).toHaveLength(transitions.length);
    expect(alerts.received.map((m) => m.body.text).join('\n')).toMatch(/RECOVERED/);
    // re-running a transition date does not alert again
    const transitionDate = champ.find((r) => r.action !== 'NO_CHANGE')!.game_date;
    const again = await monitor(transitionDate, { send: true, alertWebhookUrl: alerts.url, digestWebhookUrl: digest.url, picksWebhookUrl: picks.url });
    expect(again.championAlert).toBe('skipped_already_sent');
    expect(again.digest).toBe('skipped_already_sent');
    expect(alerts.received).toHaveLength(transitions.length);
    // one digest per date, never on the picks webhook
    expect(digest.received).toHaveLength(dates.length);
    expect(digest.received[0]!.body.text).toContain('Model digest');
    expect(picks.received).toHaveLength(0);
  });

  it('refuses to post operator messages to the picks webhook', async () => {
    await seedDay('2026-02-10', { [CHAMP]: { w: 15, l: 10 } });
    const err = await monitor('2026-02-10', { send: true, digestWebhookUrl: picks.url, picksWebhookUrl: picks.url }).catch((e: unknown) => e);
    expect(isPwError(err, 'PW_ERR_JOB_INPUT')).toBe(true);
    const err2 = await monitor('2026-02-10', { send: true, alertWebhookUrl: picks.url, picksWebhookUrl: picks.url }).catch((e: unknown) => e);
    expect(isPwError(err2, 'PW_ERR_JOB_INPUT')).toBe(true);
    expect(picks.received).toHaveLength(0);
  });

  it('without send nothing is posted; without a digest URL the digest is not_configured', async () => {
    await seedDay('2026-02-10', { [CHAMP]: { w: 15, l: 10 } });
    expect((await monitor('2026-02-10')).digest).toBe('not_requested');
    expect((await monitor('2026-02-10', { send: true })).digest).toBe('not_configured');
    expect(digest.received).toHaveLength(0);
  });
});
