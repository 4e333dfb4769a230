/**
 * `nba_predictions.prediction_request_outcomes`: exactly one outcome per Pub/Sub message
 * (incident 10.18: batches stalled because skipped players never reported). Messages that can
 * never succeed are acknowledged and kept here, raw, with their reason: nothing is lost.
 */
import { col, defineTable, type RowOf } from './define.js';

export const OUTCOMES = ['written', 'rejected'] as const;
export const RAW_ENCODINGS = ['utf8', 'base64'] as const;

export const requestOutcomesTable = defineTable({
  dataset: 'nba_predictions',
  name: 'prediction_request_outcomes',
  description: 'One row per Pub/Sub message: written (rows stored) or rejected (acknowledged, kept with the reason).',
  columns: {
    message_id: col.string('Pub/Sub messageId, or sha256 of the raw body when the envelope has none'),
    outcome: col.enum(OUTCOMES, 'Final outcome of the message'),
    reason_code: col.string('PW_ERR_* code for rejected messages').nullable(),
    reason: col.string('Human-readable reason').nullable(),
    player_lookup: col.string('From the payload, when it could be read').nullable(),
    game_date: col.date('From the payload, when it could be read').nullable(),
    rows_written: col.int('Prediction rows written for this message'),
    systems: col.strings('system_ids that produced a row'),
    failed_systems: col.strings('system_ids that failed for this message (with reasons in the log)'),
    subscription: col.string('Push subscription').nullable(),
    delivery_attempt: col.int('Pub/Sub deliveryAttempt').nullable(),
    raw_message: col.string('The raw request body (truncated to 64 KiB) for rejected messages').nullable(),
    received_at: col.timestamp('When the worker received the message'),
    payload_digest: col.string('sha256 (hex) of the message payload bytes: a redelivery has the same, a reused id with another payload does not').nullable(),
    raw_message_encoding: col.enum(RAW_ENCODINGS, 'How raw_message holds the body: utf8 text, or base64 of the exact bytes when they are not valid UTF-8 (null = utf8)').nullable(),
  },
  key: ['message_id'],
});

export type RequestOutcomeRow = RowOf<typeof requestOutcomesTable>;
