/**
 * @module worker/envelope
 * Decodes a Pub/Sub push body into a validated PredictionRequest. Pure. Two delivery shapes:
 * - wrapped (the default): `{ message: { data: <base64 JSON>, messageId, publishTime,
 *   attributes }, subscription, deliveryAttempt }`;
 * - unwrapped ("payload unwrapping", `noWrapper` on the subscription): the body IS the payload,
 *   and with `writeMetadata` the message id, publish time and subscription arrive as the headers
 *   `x-goog-pubsub-message-id`, `x-goog-pubsub-publish-time`, `x-goog-pubsub-subscription-name`
 *   (attributes become headers too). Without the message-id header the message cannot be
 *   deduplicated, so it is refused with a reason that says so.
 * Every failure here is permanent (a redelivery carries the same bytes), so the caller
 * acknowledges it and records it as a `rejected` outcome with the reason and the raw body.
 *
 * Hostile-input rules (issue 7, class 5): the size check comes before any parsing; every step is
 * linear in the body size (no backtracking regex over the data); metadata of an odd type
 * (`deliveryAttempt` as a string, `messageId` as a number, non-string attributes) is read as
 * metadata, never a reason to refuse the payload; a `publishTime` that is not a time between
 * 2000-01-01 and an hour after receipt falls back to the receive time, with a note.
 */
import { hash } from 'node:crypto';
import { z } from 'zod';
import { predictionRequestSchema, calendarDate, type PredictionRequest } from '../predictions/request.js';
import type { ErrorCode } from '../errors.js';

/** Header names of an unwrapped push with metadata (lower case, as Node delivers them). */
export const UNWRAPPED_HEADERS = {
  messageId: 'x-goog-pubsub-message-id',
  publishTime: 'x-goog-pubsub-publish-time',
  subscription: 'x-goog-pubsub-subscription-name',
} as const;

/** Longest accepted message id (Pub/Sub's are ~16 digits). */
export const MAX_MESSAGE_ID_LENGTH = 256;
/** Earliest accepted publishTime; later than receipt by more than this is refused too. */
const EARLIEST_PUBLISH_MS = Date.UTC(2000, 0, 1);
const PUBLISH_FUTURE_SLACK_MS = 60 * 60 * 1000;

/** What could be read from the envelope, even when the message is rejected. */
export interface EnvelopeMeta {
  /** Pub/Sub messageId, or sha256 of the raw body when none is known. */
  messageId: string;
  /** Pub/Sub publishTime normalised to ISO-8601 UTC (ms), or null when absent/out of range. */
  publishedAt: string | null;
  subscription: string | null;
  deliveryAttempt: number | null;
  playerLookup: string | null;
  gameDate: string | null;
  /** sha256 (hex) of the payload bytes (decoded `data`, or the unwrapped body); null when unknown. */
  payloadDigest: string | null;
  /** false for an unwrapped push. */
  wrapped: boolean;
  /** Things worth keeping on the outcome (e.g. a publishTime that was replaced). */
  notes: string[];
}

export type DecodedPush =
  | { ok: true; meta: EnvelopeMeta; request: PredictionRequest }
  | { ok: false; meta: EnvelopeMeta; code: Extract<ErrorCode, 'PW_ERR_ENVELOPE' | 'PW_ERR_PAYLOAD'>; reason: string };

export type PushHeaders = Record<string, string | string[] | undefined>;

export interface DecodeOptions {
  headers?: PushHeaders;
  /** Bodies over this many bytes are refused before any parsing. */
  maxBytes?: number;
  /** Receive time: bounds publishTime (default now). */
  receivedAt?: Date;
}

/** sha256 hex of the bytes (a string is hashed as UTF-8). One-shot `crypto.hash`: same digest as createHash, less work per call. */
export function bodyDigest(raw: Buffer | string): string {
  return hash('sha256', raw, 'hex');
}

/**
 * Pub/Sub writes up to nanoseconds ("…:55.749123456Z"); keep milliseconds, always 'Z'.
 * Null when absent, unparseable or outside [2000-01-01, receivedAt + 1 h].
 */
export function normalisePublishTime(value: string | undefined, receivedAt: Date = new Date()): string | null {
  if (!value || value.length > 64) return null;
  const trimmed = value.replace(/(\.\d{3})\d+/, '$1');
  const ms = Date.parse(trimmed);
  if (Number.isNaN(ms) || ms < EARLIEST_PUBLISH_MS || ms > receivedAt.getTime() + PUBLISH_FUTURE_SLACK_MS) return null;
  return new Date(ms).toISOString();
}

/**
 * Standard or URL-safe base64, padded or not, in one pass (a backtracking regex over a
 * multi-megabyte string overflowed the stack: issue 7, class 5). Whitespace already removed.
 */
export function isBase64(s: string): boolean {
  let end = s.length;
  let padding = 0;
  while (end > 0 && s.charCodeAt(end - 1) === 61 /* = */ && padding < 2) {
    end--;
    padding++;
  }
  if (end === 0) return false;
  if (padding > 0 ? s.length % 4 !== 0 : end % 4 === 1) return false;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    const ok =
      (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 45 || c === 95;
    if (!ok) return false;
  }
  return true;
}

function firstIssue(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

function header(headers: PushHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A message id from a string or a safe integer (metadata, leniently read). */
function messageIdOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string' && value.length > 0) return value;
  return undefined;
}

/** deliveryAttempt from a number or a numeric string; null otherwise. */
function deliveryAttemptOf(value: unknown): number | null {
  const n = typeof value === 'string' && /^\d{1,9}$/.test(value.trim()) ? Number(value.trim()) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 2 ** 31 - 1 ? n : null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Decodes one push (see the module comment). Never throws. */
export function decodePush(raw: Buffer | string | undefined, options: DecodeOptions = {}): DecodedPush {
  const bytes = raw === undefined ? Buffer.alloc(0) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
  const headers = options.headers ?? {};
  const receivedAt = options.receivedAt ?? new Date();
  const headerId = header(headers, UNWRAPPED_HEADERS.messageId);
  // The body's digest is the message id only when no usable id arrives: computed when needed
  // (hashing every body up front cost a sha256 of the whole body per push for nothing).
  let digestOfBody: string | undefined;
  const bodyId = () => (digestOfBody ??= bodyDigest(bytes));
  const meta: EnvelopeMeta = {
    messageId: '',
    publishedAt: null,
    subscription: null,
    deliveryAttempt: null,
    playerLookup: null,
    gameDate: null,
    payloadDigest: null,
    wrapped: headerId === undefined,
    notes: [],
  };
  const reject = (code: 'PW_ERR_ENVELOPE' | 'PW_ERR_PAYLOAD', reason: string): DecodedPush => {
    if (meta.messageId === '') meta.messageId = bodyId();
    return { ok: false, meta, code, reason };
  };
  const setPublishTime = (value: unknown) => {
    if (value === undefined || value === null) return;
    meta.publishedAt = normalisePublishTime(typeof value === 'string' ? value : undefined, receivedAt);
    if (meta.publishedAt === null) {
      meta.notes.push(`publishTime ${JSON.stringify(String(value)).slice(0, 80)} is not a time in [2000-01-01, receipt + 1 h]; the receive time is used`);
    }
  };

  if (headerId !== undefined) {
    // Unwrapped push: metadata from headers, the body is the payload.
    if (headerId.length > 0 && headerId.length <= MAX_MESSAGE_ID_LENGTH) meta.messageId = headerId;
    setPublishTime(header(headers, UNWRAPPED_HEADERS.publishTime));
    meta.subscription = header(headers, UNWRAPPED_HEADERS.subscription) ?? null;
  }
  if (options.maxBytes !== undefined && bytes.length > options.maxBytes) {
    return reject('PW_ERR_ENVELOPE', `body of ${bytes.length} bytes exceeds MAX_BODY_BYTES (${options.maxBytes})`);
  }
  if (bytes.length === 0) return reject('PW_ERR_ENVELOPE', 'empty body');
  if (headerId !== undefined && (headerId.length === 0 || headerId.length > MAX_MESSAGE_ID_LENGTH)) {
    return reject('PW_ERR_ENVELOPE', `${UNWRAPPED_HEADERS.messageId} is empty or longer than ${MAX_MESSAGE_ID_LENGTH} characters`);
  }

  // One parse of the body serves both shapes. A body that is a Pub/Sub envelope is read as one
  // even if unwrapped-push headers came with it (a payload never has a `message` object).
  let body: unknown;
  let bodyIsJson = true;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    bodyIsJson = false;
  }
  const envelope = isObject(body) && isObject(body.message) ? body : undefined;

  let payloadBytes: Buffer;
  let payload: unknown;
  if (headerId !== undefined && envelope === undefined) {
    payloadBytes = bytes;
    payload = body;
    meta.payloadDigest = bodyId();
    if (!bodyIsJson) return reject('PW_ERR_PAYLOAD', 'the unwrapped body is not JSON');
  } else {
    meta.wrapped = true;
    if (!bodyIsJson) return reject('PW_ERR_ENVELOPE', 'body is not JSON');
    if (!isObject(body)) return reject('PW_ERR_ENVELOPE', 'body is not a JSON object');
    if (envelope === undefined) {
      const looksUnwrapped = 'player_lookup' in body || 'game_date' in body;
      return reject(
        'PW_ERR_ENVELOPE',
        looksUnwrapped
          ? `an unwrapped payload without the ${UNWRAPPED_HEADERS.messageId} header: enable "write metadata" on the no-wrapper push subscription so each message has an id`
          : "no Pub/Sub envelope: 'message' is missing or not an object",
      );
    }
    const message = envelope.message as Record<string, unknown>;
    const id = messageIdOf(message.messageId) ?? messageIdOf(message.message_id);
    meta.messageId = id && id.length <= MAX_MESSAGE_ID_LENGTH ? id : bodyId();
    meta.publishedAt = null;
    meta.notes = [];
    setPublishTime(message.publishTime ?? message.publish_time);
    meta.subscription = typeof envelope.subscription === 'string' ? envelope.subscription : null;
    meta.deliveryAttempt = deliveryAttemptOf(envelope.deliveryAttempt);
    if (!id) return reject('PW_ERR_ENVELOPE', 'message.messageId is missing');
    if (id.length > MAX_MESSAGE_ID_LENGTH) return reject('PW_ERR_ENVELOPE', `message.messageId is longer than ${MAX_MESSAGE_ID_LENGTH} characters`);
    if (typeof message.data !== 'string') return reject('PW_ERR_ENVELOPE', 'message.data is missing or not a string');
    const data = message.data.replace(/\s+/g, '');
    if (!data) return reject('PW_ERR_ENVELOPE', 'message.data is missing or empty');
    if (!isBase64(data)) return reject('PW_ERR_ENVELOPE', 'message.data is not base64');
    payloadBytes = Buffer.from(data, 'base64');
    meta.payloadDigest = bodyDigest(payloadBytes);
    try {
      payload = JSON.parse(payloadBytes.toString('utf8'));
    } catch {
      return reject('PW_ERR_PAYLOAD', 'message.data does not decode to JSON');
    }
  }
  const request = predictionRequestSchema.safeParse(payload);
  if (isObject(payload)) {
    if (typeof payload.player_lookup === 'string' && payload.player_lookup.length <= 128) meta.playerLookup = payload.player_lookup;
    // A request that parsed has passed this same calendarDate check on game_date.
    if (request.success || calendarDate.safeParse(payload.game_date).success) meta.gameDate = payload.game_date as string;
  }
  if (!request.success) return reject('PW_ERR_PAYLOAD', firstIssue(request.error));
  return { ok: true, meta, request: request.data };
}
