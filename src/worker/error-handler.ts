/**
 * @module worker/error-handler
 * The central error handler. PwErrors answer with their table status (a retryable one always
 * 503, so Pub/Sub redelivers); 4xx answers carry the message, 5xx answers only the code and a
 * bare phrase (details stay in the log, with method, url, params and query).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isPwError, describeError } from '../errors.js';

export function statusOf(err: unknown): number {
  if (isPwError(err)) return err.retryable ? 503 : err.statusCode;
  const status = (err as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

export function errorHandler(err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  const status = statusOf(err);
  const code = (err as { code?: string }).code;
  const context = { method: request.method, url: request.url, params: request.params, query: request.query, code, status };
  if (status >= 500) request.log.error({ ...context, err, reason: describeError(err) }, 'request failed');
  else request.log.warn({ ...context, reason: err.message }, 'request refused');
  const message = status >= 500 ? (status === 503 ? 'Service Unavailable' : 'Internal Server Error') : err.message;
  void reply.code(status).send({ statusCode: status, code, message });
}
