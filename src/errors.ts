/**
 * @module errors
 * Every error prediction-worker raises, in one table (after fastify's lib/errors.js).
 * Each code has a message template, whether a retry can help (`retryable`: Pub/Sub push gets a
 * 5xx only for those) and an HTTP status for the routes that surface it.
 * docs/errors.md documents each code; test/errors.test.ts checks the two agree.
 *
 * @example
 *   throw new PwError('PW_ERR_MODEL_FORMAT', { cause: err }, 'model.cbm', 'truncated flatbuffer');
 */
import { format } from 'node:util';

export const ERROR_CODES = {
  // configuration
  PW_ERR_CONFIG: { message: 'Invalid configuration: %s', retryable: false, status: 500 },
  PW_ERR_REGISTRY: { message: 'Invalid MONTHLY_MODELS registry entry %s: %s', retryable: false, status: 500 },
  // model files and engine
  PW_ERR_MODEL_FETCH: { message: 'Cannot fetch model %s: %s', retryable: true, status: 503 },
  PW_ERR_MODEL_NOT_FOUND: { message: 'Model file not found: %s', retryable: false, status: 500 },
  PW_ERR_MODEL_SHA256: { message: 'Model %s has sha256 %s, registry declares %s', retryable: false, status: 500 },
  PW_ERR_MODEL_FORMAT: { message: 'Cannot read model %s: %s', retryable: false, status: 500 },
  PW_ERR_MODEL_UNSUPPORTED: { message: 'Model %s uses what this evaluator does not support: %s', retryable: false, status: 500 },
  PW_ERR_MODEL_FEATURES: { message: 'Model %s does not match its feature set: %s', retryable: false, status: 500 },
  PW_ERR_MODEL_INPUT: { message: 'Bad input for model %s: %s', retryable: false, status: 400 },
  PW_ERR_CHAMPION_NOT_LOADED: { message: 'Champion model is not loaded: %s', retryable: true, status: 503 },
  PW_ERR_CHAMPION_FAILED: { message: 'Champion %s failed for message %s: %s', retryable: true, status: 503 },
  // request handling
  PW_ERR_ENVELOPE: { message: 'Invalid Pub/Sub push envelope: %s', retryable: false, status: 400 },
  PW_ERR_PAYLOAD: { message: 'Invalid prediction request payload: %s', retryable: false, status: 400 },
  PW_ERR_PLAYER_NOT_FOUND: { message: 'No feature-store row for %s on %s', retryable: false, status: 404 },
  PW_ERR_STALE_MESSAGE: { message: 'Game date %s is in the past (today is %s)', retryable: false, status: 410 },
  PW_ERR_FUTURE_MESSAGE: { message: 'Game date %s is more than MAX_FUTURE_DAYS=%s days after today (%s)', retryable: false, status: 422 },
  PW_ERR_AUTH: { message: 'Push authentication failed: %s', retryable: false, status: 401 },
  PW_ERR_FORBIDDEN: { message: 'Push token not accepted: %s', retryable: false, status: 403 },
  // storage
  PW_ERR_FEATURE_STORE: { message: 'Feature store unavailable: %s', retryable: true, status: 503 },
  PW_ERR_SINK_WRITE: { message: 'Cannot write %s: %s', retryable: true, status: 503 },
  PW_ERR_STORAGE_READ: { message: 'Cannot read %s: %s', retryable: true, status: 503 },
  PW_ERR_DB_LOCKED: { message: 'Embedded database %s is held by another process (a running worker?): %s', retryable: false, status: 409 },
  // jobs
  PW_ERR_JOB_INPUT: { message: 'Invalid job input: %s', retryable: false, status: 400 },
  PW_ERR_NOTIFY: { message: 'Notification to %s failed: %s', retryable: true, status: 502 },
  // CLI
  PW_ERR_CLI_USAGE: { message: '%s', retryable: false, status: 400 },
  // hardening (issue 7)
  PW_ERR_ROW_INVALID: { message: 'Row for %s refused by its table schema: %s', retryable: false, status: 422 },
  PW_ERR_MODEL_OUTPUT: { message: 'Model %s produced an output that is not a points value: %s', retryable: false, status: 500 },
  PW_ERR_MODEL_UNVERIFIED: { message: 'Model %s is refused: %s', retryable: false, status: 500 },
  PW_ERR_MESSAGE_CONFLICT: { message: 'Message id %s was already used for another payload (stored digest %s, this one %s)', retryable: false, status: 409 },
  PW_ERR_PLAYER_PENDING: { message: 'No feature-store row for %s on %s yet (the slate is %s s old); retry later', retryable: true, status: 503 },
  // model operations (upload, list, promote, rollback, drift)
  PW_ERR_GCS_PATH: { message: 'Invalid Cloud Storage %s: %s', retryable: false, status: 400 },
  PW_ERR_MODEL_EXISTS: { message: 'Object %s already exists with other content: %s', retryable: false, status: 409 },
  PW_ERR_MODEL_UPLOAD: { message: 'Cannot upload %s: %s', retryable: true, status: 503 },
  PW_ERR_ROLLBACK: { message: 'Cannot roll back %s: %s', retryable: false, status: 409 },
  PW_ERR_SERVICE: { message: 'Cannot query the deployed worker at %s: %s', retryable: true, status: 502 },
  PW_ERR_CLOUD_RUN: { message: 'Cloud Run update of %s did not complete: %s', retryable: false, status: 502 },
  // model lifecycle (training and lineage)
  PW_ERR_MODEL_LINEAGE: { message: 'Model %s has unreadable training lineage: %s', retryable: false, status: 500 },
  PW_ERR_TRAINING: { message: 'Training failed: %s', retryable: false, status: 500 },
  // BigQuery set-up (issue 8)
  PW_ERR_STORAGE_SCHEMA: { message: 'BigQuery tables are not ready for this worker: %s', retryable: true, status: 503 },
  PW_ERR_STORAGE_SETUP: { message: 'bigquery init refused: %s', retryable: false, status: 500 },
} as const satisfies Record<string, { message: string; retryable: boolean; status: number }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class PwError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly statusCode: number;

  constructor(code: ErrorCode, options: { cause?: unknown } | undefined, ...args: Array<string | number>) {
    const def = ERROR_CODES[code];
    super(format(def.message, ...args), options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PwError';
    this.code = code;
    this.retryable = def.retryable;
    this.statusCode = def.status;
  }
}

/** Shorthand: `pwError('PW_ERR_MODEL_FORMAT', 'a.cbm', 'truncated')`. */
export function pwError(code: ErrorCode, ...args: Array<string | number>): PwError {
  return new PwError(code, undefined, ...args);
}

export function isPwError(err: unknown, code?: ErrorCode): err is PwError {
  return err instanceof PwError && (code === undefined || err.code === code);
}

/** A one-line reason for logs and CLI output, including the cause chain. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const parts = [err.message];
  let cause = (err as { cause?: unknown }).cause;
  for (let depth = 0; cause instanceof Error && depth < 3; depth++) {
    // A message that already quotes its cause (`cannot read x: ENOENT …`) prints it once.
    const text = cause.message;
    if (!parts.some((p) => p.includes(text.trim()))) parts.push(text);
    cause = (cause as { cause?: unknown }).cause;
  }
  return parts.join(': ').replace(/\s+/g, ' ');
}
