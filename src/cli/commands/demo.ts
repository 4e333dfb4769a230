/**
 * @module cli/commands/demo
 * The embedded-default demo, two sub-commands:
 *
 *   demo seed --game-date <D> [--seed N]
 *     Fills the embedded feature store with a synthetic slate for D (each date its own slate,
 *     src/synthetic/demo-slate.ts) and prints, one per line, the JSON request payload the
 *     scheduler would publish for each player (pipe them to curl).
 *
 *   demo actuals --game-date <D> [--seed N]
 *     Loads the box scores of the slate `demo seed` gave D (player_game_summary), so a day
 *     predicted through curl can be graded (`grade`, `signals`, `compare`).
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
 *     `--continue` adds --days days to the season already in --data-dir (seed and dates from its
 *     season.json) instead of starting a new one (the same 49 history days before it), so a challenger pasted
 *     meanwhile shadows on the new days next to the old ones; the lifecycle's registry and
 *     local.env copies in --data-dir, when the first run made them, stay in force (a promotion
 *     there holds), and the lifecycle steps are not run again.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { parseFlags, requireDate } from '../args.js';
import type { CliIo } from '../io.js';
import type { CommandHelp } from '../help.js';
import { demoSlate } from '../../synthetic/demo-slate.js';
import { addDays } from '../../jobs/format.js';
import { PwError } from '../../errors.js';
import { cliConfig } from '../../jobs/cli-support.js';
import { openStorage, embeddedDbPath } from '../../storage/open.js';
import { actualsRows, featureStoreRows, generateSeason, requestPayloads } from '../../synthetic/index.js';
import { todayIn } from '../../worker/slate-date.js';
import { computeMetrics, BREAKEVEN_HIT_RATE_PCT } from '../../metrics/metrics.js';
import { renderTable } from '../../jobs/format.js';
import { CHAMPION_SYSTEM_ID } from '../../../config/registry.js';
import { DEMO_HISTORY_DAYS, LIFECYCLE_MIN_DAYS, compareAndPromote, evaluateAndPaste, lifecycleModelSet, prepareLifecycle, type DemoLifecycle } from '../../lifecycle/demo-lifecycle.js';
import { getEnvVar } from '../../lifecycle/registry-file.js';
import type { Config } from '../../../config/env.js';

const DEFAULT_SEED = 20261126;
/** Written into a season's data dir, so `demo season --continue` knows what it continues. */
const SEASON_FILE = 'season.json';

const SEED_FLAG = { flag: '--seed <n>', default: String(DEFAULT_SEED), text: 'synthetic league seed' };
const SUB_HELP = {
  seed: {
    usage: 'demo seed --game-date YYYY-MM-DD [--seed N]',
    summary: "A synthetic slate for the date (each date its own) into the embedded feature store; prints one request payload per player (for curl).",
    flags: [{ flag: '--game-date <date>', text: 'the slate date (required)' }, SEED_FLAG],
    example: 'demo seed --game-date $(TZ=America/New_York date +%F) > requests.jsonl',
  },
  actuals: {
    usage: 'demo actuals --game-date YYYY-MM-DD [--seed N]',
    summary: "The box scores of the slate `demo seed` gave the date, into player_game_summary: the day can then be graded.",
    flags: [{ flag: '--game-date <date>', text: 'the slate date (required)' }, SEED_FLAG],
    example: 'demo actuals --game-date 2026-12-01 && npm run --silent cli -- grade --game-date 2026-12-01',
  },
  season: {
    usage: 'demo season [--days 14] [--seed N] [--start-date D] [--data-dir DIR] [--concurrency 16] [--retrain] [--continue]',
    summary:
      'The whole loop through the real HTTP worker: seed, predict every player, actuals, grade, signals, picks; a per-system table at the end. With --days >= 10 also the model lifecycle (evaluate the demo challenger, shadow, compare, promote) on copies of the registry and local.env in --data-dir.',
    flags: [
      { flag: '--days <n>', default: '14', text: 'days to simulate (with --continue: days to add)' },
      SEED_FLAG,
      { flag: '--start-date <date>', default: 'today in SLATE_TIME_ZONE', text: 'first game date (not with --continue)' },
      { flag: '--data-dir <dir>', default: 'WORKER_DATA_DIR/demo-season', text: 'where the season database lives' },
      { flag: '--concurrency <n>', default: '16', text: 'requests in flight' },
      { flag: '--retrain', default: 'off', text: 'train the demo challenger live with cli train (Python, the pinned CatBoost) instead of the committed model' },
      { flag: '--continue', default: 'off', text: "add days to the season in --data-dir instead of wiping it (its lifecycle copies stay in force; not with --retrain)" },
    ],
    example: ['demo season --days 14', 'demo season --continue --days 7'],
  },
} satisfies Record<string, CommandHelp>;

export const help: CommandHelp = {
  usage: 'demo <seed|actuals|season> …',
  summary: 'The embedded-default demo: synthetic slates, box scores and whole seasons through the real worker.',
  example: ['demo season --days 14', 'demo seed --game-date 2026-12-01'],
  sub: SUB_HELP,
};

export async function run(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'seed') return seed(rest, io);
  if (sub === 'actuals') return actuals(rest, io);
  if (sub === 'season') return season(rest, io);
  throw new PwError('PW_ERR_CLI_USAGE', undefined, `usage: ${Object.values(SUB_HELP).map((h) => `cli ${h.usage}`).join('\n       ')}`);
}

/** `demo seed`: the date's synthetic slate into the embedded feature store; payloads on stdout. */
async function seed(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, { 'game-date': { type: 'string' }, seed: { type: 'string' } });
  const gameDate = requireDate(values['game-date'], 'game-date');
  const seedValue = parseSeed(values.seed);
  const config = cliConfig(io);
  const { day } = demoSlate(seedValue, gameDate);
  const storage = await openStorage(config);
  try {
    await storage.features.upsert(featureStoreRows(day));
  } finally {
    await storage.close();
  }
  for (const payload of requestPayloads(day)) io.out(`${JSON.stringify(payload)}\n`);
  io.err(`seeded ${day.playerGames.length} players, ${day.games.length} games for ${gameDate} into ${storage.location}\n`);
  return 0;
}

/** `demo actuals`: the box scores of the date's demo slate, so the day can be graded. */
async function actuals(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, { 'game-date': { type: 'string' }, seed: { type: 'string' } });
  const gameDate = requireDate(values['game-date'], 'game-date');
  const { day } = demoSlate(parseSeed(values.seed), gameDate);
  const storage = await openStorage(cliConfig(io));
  const rows = actualsRows(day);
  try {
    await storage.actuals.upsert(rows);
  } finally {
    await storage.close();
  }
  io.err(`loaded ${rows.length} box-score rows (${rows.filter((r) => r.points !== null).length} with points) for ${gameDate} into ${storage.location}\n`);
  io.out(`next: npm run --silent cli -- grade --game-date ${gameDate} && npm run --silent cli -- signals --game-date ${gameDate}\n`);
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

/**
 * The lifecycle state a previous `demo season` left in its data dir (registry and local.env
 * copies), for --continue; undefined when that run had no lifecycle (fewer than 10 days).
 */
function continuedLifecycle(dataDir: string, cwd: string): DemoLifecycle | undefined {
  const registryFile = join(dataDir, 'monthly-models.ts');
  const envFile = join(dataDir, 'local.env');
  if (!existsSync(registryFile) || !existsSync(envFile)) return undefined;
  return { evalDays: -1, registryFile, envFile, modelPath: '', cwd };
}

async function season(argv: string[], io: CliIo): Promise<number> {
  const started = Date.now();
  const { values } = parseFlags(argv, {
    days: { type: 'string' },
    seed: { type: 'string' },
    'start-date': { type: 'string' },
    'data-dir': { type: 'string' },
    concurrency: { type: 'string' },
    continue: { type: 'boolean', default: false },
    retrain: { type: 'boolean', default: false },
  });
  const days = positiveInt(values.days, 'days', 14);
  const concurrency = positiveInt(values.concurrency, 'concurrency', 16);
  const base = cliConfig(io);
  const dataDir = resolve(io.cwd, typeof values['data-dir'] === 'string' ? values['data-dir'] : join(base.WORKER_DATA_DIR, 'demo-season'));
  const seasonFile = join(dataDir, SEASON_FILE);

  let seedValue: number;
  let startDate: string;
  let doneDays = 0;
  if (values.continue) {
    if (values.retrain) throw new PwError('PW_ERR_CLI_USAGE', undefined, '--retrain belongs to a new season (the lifecycle runs once); drop it with --continue');
    if (values['start-date'] !== undefined || values.seed !== undefined) {
      throw new PwError('PW_ERR_CLI_USAGE', undefined, `--continue takes the seed and start date from ${seasonFile}; drop --seed/--start-date`);
    }
    if (!existsSync(seasonFile)) throw new PwError('PW_ERR_JOB_INPUT', undefined, `no season to continue in ${dataDir} (${SEASON_FILE} missing): run demo season first`);
    const saved = JSON.parse(readFileSync(seasonFile, 'utf8')) as { seed: number; start_date: string; days: number };
    seedValue = saved.seed;
    startDate = saved.start_date;
    doneDays = saved.days;
  } else {
    seedValue = parseSeed(values.seed);
    startDate = values['start-date'] === undefined ? todayIn(base.SLATE_TIME_ZONE) : requireDate(values['start-date'], 'start-date');
    // A fresh database: this season only.
    rmSync(dataDir, { recursive: true, force: true });
  }
  mkdirSync(dataDir, { recursive: true });
  const slack = await startSlackReceiver(join(dataDir, 'slack'));
  const config: Config = {
    ...base,
    STORAGE_BACKEND: 'embedded',
    WORKER_DATA_DIR: dataDir,
    PUSH_AUTH: 'off',
    // The season may start in the past (--start-date); the worker accepts it explicitly.
    ALLOW_PAST_DATES: true,
    // …and the simulated days may run weeks ahead of today's real date.
    MAX_FUTURE_DAYS: 36_500,
    SLACK_WEBHOOK_URL_SIGNALS: slack.url,
    LOG_LEVEL: 'warn',
  };

  const firstNew = addDays(startDate, doneDays);
  io.err(`demo season: ${values.continue ? `continuing (${doneDays} days done): ` : ''}${days} days from ${firstNew}, seed ${seedValue}, data in ${dataDir}\n`);
  // One continuous simulated season: DEMO_HISTORY_DAYS before the demo (the demo challenger's
  // training days, never the demo's own games), then the demo days. The whole season is simulated
  // again (cheap, deterministic), so days added by --continue follow the ones already played.
  const full = generateSeason({ seed: seedValue, startDate: addDays(startDate, -DEMO_HISTORY_DAYS), days: DEMO_HISTORY_DAYS + doneDays + days });
  const plan = { ...full, days: full.days.slice(DEMO_HISTORY_DAYS + doneDays) };
  const { buildApp } = await import('../../worker/app.js');
  const { pino } = await import('pino');
  const storage = await openStorage(config);
  const logger = pino({ level: 'error' }, process.stderr);
  // The worker closes its storage on close; the demo restarts the worker mid-season, so it gets a
  // handle whose close() is a no-op and the demo closes the real one at the end.
  const workerStorage: typeof storage = { ...storage, close: async () => {} };
  // --continue: the lifecycle copies the first run made stay in force (never re-run; evalDays -1).
  const continued = values.continue ? continuedLifecycle(dataDir, io.cwd) : undefined;
  if (continued) {
    const envText = readFileSync(continued.envFile, 'utf8');
    const path = getEnvVar(envText, 'CATBOOST_V9_MODEL_PATH');
    if (path !== undefined) {
      config.CATBOOST_V9_MODEL_PATH = path;
      config.CATBOOST_V9_MODEL_SHA256 = getEnvVar(envText, 'CATBOOST_V9_MODEL_SHA256') ?? undefined;
    }
    io.err(`continuing with the lifecycle's ${continued.registryFile} and ${continued.envFile} (champion ${config.CATBOOST_V9_MODEL_PATH})\n`);
  }
  const lifecycle =
    continued ??
    (!values.continue && days >= LIFECYCLE_MIN_DAYS
      ? await prepareLifecycle({ io, cwd: io.cwd, dataDir, days, history: full.days.slice(0, DEMO_HISTORY_DAYS), retrain: Boolean(values.retrain), storage, config })
      : undefined);
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
      // Saved before each day, so an interrupted run continues where it stopped.
      writeFileSync(seasonFile, `${JSON.stringify({ seed: seedValue, start_date: startDate, days: doneDays + i }, null, 2)}\n`);
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

    writeFileSync(seasonFile, `${JSON.stringify({ seed: seedValue, start_date: startDate, days: doneDays + days }, null, 2)}\n`);
    const endDate = plan.days.at(-1)!.date;
    const graded = await storage.accuracy.forRange(startDate, endDate);
    io.out(seasonTable(graded, startDate, endDate));
    if (lifecycle && lifecycleDeployed) {
      await compareAndPromote(lifecycle, { io, storage, config, endDate, now: new Date(`${addDays(endDate, 1)}T12:00:00.000Z`) });
    }
    // Written after the lifecycle step, so its promotion (dated the morning after the last game day)
    // is marked on the time axis.
    const reportTo = lifecycle && lifecycleDeployed ? addDays(endDate, 1) : endDate;
    const reportFile = join(dataDir, 'report.html');
    const { loadReportData } = await import('../../report/data.js');
    const { renderReportHtml } = await import('../../report/html.js');
    const { auditEventSource } = await import('../../report/events.js');
    const reportData = await loadReportData(storage, {
      fromDate: startDate,
      toDate: reportTo,
      championId: CHAMPION_SYSTEM_ID,
      now: new Date(),
      events: auditEventSource(storage.registryEvents, config.SLATE_TIME_ZONE),
    });
    writeFileSync(reportFile, renderReportHtml(reportData));
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
