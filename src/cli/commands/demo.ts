/**
 * @module cli/commands/demo
 * The embedded-default demo, two sub-commands:
 *
 *   demo seed --game-date <D> [--seed N]
 *     Fills the embedded feature store with a synthetic slate for D and prints, one per line, the
 *     JSON request payload the scheduler would publish for each player (pipe them to curl).
 *
 *   demo season [--days 14] [--seed N] [--start-date D] [--data-dir DIR] [--concurrency 16]
 *     (`npm run demo -- --days 14`) The whole loop on a laptop: a synthetic season; each day the
 *     feature store is seeded, every player's request goes as a Pub/Sub push envelope through the
 *     REAL HTTP worker (champion + enabled challengers, listening on loopback), actual points
 *     arrive, then grading, signals and picks run through the worker's job endpoints, with
 *     picks posted to a local Slack-compatible receiver, and the monitor job. Ends with a
 *     per-system table and writes the champion-vs-challengers report (report.html).
 *     With --days >= 10 it also runs the model lifecycle (src/lifecycle/demo-lifecycle.ts): the
 *     demo challenger, trained by `cli train` on the 49 simulated days before the demo, is
 *     evaluated on the first 40 % of the days, shadows the rest, then `compare` and `registry promote`
 *     decide (on copies of the registry and local.env in --data-dir). `--retrain` trains it live
 *     (Python, the pinned CatBoost) instead of using the committed model.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { parseFlags, requireDate } from '../args.js';
import type { CliIo } from '../io.js';
import { PwError } from '../../errors.js';
import { cliConfig } from '../../jobs/cli-support.js';
import { openStorage, embeddedDbPath } from '../../storage/open.js';
import { actualsRows, featureStoreRows, generateSeason, requestPayloads } from '../../synthetic/index.js';
import { todayIn } from '../../worker/slate-date.js';
import { computeMetrics, BREAKEVEN_HIT_RATE_PCT } from '../../metrics/metrics.js';
import { renderTable } from '../../jobs/format.js';
import { CHAMPION_SYSTEM_ID } from '../../../config/registry.js';
import { addDays } from '../../jobs/format.js';
import { DEMO_HISTORY_DAYS, LIFECYCLE_MIN_DAYS, compareAndPromote, evaluateAndPaste, lifecycleModelSet, prepareLifecycle } from '../../lifecycle/demo-lifecycle.js';
import type { Config } from '../../../config/env.js';

const DEFAULT_SEED = 20261126;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'seed') return seed(rest, io);
  if (sub === 'season') return season(rest, io);
  throw new PwError('PW_ERR_CLI_USAGE', undefined, "usage: demo seed --game-date <D> | demo season [--days N]");
}

/** `demo seed`: one synthetic slate into the embedded feature store; payloads on stdout. */
async function seed(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, { 'game-date': { type: 'string' }, seed: { type: 'string' } });
  const gameDate = requireDate(values['game-date'], 'game-date');
  const seedValue = parseSeed(values.seed);
  const config = cliConfig(io);
  const [day] = generateSeason({ seed: seedValue, startDate: gameDate, days: 1 }).days;
  const storage = await openStorage(config);
  try {
    await storage.features.upsert(featureStoreRows(day!));
  } finally {
    await storage.close();
  }
  for (const payload of requestPayloads(day!)) io.out(`${JSON.stringify(payload)}\n`);
  io.err(`seeded ${day!.playerGames.length} players, ${day!.games.length} games for ${gameDate} into ${storage.location}\n`);
  return 0;
}

function parseSeed(value: string | boolean | undefined): number {
  if (value === undefined) return DEFAULT_SEED;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new PwError('PW_ERR_CLI_USAGE', undefined, `--seed must be an integer, got '${value}'`);
  return n;
}

function positiveInt(value: string | boolean | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new PwError('PW_ERR_CLI_USAGE', undefined, `--${name} must be a positive integer, got '${value}'`);
  return n;
}

/** A Pub/Sub push envelope exactly as a push subscription delivers it. */
export function pushEnvelope(payload: object, messageId: string, publishTime: string) {
  return {
    message: {
      data: Buffer.from(JSON.stringify(payload)).toString('base64'),
      attributes: { source: 'demo' },
      messageId,
      message_id: messageId,
      publishTime,
      publish_time: publishTime,
    },
    subscription: 'projects/demo/subscriptions/prediction-request-demo',
    deliveryAttempt: 1,
  };
}

/** A Slack-compatible incoming-webhook receiver on loopback; keeps every message it gets. */
async function startSlackReceiver(dir: string): Promise<{ url: string; received: unknown[]; server: Server }> {
  mkdirSync(dir, { recursive: true });
  const received: unknown[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
        received.push(message);
        writeFileSync(join(dir, `message-${String(received.length).padStart(3, '0')}.json`), `${JSON.stringify(message, null, 2)}\n`);
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      } catch {
        res.writeHead(400).end('invalid_payload');
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/services/demo`, received, server };
}

/** Runs `task` over `items` with at most `limit` in flight. */
async function pool<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  });
  await Promise.all(workers);
  return results;
}

async function postJson(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as unknown) : null };
}

async function season(argv: string[], io: CliIo): Promise<number> {
  const started = Date.now();
  const { values } = parseFlags(argv, {
    days: { type: 'string' },
    seed: { type: 'string' },
    'start-date': { type: 'string' },
    'data-dir': { type: 'string' },
    concurrency: { type: 'string' },
    retrain: { type: 'boolean', default: false },
  });
  const days = positiveInt(values.days, 'days', 14);
  const concurrency = positiveInt(values.concurrency, 'concurrency', 16);
  const seedValue = parseSeed(values.seed);
  const base = cliConfig(io);
  const startDate = values['start-date'] === undefined ? todayIn(base.SLATE_TIME_ZONE) : requireDate(values['start-date'], 'start-date');
  const dataDir = resolve(io.cwd, typeof values['data-dir'] === 'string' ? values['data-dir'] : join(base.WORKER_DATA_DIR, 'demo-season'));

  // A fresh database each run: the demo's table is about this season only.
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const slack = await startSlackReceiver(join(dataDir, 'slack'));
  const config: Config = {
    ...base,
    STORAGE_BACKEND: 'embedded',
    WORKER_DATA_DIR: dataDir,
    PUSH_AUTH: 'off',
    // The season may start in the past (--start-date); the worker accepts it explicitly.
    ALLOW_PAST_DATES: true,
    SLACK_WEBHOOK_URL_SIGNALS: slack.url,
    LOG_LEVEL: 'warn',
  };

  io.err(`demo season: ${days} days from ${startDate}, seed ${seedValue}, data in ${dataDir}\n`);
  // One continuous simulated season: DEMO_HISTORY_DAYS before the demo (the demo challenger's
  // training days, never the demo's own games), then the demo days.
  const full = generateSeason({ seed: seedValue, startDate: addDays(startDate, -DEMO_HISTORY_DAYS), days: DEMO_HISTORY_DAYS + days });
  const plan = { ...full, days: full.days.slice(DEMO_HISTORY_DAYS) };
  const { buildApp } = await import('../../worker/app.js');
  const { pino } = await import('pino');
  const storage = await openStorage(config);
  const logger = pino({ level: 'error' }, process.stderr);
  // The worker closes its storage on close; the demo restarts the worker mid-season, so it gets a
  // handle whose close() is a no-op and the demo closes the real one at the end.
  const workerStorage: typeof storage = { ...storage, close: async () => {} };
  const lifecycle =
    days >= LIFECYCLE_MIN_DAYS
      ? await prepareLifecycle({ io, cwd: io.cwd, dataDir, days, history: full.days.slice(0, DEMO_HISTORY_DAYS), retrain: Boolean(values.retrain), storage, config })
      : undefined;
  const startWorker = async () => {
    const modelSet = lifecycle ? await lifecycleModelSet(lifecycle, config, logger) : undefined;
    const started = buildApp({ config, storage: workerStorage, modelSet, logger });
    await started.listen({ host: '127.0.0.1', port: 0 });
    const loaded = started.modelSet.loaded.map((m) => m.systemId);
    io.err(`worker on http://127.0.0.1:${(started.server.address() as AddressInfo).port} with ${loaded.length} models: ${loaded.join(', ')}\n`);
    if (!started.modelSet.champion) throw new PwError('PW_ERR_CHAMPION_NOT_LOADED', undefined, 'see GET /models');
    return started;
  };
  let app = await startWorker();
  let lifecycleDeployed = false;
  try {
    let worker = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    for (const [i, day] of plan.days.entries()) {
      if (lifecycle && i === lifecycle.evalDays) {
        // Lifecycle step 2: evaluate on the days so far; when it passes, redeploy with it in shadow.
        const added = await evaluateAndPaste(lifecycle, {
          io, storage, config, evalStart: plan.days[0]!.date, evalEnd: plan.days[i - 1]!.date, now: new Date(`${day.date}T12:00:00.000Z`),
        });
        lifecycleDeployed = added;
        if (added) {
          await app.close();
          app = await startWorker();
          worker = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
        }
      }
      await storage.features.upsert(featureStoreRows(day));
      const payloads = requestPayloads(day);
      // Published a few hours before tip-off; one publish time per player keeps ids stable.
      const publishTime = `${day.date}T15:00:00.000Z`;
      const statuses = await pool(payloads, concurrency, async (payload) => {
        const envelope = pushEnvelope(payload, `demo-${day.date}-${payload.player_lookup}`, publishTime);
        const res = await fetch(`${worker}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(envelope),
        });
        await res.arrayBuffer();
        return res.status;
      });
      const written = statuses.filter((s) => s === 204).length;
      if (written !== statuses.length) {
        const other = statuses.filter((s) => s !== 204);
        io.err(`  warning: ${other.length} of ${statuses.length} requests were not written (${[...new Set(other)].join(', ')})\n`);
      }
      // The games are played: box scores arrive, then the post-game jobs run over HTTP.
      await storage.actuals.upsert(actualsRows(day));
      const grade = await postJson(`${worker}/jobs/grade`, { game_date: day.date });
      const signals = await postJson(`${worker}/jobs/signals`, { game_date: day.date });
      const picks = await postJson(`${worker}/jobs/picks`, { game_date: day.date, send: true });
      const monitor = await postJson(`${worker}/jobs/monitor`, { game_date: day.date });
      for (const [name, r] of [['grade', grade], ['signals', signals], ['picks', picks], ['monitor', monitor]] as const) {
        if (r.status !== 200) throw new PwError('PW_ERR_JOB_INPUT', undefined, `${name} for ${day.date} answered ${r.status}: ${JSON.stringify(r.json)}`);
      }
      const championSignal = (signals.json as { signals: Array<{ system_id: string; daily_signal: string }> }).signals.find(
        (s) => s.system_id === CHAMPION_SYSTEM_ID,
      );
      const pickCount = (picks.json as { picks: unknown[] }).picks.length;
      io.err(
        `day ${i + 1}/${days} ${day.date}: ${day.games.length} games, ${written}/${payloads.length} players predicted, ` +
          `${(grade.json as { rows_written: number }).rows_written} rows graded, champion signal ${championSignal?.daily_signal ?? 'none'}, ` +
          `${pickCount} picks ${(picks.json as { delivery: string }).delivery}\n`,
      );
    }

    const endDate = plan.days.at(-1)!.date;
    const graded = await storage.accuracy.forRange(startDate, endDate);
    io.out(seasonTable(graded, startDate, endDate));
    const reportFile = join(dataDir, 'report.html');
    const { loadReportData } = await import('../../report/data.js');
    const { renderReportHtml } = await import('../../report/html.js');
    writeFileSync(reportFile, renderReportHtml(await loadReportData(storage, { fromDate: startDate, toDate: endDate, championId: CHAMPION_SYSTEM_ID, now: new Date() })));
    if (lifecycle && lifecycleDeployed) {
      await compareAndPromote(lifecycle, { io, storage, config, endDate, now: new Date(`${addDays(endDate, 1)}T12:00:00.000Z`) });
    }
    io.out(
      `\nBreakeven hit rate ${BREAKEVEN_HIT_RATE_PCT}%. HR = wins / (wins + losses); pushes and voids excluded.\n` +
        `Data: ${embeddedDbPath(config)} (DuckDB; tables nba_predictions.*, nba_analytics.player_game_summary)\n` +
        `Slack messages received: ${slack.received.length}, saved in ${join(dataDir, 'slack')}\n` +
        `Explore: WORKER_DATA_DIR=${dataDir} npm run --silent cli -- compare <system_id> --to ${endDate} --days ${days}\n` +
        `Report (open in a browser): ${reportFile}\n` +
        `Finished in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`,
    );
  } finally {
    await app.close();
    await storage.close();
    await new Promise((ok) => slack.server.close(ok));
  }
  return 0;
}

type GradedRow = Parameters<typeof computeMetrics>[0][number] & { system_id: string; model_role: string };

/** Per-system table over the season, champion first. */
export function seasonTable(rows: readonly GradedRow[], from: string, to: string): string {
  const bySystem = new Map<string, GradedRow[]>();
  for (const row of rows) bySystem.set(row.system_id, [...(bySystem.get(row.system_id) ?? []), row]);
  const ids = [...bySystem.keys()].sort((a, b) => (a === CHAMPION_SYSTEM_ID ? -1 : b === CHAMPION_SYSTEM_ID ? 1 : a.localeCompare(b)));
  const fmt = (x: number | null, digits = 2) => (x === null ? '-' : x.toFixed(digits));
  const table = ids.map((id) => {
    const group = bySystem.get(id)!;
    const m = computeMetrics(group);
    return [
      id,
      group[0]!.model_role,
      String(m.all.n_bets),
      fmt(m.mae_points),
      fmt(m.all.hit_rate_pct, 1),
      fmt(m.edge_3plus.hit_rate_pct, 1),
      String(m.edge_3plus.n_decided),
      fmt(m.mean_pvl_points),
    ];
  });
  return (
    `Season ${from}..${to}, graded bets per system:\n` +
    renderTable(['system_id', 'role', 'N', 'MAE', 'HR all %', 'HR 3+ %', 'N 3+', 'PVL'], table)
  );
}
