/**
 * @module worker/routes/predictions
 * GET /predictions?game_date=D[&system_id=X][&all=true]: stored rows as JSON lines, the same as
 * `cli predictions list`. It exists because the running worker owns the embedded database file
 * (DuckDB allows one read-write process), so while it runs this is how to look at its rows.
 * Current rows follow the one current-row rule; `all=true` includes superseded rows.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { isoDate } from '../../storage/tables/define.js';

const querySchema = z.object({
  game_date: isoDate,
  system_id: z.string().min(1).optional(),
  all: z.enum(['true', 'false']).default('false'),
});

const predictionsRoute: FastifyPluginAsync = async (app) => {
  app.get('/predictions', async (request, reply) => {
    const query = querySchema.safeParse(request.query);
    if (!query.success) {
      return reply.code(400).send({ error: 'PW_ERR_JOB_INPUT', reason: query.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    }
    const { game_date, system_id, all } = query.data;
    const systems = system_id ? [system_id] : undefined;
    const rows =
      all === 'true'
        ? (await app.storage.predictions.allPredictions(game_date)).filter((r) => !systems || systems.includes(r.system_id))
        : await app.storage.predictions.currentPredictions(game_date, systems);
    reply.type('application/x-ndjson');
    return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
  });
};

export default predictionsRoute;
