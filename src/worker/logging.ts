/**
 * @module worker/logging
 * Cloud Logging's structured-log format for pino: `severity` (not pino's numeric `level`),
 * `message` (not `msg`), ISO time, and the request's trace as `logging.googleapis.com/trace`
 * so every line of a request groups under its trace in the console.
 */
import { LogController, type FastifyBaseLogger } from 'fastify';
import type { LoggerOptions } from 'pino';

const SEVERITY: Record<string, string> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

export function cloudLoggingOptions(level: string): LoggerOptions {
  return {
    level,
    messageKey: 'message',
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    formatters: {
      level: (label) => ({ severity: SEVERITY[label] ?? 'DEFAULT' }),
    },
  };
}

/**
 * Bindings for a request's child logger from `X-Cloud-Trace-Context: TRACE_ID/SPAN_ID;o=1`.
 * Cloud Logging wants `projects/<project>/traces/<trace>`; without a project id the bare trace
 * id is kept (still searchable).
 */
export function traceBindings(header: string | string[] | undefined, projectId: string | undefined): Record<string, string> | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const match = /^([0-9a-fA-F]{1,64})(?:\/(\d+))?/.exec(value);
  if (!match) return undefined;
  const trace = projectId ? `projects/${projectId}/traces/${match[1]}` : match[1]!;
  const bindings: Record<string, string> = { 'logging.googleapis.com/trace': trace };
  if (match[2]) bindings['logging.googleapis.com/spanId'] = match[2];
  return bindings;
}

/**
 * Fastify's per-request lines ("incoming request", "request completed") for every route but
 * POST /predict: a push logs exactly one line itself (handle-push: "prediction written" at info,
 * or "push rejected" / the error handler's line), since three lines per message cost 6–11 % of a
 * request's CPU at push rates (issue 10).
 */
export function requestLogController(): LogController {
  return new LogController({
    disableRequestLogging: (req: object) => {
      const { method, url } = req as { method?: string; url?: string };
      return method === 'POST' && (url === '/predict' || url?.startsWith('/predict?') === true);
    },
  });
}

/** The three levels a push logs at. */
export type LineLogger = Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;

/**
 * What `log.child(bindings)` would log, without building a child per push (issue 10: two pino
 * children per push cost ~45 µs of event-loop CPU; pino's `child` → `setLevel` is the costly part).
 * Each call puts `bindings` first in the line's object, so the line carries the same fields in
 * the same order as a child's would (pino writes a child's bindings right before the object's
 * own fields). Only string-valued bindings are inlined, and only well-formed ones: pino writes an
 * object's short strings without escaping a lone surrogate, a child's bindings with it, so for
 * such a value (hostile input) the real child is used and the bytes stay the same.
 * Shapes: `bindings` field → string | null; `obj` must not repeat a binding's key.
 */
export function lineLogger(log: FastifyBaseLogger, bindings: Readonly<Record<string, string | null>>): LineLogger {
  for (const key in bindings) {
    const value = bindings[key];
    if (typeof value === 'string' && !(value as unknown as { isWellFormed(): boolean }).isWellFormed()) return log.child(bindings);
  }
  return {
    info: (obj: object, msg?: string) => log.info({ ...bindings, ...obj }, msg),
    warn: (obj: object, msg?: string) => log.warn({ ...bindings, ...obj }, msg),
    error: (obj: object, msg?: string) => log.error({ ...bindings, ...obj }, msg),
  } as LineLogger;
}
