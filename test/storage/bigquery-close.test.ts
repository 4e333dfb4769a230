/**
 * BigQuery storage closed while a push's write is half-way (its prediction rows waiting in the
 * insert batcher, its outcome not yet sent): the write was accepted before close, so close lets it
 * finish; it must not store the predictions and then refuse the outcome (a 503 whose rows are
 * stored anyway). A local stand-in for insertAll on 127.0.0.1 records the tables written.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBigQueryStorage } from '../../src/storage/bigquery/index.js';
import { sampleOutcomeRow, samplePredictionRow } from '../../src/storage/sample-rows.js';

process.env.METADATA_SERVER_DETECTION = 'none';
process.env.GCE_METADATA_HOST = '127.0.0.1:1';

describe('bigquery storage, close during a write', () => {
  const inserted: string[] = [];
  let server: Server;
  let endpoint: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const table = /\/tables\/([^/?]+)\/insertAll/.exec(req.url ?? '')?.[1];
        if (table) inserted.push(table);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ kind: 'bigquery#tableDataInsertAllResponse' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('a write accepted before close is completed (predictions and outcome), not refused after its predictions were stored', async () => {
    const storage = createBigQueryStorage({ projectId: 'pw-test', apiEndpoint: endpoint, location: 'US', maxRetries: 0 });
    const write = storage.predictions.write([samplePredictionRow()], sampleOutcomeRow()).then(
      () => 'stored',
      (e: unknown) => e,
    );
    await storage.close(); // begins while the prediction rows wait in the batcher
    // Both inserts were sent before close resolved (nothing goes out after it), and the write succeeded.
    expect([...inserted].sort()).toEqual(['player_prop_predictions', 'prediction_request_outcomes']);
    expect(await write).toBe('stored');
    // A write that starts after close is refused before anything is sent.
    const late = await storage.predictions.write([samplePredictionRow()], sampleOutcomeRow()).then(() => null, (e: unknown) => e as { code?: string });
    expect(late?.code).toBe('PW_ERR_SINK_WRITE');
    expect(inserted).toHaveLength(2);
  });
});
