/**
 * The main path over a real listening socket (not inject): fetch → Fastify → rows in storage.
 */
import { describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { HAVE_FIXTURES, SKIP_REASON, build, featureRow, pushBody, request, today } from './helper.js';

describe.skipIf(!HAVE_FIXTURES)(`real port (${HAVE_FIXTURES ? 'fixtures found' : SKIP_REASON})`, () => {
  it('serves /health, /ready and POST /predict over HTTP', async () => {
    const date = today();
    const { app, storage, modelSet } = await build({ features: [featureRow('lebronjames', date)] });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    const res = await fetch(`${base}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-cloud-trace-context': '105445aa7843bc8bf206b12000100000/1;o=1' },
      body: pushBody(request('lebronjames', date), { messageId: 'm-http' }),
    });
    expect(res.status).toBe(204);
    expect(await storage.predictions.allPredictions(date)).toHaveLength(modelSet.loaded.length);
    const garbage = await fetch(`${base}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' });
    expect(garbage.status).toBe(200);
    expect(await garbage.json()).toMatchObject({ outcome: 'rejected', reason_code: 'PW_ERR_ENVELOPE' });
  });
});
