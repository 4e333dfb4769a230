/**
 * @module worker/routes/health
 * GET /health: liveness, no I/O (the process answers). GET /ready: 200 only when the champion is
 * loaded AND storage answers a ping AND the write path works: the storage's active write check
 * passes (run at most every WRITE_CHECK_TTL_MS) and the last storage write did not fail
 * (worker/write-health.ts); otherwise 503 with the reasons (incident 10.22: the old
 * readiness check looked at a model that was not the one serving).
 */
import type { FastifyPluginAsync } from 'fastify';
import { CHAMPION_SYSTEM_ID } from '../../../config/registry.js';
import { describeError } from '../../errors.js';

/** /ready does not wait longer than this for storage. */
export const READY_PING_TIMEOUT_MS = 2_000;

const healthRoutes: FastifyPluginAsync = async (app) => {
  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/ready', async (_request, reply) => {
    const reasons: string[] = [];
    const champion = app.modelSet.champion;
    if (!champion) {
      const status = app.modelSet.status().find((s) => s.role === 'champion');
      reasons.push(`champion ${CHAMPION_SYSTEM_ID} not loaded${status?.error ? `: ${status.error}` : ''}`);
    }
    try {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${READY_PING_TIMEOUT_MS} ms`)), READY_PING_TIMEOUT_MS);
      });
      await Promise.race([app.storage.ping(), timeout]).finally(() => clearTimeout(timer));
    } catch (err) {
      reasons.push(`storage ${app.storage.kind} unreachable: ${describeError(err)}`);
    }
    let writes = app.writeHealth.state();
    try {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${READY_PING_TIMEOUT_MS} ms`)), READY_PING_TIMEOUT_MS);
      });
      writes = await Promise.race([app.writeHealth.check(), timeout]).finally(() => clearTimeout(timer));
    } catch (err) {
      reasons.push(`storage ${app.storage.kind} write check: ${describeError(err)}`);
    }
    if (!writes.healthy) {
      reasons.push(`storage ${app.storage.kind} write failed at ${writes.failedAt}: ${writes.error} (ready again after the next successful write)`);
    }
    const body = {
      status: reasons.length === 0 ? 'ready' : 'not_ready',
      reasons,
      champion: champion ? { system_id: champion.systemId, sha256: champion.predictor.sha256, loaded_at: champion.loadedAt } : null,
      storage: app.storage.kind,
      build_commit: app.config.BUILD_COMMIT,
    };
    return reply.code(reasons.length === 0 ? 200 : 503).send(body);
  });
};

export default healthRoutes;
