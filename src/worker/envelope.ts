/**
 * @module worker/envelope
 * Decodes a Pub/Sub push body: `{ message: { data: <base64 JSON>, messageId, publishTime,
 * attributes }, subscription, deliveryAttempt }` → a validated PredictionRequest. Pure.
 * Every failure here is permanent (a redelivery carries the same bytes), so the caller
 * acknowledges it and records it as a `rejected` outcome with the reason and the raw body.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { predictionRequestSchema, calendarDate, type PredictionRequest } from '../predictions/request.js';
import type { ErrorCode } from '../errors.js';

const envelopeSchema = z.looseObject({
  message: z.looseObject({
    data: z.string().optional(),
    messageId: z.string().min(1).optional(),
    message_id: z.string().min(1).optional(),
    publishTime: z.string().optional(),
    publish_time: z.string().optional(),
    attributes: z.record(z.string(), z.string()).nullish(),
  }),
  subscription: z.string().optional(),
  deliveryAttempt: z.number().int().optional(),
});

/** What could be read from the envelope, even when the message is rejected. */
export interface EnvelopeMeta {
  /** Pub/Sub messageId, or sha256 of the raw body when the envelope has none. */
  messageId: string;
  /** Pub/Sub publishTime normalised to ISO-8601 UTC (ms), or null when absent/invalid. */
  publishedAt: string | null;
  subscription: string | null;
  deliveryAttempt: number | null;
  playerLookup: string | null;
  gameDate: string | null;
}

export type DecodedPush =
  | { ok: true; meta: EnvelopeMeta; request: PredictionRequest }
  | { ok: false; meta: EnvelopeMeta; code: Extract<ErrorCode, 'PW_ERR_ENVELOPE' | 'PW_ERR_PAYLOAD'>; reason: string };

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;
const BASE64_URL = /^[A-Za-z0-9_-]*={0,2}$/;

export function bodyDigest(raw: Buffer | string): string {
  return createHash('sha256').update(raw).digest('hex');
}

/** Pub/Sub writes up to nanoseconds ("…:55.749123456Z"); keep milliseconds, always 'Z'. */
export function normalisePublishTime(value: string | undefined): string | null {
  if (!value) return null;
  const trimmed = value.replace(/(\.\d{3})\d+/, '$1');
  const ms = Date.parse(trimmed);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function firstIssue(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

export function decodePush(raw: Buffer | string | undefined): DecodedPush {
  const bytes = raw === undefined ? Buffer.alloc(0) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
  const meta: EnvelopeMeta = {
    messageId: bodyDigest(bytes),
    publishedAt: null,
    subscription: null,
    deliveryAttempt: null,
    playerLookup: null,
    gameDate: null,
  };
  const reject = (code: 'PW_ERR_ENVELOPE' | 'PW_ERR_PAYLOAD', reason: string): DecodedPush => ({ ok: false, meta, code, reason });

  if (bytes.length === 0) return reject('PW_ERR_ENVELOPE', 'empty body');
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    return reject('PW_ERR_ENVELOPE', 'body is not JSON');
  }
  const envelope = envelopeSchema.safeParse(body);
  if (!envelope.success) return reject('PW_ERR_ENVELOPE', firstIssue(envelope.error));
  const { message, subscription, deliveryAttempt } = envelope.data;
  const id = message.messageId ?? message.message_id;
  if (id) meta.messageId = id;
  meta.publishedAt = normalisePublishTime(message.publishTime ?? message.publish_time);
  meta.subscription = subscription ?? null;
  meta.deliveryAttempt = deliveryAttempt ?? null;

  if (!id) return reject('PW_ERR_ENVELOPE', 'message.messageId is missing');
  const data = message.data?.replace(/\s+/g, '');
  if (!data) return reject('PW_ERR_ENVELOPE', 'message.data is missing or empty');
  if (!BASE64.test(data) && !BASE64_URL.test(data)) return reject('PW_ERR_ENVELOPE', 'message.data is not base64');

  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(data, 'base64').toString('utf8'));
  } catch {
    return reject('PW_ERR_PAYLOAD', 'message.data does not decode to JSON');
  }
  if (payload !== null && typeof payload === 'object') {
    const p = payload as Record<string, unknown>;
    if (typeof p.player_lookup === 'string' && p.player_lookup.length <= 128) meta.playerLookup = p.player_lookup;
    if (calendarDate.safeParse(p.game_date).success) meta.gameDate = p.game_date as string;
  }
  const request = predictionRequestSchema.safeParse(payload);
  if (!request.success) return reject('PW_ERR_PAYLOAD', firstIssue(request.error));
  return { ok: true, meta, request: request.data };
}
