/**
 * The write check through the official client and the storage's wiring, against a local HTTP
 * server standing in for the BigQuery API (127.0.0.1 only; nothing reaches Google): the request
 * the client makes for tables.testIamPermissions, the tables and datasets the storage asks
 * about, and how the answer decides.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isPwError } from '../../errors.js';
import { createBigQueryStorage } from './bigquery-storage.js';

interface Seen {
  method: string;
  path: string;
  body: unknown;
}

/** A server answering testIamPermissions with `grant(path)` permissions; records every request. */
async function fakeApi(grant: (path: string) => string[]) {
  const seen: Seen[] = [];
  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => resolve(text));
    });
  const server = createServer(async (req, res) => {
    const text = await read(req);
    const path = (req.url ?? '').split('?')[0]!;
    seen.push({ method: req.method ?? '', path, body: text ? JSON.parse(text) : null });
    const asked = (text ? (JSON.parse(text) as { permissions?: string[] }).permissions : undefined) ?? [];
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ permissions: asked.filter((p) => grant(path).includes(p)) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe('BigQueryStorage.checkWrite through the official client', () => {
  it("asks testIamPermissions(updateData) on the push path's tables in the worker dataset; passes when granted", async () => {
    const api = await fakeApi(() => ['bigquery.tables.updateData']);
    const storage = createBigQueryStorage({ projectId: 'p', apiEndpoint: api.endpoint, writeCheck: 'iam', maxRetries: 0 });
    await expect(storage.checkWrite()).resolves.toBeUndefined();
    await storage.close();
    expect(api.seen.map((s) => `${s.method} ${s.path}`).sort()).toEqual([
      'POST /bigquery/v2/projects/p/datasets/prediction_worker/tables/player_prop_predictions:testIamPermissions',
      'POST /bigquery/v2/projects/p/datasets/prediction_worker/tables/prediction_request_outcomes:testIamPermissions',
    ]);
    for (const s of api.seen) expect(s.body).toEqual({ permissions: ['bigquery.tables.updateData'] });
  });

  it('fails with PW_ERR_SINK_WRITE when the account may only read the outcomes table', async () => {
    const api = await fakeApi((path) => (path.includes('prediction_request_outcomes') ? ['bigquery.tables.getData'] : ['bigquery.tables.updateData']));
    const storage = createBigQueryStorage({ projectId: 'p', apiEndpoint: api.endpoint, writeCheck: 'iam', maxRetries: 0 });
    const err = await storage.checkWrite().then(() => undefined, (e: unknown) => e);
    await storage.close();
    expect(isPwError(err, 'PW_ERR_SINK_WRITE')).toBe(true);
    expect((err as Error).message).toContain('prediction_worker.prediction_request_outcomes');
  });

  it('with an emulator endpoint and no explicit mode it makes no request (emulators have no IAM)', async () => {
    const api = await fakeApi(() => []);
    const storage = createBigQueryStorage({ projectId: 'p', apiEndpoint: api.endpoint, maxRetries: 0 });
    await expect(storage.checkWrite()).resolves.toBeUndefined();
    await storage.close();
    expect(api.seen).toEqual([]);
  });
});
