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
