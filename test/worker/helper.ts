/**
 * Test helper for the worker (test/worker/*): one `build()` that makes the app with the REAL
 * embedded storage (DuckDB in memory) and the REAL ModelSet over the shared V9 fixture models
 * (../shared/fixtures/v9-models, read in place), closed automatically after the test.
 * Plus builders for feature-store rows and Pub/Sub push bodies.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../config/env.js';
import { parseRegistry, type RegistryEntryInput } from '../../config/registry.js';
import { registryEntry } from '../models/helpers.js';
import { buildApp, type BuildAppOptions } from '../../src/worker/app.js';
import { openDuckDbStorage } from '../../src/storage/duckdb/index.js';
import { validatedStorage } from '../../src/storage/validated.js';
import type { Storage } from '../../src/storage/storage.js';
import type { ModelSet } from '../../src/models/model-set.js';
import { createModelSet } from '../../src/models/model-set-loader.js';
import { ModelStore } from '../../src/models/model-store.js';
import { V9_FEATURE_NAMES } from '../../src/features/contract.js';
import type { FeatureStoreRow } from '../../src/storage/tables/feature-store.js';
import { todayIn } from '../../src/worker/slate-date.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/**
 * Champion + five challengers, all the project's own CatBoost-trained V9 models (models/ and
 * test/fixtures/models/), so these tests run on a fresh clone without ../shared.
 */
export const FIXTURE_MODELS: string[] = [
  'models/catboost_v9_demo_champion.cbm',
  'models/catboost_v9_demo_q43.cbm',
  'models/catboost_v9_demo_deep.cbm',
  'test/fixtures/models/rmse_d4.cbm',
  'test/fixtures/models/q43_d6.cbm',
  'test/fixtures/models/nan_min_d6.cbm',
];
export const HAVE_FIXTURES = FIXTURE_MODELS.every((p) => existsSync(join(REPO_ROOT, p)));
export const SKIP_REASON = `project model files missing (${FIXTURE_MODELS.join(', ')})`;

/** system_id for a challenger file, e.g. catboost_v9_fx_rmse_d4. */
export function challengerId(path: string): string {
  const stem = basename(path).replace(/\.(cbm|json|onnx)$/, '').replace(/^catboost_v9_/, '');
  return `catboost_v9_fx_${stem.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
}

export { registryEntry };

/** Champion = first fixture, challengers = the other five (by default). */
export function fixtureRegistry(extra: Record<string, RegistryEntryInput> = {}): Record<string, RegistryEntryInput> {
  const out: Record<string, RegistryEntryInput> = {};
  for (const path of FIXTURE_MODELS.slice(1)) out[challengerId(path)] = registryEntry(path);
  return { ...out, ...extra };
}

export const silentLogger = { info() {}, warn() {}, error() {} };

export async function loadFixtureModelSet(registry: Record<string, RegistryEntryInput> = fixtureRegistry(), championPath = FIXTURE_MODELS[0]!): Promise<ModelSet> {
  return createModelSet({
    championPath,
    registry: parseRegistry(registry),
    store: new ModelStore({ cwd: REPO_ROOT, cacheDir: join(REPO_ROOT, '.cache/test-models') }),
    engine: 'native',
    logger: silentLogger,
  });
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ PUSH_AUTH: 'off', STORAGE_BACKEND: 'embedded', BUILD_COMMIT: 'test-commit', LOG_LEVEL: 'silent', ...env });
}

export const today = (): string => todayIn('America/New_York');

/** A TCP port on 127.0.0.1 that was free a moment ago (for spawned workers and emulators). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** A complete V9 feature row with plausible values; override single features by name. */
export function featureRow(playerLookup: string, gameDate: string, values: Partial<Record<string, number>> = {}, o: Partial<FeatureStoreRow> = {}): FeatureStoreRow {
  const base: Record<string, number> = {
    points_avg_last_5: 24.2, points_avg_last_10: 23.5, points_avg_season: 22.8, points_std_last_10: 5.1,
    games_in_last_7_days: 3, fatigue_score: 60, shot_zone_mismatch_score: 0.5, pace_score: 1.2,
    usage_spike_score: 0, rest_advantage: 1, injury_risk: 0, recent_trend: 0.3, minutes_change: 1.5,
    opponent_def_rating: 114, opponent_pace: 101, home_away: 1, back_to_back: 0, playoff_game: 0,
    pct_paint: 0.4, pct_mid_range: 0.15, pct_three: 0.3, pct_free_throw: 0.15, team_pace: 100,
    team_off_rating: 115, team_win_pct: 0.6, vegas_points_line: 23.5, vegas_opening_line: 23.0,
    vegas_line_move: 0.5, has_vegas_line: 1, avg_points_vs_opponent: 25, games_vs_opponent: 4,
    minutes_avg_last_10: 34, ppm_avg_last_10: 0.69,
  };
  const merged = { ...base, ...values };
  const names = V9_FEATURE_NAMES.filter((n) => merged[n] !== undefined);
  return {
    game_date: gameDate,
    player_lookup: playerLookup,
    game_id: `${gameDate.replaceAll('-', '')}_LAL_GSW`,
    feature_names: names,
    features: names.map((n) => merged[n]!),
    feature_version: 'v2_33features',
    feature_quality_score: 92,
    team_abbr: 'LAL',
    opponent_team_abbr: 'GSW',
    created_at: new Date().toISOString(),
    ...o,
  };
}

export interface PushOptions {
  messageId?: string;
  publishTime?: string;
  /** Raw `data` string (bypasses base64 encoding of `payload`). */
  data?: string;
  subscription?: string;
}

/** A Pub/Sub push body (JSON string) carrying `payload` as base64 JSON. */
export function pushBody(payload: unknown, o: PushOptions = {}): string {
  return JSON.stringify({
    message: {
      data: o.data ?? Buffer.from(JSON.stringify(payload)).toString('base64'),
      messageId: o.messageId ?? 'msg-1',
      publishTime: o.publishTime ?? '2026-01-01T12:00:00.123456789Z',
      attributes: {},
    },
    subscription: o.subscription ?? 'projects/test/subscriptions/prediction-request-test',
    deliveryAttempt: 1,
  });
}

export function request(player: string, gameDate: string, o: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    player_lookup: player,
    game_date: gameDate,
    game_id: `${gameDate.replaceAll('-', '')}_LAL_GSW`,
    line_values: [24.5],
    actual_prop_line: 24.5,
    has_prop_line: true,
    line_source: 'ACTUAL_PROP',
    line_source_api: 'ODDS_API',
    sportsbook: 'DRAFTKINGS',
    was_line_fallback: false,
    prediction_run_mode: 'FIRST',
    ...o,
  };
}

export interface Built {
  app: FastifyInstance;
  storage: Storage;
  modelSet: ModelSet;
  config: Config;
}

export interface BuildOptions extends Partial<Omit<BuildAppOptions, 'config'>> {
  env?: Record<string, string>;
  /** Feature rows to seed before the app starts. */
  features?: FeatureStoreRow[];
  /** Wrap the real storage (e.g. make the sink fail). */
  wrapStorage?: (storage: Storage) => Storage;
}

/** The app over real in-memory DuckDB storage and the real fixture ModelSet, closed after the test. */
export async function build(options: BuildOptions = {}): Promise<Built> {
  const config = testConfig(options.env);
  // As openStorage does: every write validated against its table schema.
  const realStorage = validatedStorage(await openDuckDbStorage({ path: ':memory:' }));
  if (options.features?.length) await realStorage.features.upsert(options.features);
  const storage = options.wrapStorage ? options.wrapStorage(realStorage) : realStorage;
  const modelSet = options.modelSet ?? (await loadFixtureModelSet());
  const { env: _env, features: _features, wrapStorage: _wrap, ...rest } = options;
  const app = buildApp({ ...rest, config, storage, modelSet });
  onTestFinished(async () => {
    await app.close();
    await realStorage.close();
  });
  await app.ready();
  return { app, storage: realStorage, modelSet, config };
}

export async function postPush(app: FastifyInstance, body: string, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json', ...headers }, payload: body });
}

/** A storage whose prediction writes fail with `error()` while `failing()` says so. */
export function failingWrites(failing: () => boolean, error: () => Error) {
  return (s: Storage): Storage => ({
    ...s,
    kind: s.kind,
    location: s.location,
    ping: () => s.ping(),
    close: () => s.close(),
    predictions: {
      ...s.predictions,
      write: async (rows, outcome) => {
        if (failing()) throw error();
        return s.predictions.write(rows, outcome);
      },
      currentPredictions: (d, ids) => s.predictions.currentPredictions(d, ids),
      allPredictions: (d) => s.predictions.allPredictions(d),
    },
  });
}
