/**
 * Logging volume (issue 10): one log line per Pub/Sub message at info, not Fastify's two
 * per-request lines on top of the worker's own; other routes keep their request lines.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { cloudLoggingOptions } from '../../src/worker/logging.js';
import { HAVE_FIXTURES, SKIP_REASON, build, featureRow, postPush, pushBody, request, today } from './helper.js';

describe.skipIf(!HAVE_FIXTURES)(`log lines per message (${HAVE_FIXTURES ? 'fixtures found' : SKIP_REASON})`, () => {
  const date = today();

  async function withLog() {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({ write(chunk, _enc, cb) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>); cb(); } });
    const built = await build({ features: [featureRow('lebronjames', date)], logger: pino(cloudLoggingOptions('info'), sink) });
    return { ...built, lines };
  }

  it('a written message logs exactly one line: "prediction written" at info', async () => {
    const { app, lines } = await withLog();
    const before = lines.length;
    const res = await postPush(app, pushBody(request('lebronjames', date), { messageId: 'log-1' }));
    expect(res.statusCode).toBe(204);
    const mine = lines.slice(before);
    expect(mine.map((l) => [l.severity, l.message])).toEqual([['INFO', 'prediction written']]);
    expect(mine[0]).toMatchObject({ message_id: 'log-1', rows_written: 6 });
  });

  it('a rejected message logs exactly one line: "push rejected" at warning', async () => {
    const { app, lines } = await withLog();
    const before = lines.length;
    const res = await postPush(app, pushBody(request('lebronjames', 'not-a-date'), { messageId: 'log-2' }));
    expect(res.statusCode).toBe(200);
    expect(lines.slice(before).map((l) => [l.severity, l.message])).toEqual([['WARNING', 'push rejected']]);
  });

  it('other routes keep the request lines', async () => {
    const { app, lines } = await withLog();
    const before = lines.length;
    await app.inject({ method: 'GET', url: '/health' });
    expect(lines.slice(before).map((l) => l.message)).toEqual(['incoming request', 'request completed']);
  });
});
