/**
 * @module worker/routes/jobs
 * POST /jobs/grade, /jobs/signals, /jobs/picks, /jobs/monitor: the post-game jobs over HTTP, for Cloud Scheduler
 * (plain JSON body) or a Pub/Sub push (envelope whose data is the same JSON), authenticated like
 * /predict. Body: `{ "game_date": "2026-02-10" | "today" | "yesterday" }` (`target_date` is
 * accepted too, the original grading trigger's field), plus `send`/`force` for picks and monitor.
 *
 * Answers: 200 + the job's summary; a bad body → 400 for a direct call but 200 (acknowledged,
 * with the reason) for a Pub/Sub push, which would otherwise redeliver it forever; a retryable
 * failure (storage, Slack) → 503 through the central error handler.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { isoDate } from '../../storage/tables/define.js';
import { CHAMPION_SYSTEM_ID } from '../../../config/registry.js';
import { runGradeJob, summarizeBySystem } from '../../jobs/grade-job.js';
import { runSignalsJob } from '../../jobs/signals-job.js';
import { runPicksJob } from '../../jobs/picks-job.js';
import { runMonitorJob } from '../../jobs/monitor-job.js';
import { todayIn } from '../slate-date.js';
import { addDays } from '../../jobs/format.js';

const jobBodySchema = z
  .object({
    game_date: z.union([isoDate, z.enum(['today', 'yesterday'])]).optional(),
    target_date: z.union([isoDate, z.enum(['today', 'yesterday'])]).optional(),
    send: z.boolean().default(false),
    force: z.boolean().default(false),
  })
  .refine((b) => b.game_date ?? b.target_date, { message: 'game_date is required' });

type JobBody = z.infer<typeof jobBodySchema>;

const envelopeSchema = z.object({ message: z.object({ data: z.string() }) });

/** The job body, from plain JSON or from a Pub/Sub envelope; `viaPubSub` decides how to refuse. */
function readJobBody(body: unknown): { ok: true; job: JobBody; viaPubSub: boolean } | { ok: false; reason: string; viaPubSub: boolean } {
  let payload: unknown = body ?? {};
  const envelope = envelopeSchema.safeParse(body);
  const viaPubSub = envelope.success;
  if (envelope.success) {
    try {
      payload = JSON.parse(Buffer.from(envelope.data.message.data, 'base64').toString('utf8'));
    } catch {
      return { ok: false, reason: 'message.data is not base64-encoded JSON', viaPubSub };
    }
  }
  const parsed = jobBodySchema.safeParse(payload);
  if (!parsed.success) {
    return { ok: false, reason: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '), viaPubSub };
  }
  return { ok: true, job: parsed.data, viaPubSub };
}

const jobsRoutes: FastifyPluginAsync = async (app: FastifyInstance) => {
  const { config } = app;

  function resolveDate(job: JobBody, now: Date): string {
    const value = (job.game_date ?? job.target_date)!;
    const today = todayIn(config.SLATE_TIME_ZONE, now);
    if (value === 'today') return today;
    if (value === 'yesterday') return addDays(today, -1);
    return value;
  }

  /** Systems that should have rows: the champion plus every enabled registry entry the worker knows. */
  function expectedSystemIds(): string[] {
    const ids = app.modelSet.status().filter((s) => s.enabled).map((s) => s.systemId);
    return ids.includes(CHAMPION_SYSTEM_ID) ? ids : [CHAMPION_SYSTEM_ID, ...ids];
  }

  function refuse(reply: FastifyReply, reason: string, viaPubSub: boolean) {
    return reply.code(viaPubSub ? 200 : 400).send({ ok: false, error: 'PW_ERR_JOB_INPUT', reason });
  }

  const options = { onRequest: [app.verifyPush] };

  app.post('/jobs/grade', options, async (request, reply) => {
    const body = readJobBody(request.body);
    if (!body.ok) return refuse(reply, body.reason, body.viaPubSub);
    const now = new Date();
    const gameDate = resolveDate(body.job, now);
    const result = await runGradeJob({ storage: app.storage, gameDate, now });
    request.log.info({ game_date: gameDate, rows: result.rowsWritten, ungraded: result.ungraded }, 'graded');
    return reply.send({
      ok: true,
      game_date: gameDate,
      rows_written: result.rowsWritten,
      ungraded: result.ungraded,
      systems: summarizeBySystem(await app.storage.accuracy.forRange(gameDate, gameDate), CHAMPION_SYSTEM_ID),
    });
  });

  app.post('/jobs/signals', options, async (request, reply) => {
    const body = readJobBody(request.body);
    if (!body.ok) return refuse(reply, body.reason, body.viaPubSub);
    const now = new Date();
    const gameDate = resolveDate(body.job, now);
    const result = await runSignalsJob({ storage: app.storage, gameDate, expectedSystemIds: expectedSystemIds(), now });
    request.log.info({ game_date: gameDate, systems: result.rows.length }, 'signals computed');
    return reply.send({ ok: true, game_date: gameDate, slate_games: result.slateGames, signals: result.rows });
  });

  app.post('/jobs/picks', options, async (request, reply) => {
    const body = readJobBody(request.body);
    if (!body.ok) return refuse(reply, body.reason, body.viaPubSub);
    const now = new Date();
    const gameDate = resolveDate(body.job, now);
    if (body.job.send && !config.SLACK_WEBHOOK_URL_SIGNALS) {
      return refuse(reply, 'send needs SLACK_WEBHOOK_URL_SIGNALS to be configured', body.viaPubSub);
    }
    const result = await runPicksJob({
      storage: app.storage,
      gameDate,
      primarySystemId: config.PRIMARY_ALERT_MODEL,
      webhookUrl: config.SLACK_WEBHOOK_URL_SIGNALS,
      send: body.job.send,
      force: body.job.force,
      now,
    });
    request.log.info({ game_date: gameDate, picks: result.picks.length, delivery: result.delivery }, 'picks');
    return reply.send({
      ok: true,
      game_date: gameDate,
      system_id: result.primarySystemId,
      delivery: result.delivery,
      picks: result.picks,
      alerts: result.alerts,
      signal: result.signal?.daily_signal ?? null,
    });
  });

  app.post('/jobs/monitor', options, async (request, reply) => {
    const body = readJobBody(request.body);
    if (!body.ok) return refuse(reply, body.reason, body.viaPubSub);
    const now = new Date();
    const gameDate = resolveDate(body.job, now);
    const result = await runMonitorJob({
      storage: app.storage,
      gameDate,
      championSystemId: CHAMPION_SYSTEM_ID,
      expectedSystemIds: expectedSystemIds(),
      // the registry the worker loaded (the same one expectedSystemIds reads), never a second copy
      trainingEndBySystem: Object.fromEntries(app.modelSet.status().flatMap((s) => (s.trainEnd ? [[s.systemId, s.trainEnd]] : []))),
      now,
      send: body.job.send,
      force: body.job.force,
      alertWebhookUrl: config.SLACK_WEBHOOK_URL_ALERTS,
      digestWebhookUrl: config.SLACK_WEBHOOK_URL_DIGEST,
      picksWebhookUrl: config.SLACK_WEBHOOK_URL_SIGNALS,
      reportUrl: config.REPORT_URL,
    });
    request.log.info({ game_date: gameDate, systems: result.rows.length, champion_alert: result.championAlert, digest: result.digest }, 'monitored');
    return reply.send({
      ok: true,
      game_date: gameDate,
      champion_alert: result.championAlert,
      digest: result.digest,
      rows: result.rows,
      verdicts: result.verdicts,
    });
  });
};

export default jobsRoutes;
