/**
 * @module worker/routes/predict
 * POST /predict: the Pub/Sub push endpoint. Bodies are taken as raw bytes whatever their
 * content type (a garbage body must be recorded, not refused by a parser with a 4xx that Pub/Sub
 * would retry forever). 204 = written, 200 + JSON = rejected and recorded, 503 = retry.
 *
 * Body size: the route accepts up to HARD_BODY_LIMIT_BYTES (above anything Pub/Sub can push) so
 * that a body over MAX_BODY_BYTES can still be read, recorded under its messageId and
 * acknowledged. A body over the hard limit is refused by fastify before it is read; that error
 * is acknowledged and recorded too (under a digest of the request, since no messageId is known).
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { handlePush, recordRejection } from '../handle-push.js';
import { errorHandler } from '../error-handler.js';
import { bodyDigest } from '../envelope.js';
import { batchedOutcomeLookup } from '../outcome-lookup.js';
import { messageGate } from '../message-gate.js';

/** Pub/Sub messages are at most 10 MB; base64 inside JSON makes that ~13.4 MB. */
export const HARD_BODY_LIMIT_BYTES = 16 * 1024 * 1024;

export interface PredictRouteOptions {
  hardBodyLimit?: number;
}

const predictRoute: FastifyPluginAsync<PredictRouteOptions> = async (app: FastifyInstance, opts) => {
  const hardLimit = Math.max(opts.hardBodyLimit ?? HARD_BODY_LIMIT_BYTES, app.config.MAX_BODY_BYTES);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: hardLimit }, (_request, body, done) => {
    done(null, body);
  });

  app.setErrorHandler(async (err, request, reply) => {
    if ((err as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const receivedAt = new Date();
      const length = request.headers['content-length'] ?? 'unknown';
      const result = await recordRejection(
        app.storage,
        {
          messageId: bodyDigest(`oversized:${request.id}:${receivedAt.toISOString()}:${length}`),
          publishedAt: null,
          subscription: null,
          deliveryAttempt: null,
          playerLookup: null,
          gameDate: null,
          payloadDigest: null,
          wrapped: true,
          notes: [],
        },
        Buffer.alloc(0),
        'PW_ERR_ENVELOPE',
        `body of ${length} bytes exceeds the hard limit of ${hardLimit} bytes; not read`,
        receivedAt,
      ).catch((recordErr: unknown) => (recordErr instanceof Error ? recordErr : new Error(String(recordErr))));
      if (result instanceof Error) return errorHandler(result, request, reply);
      request.log.warn({ reason_code: result.reasonCode, reason: result.reason }, 'push rejected');
      return reply.code(200).send({ outcome: 'rejected', message_id: result.messageId, reason_code: result.reasonCode, reason: result.reason });
    }
    return errorHandler(err instanceof Error ? err : new Error(String(err)), request, reply);
  });

  // A body without a content type, or with one fastify cannot parse ("}{", "a/b; ="), would be
  // refused with 415 before it is read: every body is read as bytes, whatever it claims to be.
  // (No-wrapper pushes from the Pub/Sub emulator even say application/x-www-form-urlencoded.)
  // (A callback hook: no promise and microtask per push.)
  const anyContentType = (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
    request.headers['content-type'] = 'application/octet-stream';
    done();
  };

  // One batched outcome lookup per app: concurrent pushes share a query (worker/outcome-lookup.ts).
  const findOutcome = batchedOutcomeLookup(app.storage.outcomes);
  // One gate per app: a push whose message id is in flight waits for it (worker/message-gate.ts).
  const gate = messageGate();

  app.post('/predict', { bodyLimit: hardLimit, onRequest: [app.verifyPush, anyContentType] }, async (request, reply) => {
    const body = request.body;
    const raw = Buffer.isBuffer(body) ? body : body === undefined || body === null ? undefined : Buffer.from(String(body));
    const result = await handlePush(
      { config: app.config, storage: app.storage, modelSet: app.modelSet, slate: app.featureSlate, log: request.log, headers: request.headers, findOutcome, gate },
      raw,
    );
    if (result.outcome === 'written') return reply.code(204).send();
    return reply.code(200).send({ outcome: 'rejected', message_id: result.messageId, reason_code: result.reasonCode, reason: result.reason });
  });
};

export default predictRoute;
