/**
 * @module config/env
 * The one environment schema. Parsed once at an entry point (`loadConfig(process.env)`) and passed
 * down as a typed `Config`; nothing below an entry point reads `process.env`.
 * docs/config.md documents every variable; env.test.ts checks the two agree.
 */
import { z } from 'zod';
import { PwError } from '../src/errors.js';
import { parseGcsObject } from '../src/models/gcs-path.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const csv = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

/** A BigQuery dataset id: letters, digits and underscores, at most 1024. */
const datasetId = z.string().regex(/^[A-Za-z0-9_]{1,1024}$/, 'expected a BigQuery dataset id (letters, digits, underscores)');
/** A service-account email, e.g. name@project.iam.gserviceaccount.com. */
const email = z.string().regex(/^[^@\s,]+@[^@\s,]+\.[^@\s,]+$/, 'expected an email address');

export const envSchema = z
  .object({
    // --- serving
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    HOST: z.string().default('0.0.0.0'),
    LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    /** Largest accepted request body, bytes. Pub/Sub messages are at most 10 MB; ours are ~2 KB. */
    MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_048_576),
    /** Grace period on SIGTERM; Cloud Run gives 10 s before SIGKILL. */
    SHUTDOWN_GRACE_MS: z.coerce.number().int().positive().default(8_000),

    // --- models
    /** The champion model (`catboost_v9`): gs://bucket/object or a local path. */
    CATBOOST_V9_MODEL_PATH: z.string().min(1).default('models/catboost_v9_demo_champion.cbm'),
    /** Optional full SHA-256 the champion file must have. */
    CATBOOST_V9_MODEL_SHA256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
    MODEL_CACHE_DIR: z.string().default('/tmp/models'),
    /** Engine for .cbm/.json models; .onnx always uses ONNX Runtime. */
    MODEL_ENGINE: z.enum(['auto', 'native', 'onnx']).default('auto'),
    /** The only system whose rows reach users (picks, Slack). */
    PRIMARY_ALERT_MODEL: z.string().default('catboost_v9'),

    // --- recommendation
    /** |edge| at or above which a row is OVER/UNDER rather than PASS. */
    RECOMMENDATION_EDGE_THRESHOLD: z.coerce.number().nonnegative().default(1.0),

    // --- storage
    /** `embedded` (DuckDB file under WORKER_DATA_DIR) or `bigquery`. */
    STORAGE_BACKEND: z.enum(['embedded', 'bigquery']).default('embedded'),
    WORKER_DATA_DIR: z.string().default('./data'),
    /** The serving worker runs the embedded database on its own thread (storage/duckdb/storage-thread.ts). */
    EMBEDDED_STORAGE_THREAD: bool.default(true),
    GCP_PROJECT_ID: z.string().optional(),
    BIGQUERY_LOCATION: z.string().default('US'),
    /** Emulator endpoints (tests/CI). Production leaves them unset. */
    BIGQUERY_API_ENDPOINT: z.string().url().optional(),
    STORAGE_EMULATOR_HOST: z.string().url().optional(),
    /** Seconds a date's feature slate stays cached: today/future, and past dates. */
    FEATURE_CACHE_TTL_SECONDS: z.coerce.number().int().nonnegative().default(300),
    FEATURE_CACHE_TTL_PAST_SECONDS: z.coerce.number().int().nonnegative().default(3600),

    // --- push authentication
    /** Expected `aud` of the Pub/Sub OIDC token (usually the worker URL). Required unless PUSH_AUTH=off. */
    PUSH_AUDIENCE: z.string().optional(),
    /** Service account(s) allowed to push, comma-separated. */
    PUSH_SERVICE_ACCOUNTS: csv.optional(),
    /** `on` (default) verifies tokens; `off` is for local mode only and logs a warning. */
    PUSH_AUTH: z.enum(['on', 'off']).default('on'),
    /** Where Google's signing certificates are fetched (tests point it at a local server). */
    PUSH_AUTH_CERTS_URL: z.string().url().optional(),

    // --- notifications
    SLACK_WEBHOOK_URL_SIGNALS: z.string().url().optional(),
    /** Operators' alert channel: champion state transitions (monitor job). Never the picks channel. */
    SLACK_WEBHOOK_URL_ALERTS: z.string().url().optional(),
    /** Internal channel for the daily challenger digest (monitor job). Never the picks channel. */
    SLACK_WEBHOOK_URL_DIGEST: z.string().url().optional(),
    /** Where the published static report lives (linked from the digest). */
    REPORT_URL: z.string().url().optional(),

    // --- build identity
    BUILD_COMMIT: z.string().default('dev'),
    K_REVISION: z.string().optional(),

    // --- behaviour switches
    /** Accept requests whose game_date is in the past (backfills, demo replays). */
    ALLOW_PAST_DATES: bool.default(false),
    /** Game dates more than this many days after today are rejected (a slate that far out never fills, so the push would be retried until dead-lettered). */
    MAX_FUTURE_DAYS: z.coerce.number().int().nonnegative().default(7),
    /** Time zone that defines "today" for stale-message checks. */
    SLATE_TIME_ZONE: z.string().default('America/New_York'),
    /** A player missing from a slate whose newest row is younger than this is retried (503), not rejected. */
    SLATE_YOUNG_SECONDS: z.coerce.number().int().nonnegative().default(1800),
    /** A miss re-reads the date's feature slate at most this often (milliseconds). */
    SLATE_RELOAD_INTERVAL_MS: z.coerce.number().int().nonnegative().default(5000),

    // --- model operations (CLI: registry promote/rollback, audit trail)
    /** The Cloud Run service the printed champion commands update. */
    CLOUD_RUN_SERVICE: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'a Cloud Run service name (lower-case letters, digits, -)').default('prediction-worker'),
    /** Its region. */
    CLOUD_RUN_REGION: z.string().regex(/^[a-z]+-[a-z]+\d+$/, 'a region such as us-west2').default('us-west2'),
    /** Cloud Run Admin API base URL for `--apply`; unset = https://run.googleapis.com with ADC. Tests point it at a fake. */
    CLOUD_RUN_API_ENDPOINT: z.string().url().optional(),
    /** Who the audit trail names as actor; default: the gcloud account, else user@host. */
    AUDIT_ACTOR: z.string().optional(),
    // --- BigQuery datasets (issue 8; src/storage/bigquery/datasets.ts)
    /** Dataset of every table this worker writes. Never the original platform's datasets. */
    BIGQUERY_DATASET: datasetId.default('prediction_worker'),
    /** Dataset the feature store (ml_feature_store_v2) is read from (written upstream). */
    BIGQUERY_FEATURES_DATASET: datasetId.default('nba_predictions'),
    /** Dataset the box scores (player_game_summary) are read from (written upstream). */
    BIGQUERY_ACTUALS_DATASET: datasetId.default('nba_analytics'),
    /** Dataset of the views with the original platform's column names (`bigquery init` creates them). */
    BIGQUERY_COMPAT_DATASET: datasetId.default('prediction_worker_compat'),
    /** Days a partition of the worker's partitioned tables is kept; unset = kept forever. */
    BIGQUERY_PARTITION_EXPIRATION_DAYS: z.coerce.number().int().positive().optional(),
    /** Let this worker write the upstream input tables (feature store, box scores); off in production. */
    BIGQUERY_WRITE_INPUTS: bool.default(false),
  })
  .superRefine((env, ctx) => {
    // Operator messages must never reach the user-facing picks channel.
    for (const key of ['SLACK_WEBHOOK_URL_ALERTS', 'SLACK_WEBHOOK_URL_DIGEST'] as const) {
      if (env[key] && env.SLACK_WEBHOOK_URL_SIGNALS && env[key] === env.SLACK_WEBHOOK_URL_SIGNALS) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'must not be the user-facing picks webhook (SLACK_WEBHOOK_URL_SIGNALS)' });
      }
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(env.CATBOOST_V9_MODEL_PATH)) {
      try {
        parseGcsObject(env.CATBOOST_V9_MODEL_PATH, 'CATBOOST_V9_MODEL_PATH');
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['CATBOOST_V9_MODEL_PATH'], message: (err as Error).message });
      }
    }
    if (env.STORAGE_BACKEND === 'bigquery' && !env.GCP_PROJECT_ID) {
      ctx.addIssue({ code: 'custom', path: ['GCP_PROJECT_ID'], message: 'required when STORAGE_BACKEND=bigquery' });
    }
    if (env.PUSH_AUTH === 'on' && !env.PUSH_AUDIENCE) {
      ctx.addIssue({
        code: 'custom',
        path: ['PUSH_AUDIENCE'],
        message: 'required when PUSH_AUTH=on (set PUSH_AUTH=off only for local mode)',
      });
    }
     // --- issue 8: start-up checks, fail closed (every check here, before anything loads)
    for (const [i, sa] of (env.PUSH_SERVICE_ACCOUNTS ?? []).entries()) {
      const ok = email.safeParse(sa);
      if (!ok.success) ctx.addIssue({ code: 'custom', path: ['PUSH_SERVICE_ACCOUNTS', i], message: `${JSON.stringify(sa)} is not a service-account email` });
    }
    if (env.PUSH_AUTH === 'on' && !(env.PUSH_SERVICE_ACCOUNTS ?? []).length) {
      ctx.addIssue({
        code: 'custom',
        path: ['PUSH_SERVICE_ACCOUNTS'],
        message: "required when PUSH_AUTH=on (the push subscription's service account; set PUSH_AUTH=off only for local mode)",
      });
    }
    const upstream: Array<[string, string]> = [
      ['BIGQUERY_FEATURES_DATASET', env.BIGQUERY_FEATURES_DATASET],
      ['BIGQUERY_ACTUALS_DATASET', env.BIGQUERY_ACTUALS_DATASET],
      ['BIGQUERY_COMPAT_DATASET', env.BIGQUERY_COMPAT_DATASET],
    ];
    for (const [name, value] of upstream) {
      if (value === env.BIGQUERY_DATASET) {
        ctx.addIssue({ code: 'custom', path: ['BIGQUERY_DATASET'], message: `must differ from ${name} (${value}): the worker's tables never share a dataset with tables it does not own` });
      }
    }
    if (env.STORAGE_BACKEND === 'bigquery' && env.PUSH_AUTH === 'on' && env.CATBOOST_V9_MODEL_PATH === 'models/catboost_v9_demo_champion.cbm') {
      ctx.addIssue({
        code: 'custom',
        path: ['CATBOOST_V9_MODEL_PATH'],
        message: 'the demo champion is the default; a serving worker with STORAGE_BACKEND=bigquery needs the production champion (gs://bucket/object)',
      });
    }
  });

export type Config = z.infer<typeof envSchema>;

/** Parse the environment once; every problem is named (variable and reason) in one error. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const reasons = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new PwError('PW_ERR_CONFIG', undefined, reasons);
  }
  return parsed.data;
}
