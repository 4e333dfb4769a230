/**
 * CI suite (issue 7, class 6): real Pub/Sub emulator deliveries into the worker, listening on
 * 127.0.0.1, for a wrapped push subscription and a no-wrapper one with "write metadata": every
 * published payload ends as rows, with the emulator's own message ids. Needs `gcloud` with the
 * pubsub-emulator component; skipped (with a line on stderr) where it is missing, since the
 * emulator is not one of .ci/services.sh's services.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyDigest } from '../../src/worker/envelope.js';
import { FIXTURE_MODELS, build, featureRow, freePort, request, today, type Built } from '../worker/helper.js';

const hasGcloud = spawnSync('gcloud', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasGcloud) process.stderr.write('pubsub-emulator-push: gcloud not found, suite skipped\n');


const date = today();
const PLAYERS = ['p_one', 'p_two', 'p_three', 'p_four'];
let emulator: ChildProcess | undefined;
let api = '';
let built: Built;

async function call(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${api}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

describe.skipIf(!hasGcloud)('Pub/Sub emulator push deliveries', () => {
  beforeAll(async () => {
    const port = await freePort();
    // Own process group, so the gcloud → python → java tree is stopped as a whole.
    emulator = spawn('gcloud', ['beta', 'emulators', 'pubsub', 'start', `--host-port=127.0.0.1:${port}`, '--project=pw-ci'], { detached: true, stdio: 'ignore' });
    api = `http://127.0.0.1:${port}/v1/projects/pw-ci`;
    for (let i = 0; i < 120; i++) {
      try {
        if ((await fetch(`${api}/topics`)).ok) break;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }, 120_000);

  afterAll(async () => {
    if (!emulator?.pid) return;
    const group = emulator.pid;
    const exited = new Promise((r) => emulator!.once('exit', r));
    try {
      process.kill(-group, 'SIGTERM');
    } catch {
      return; // already gone
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    try {
      process.kill(-group, 'SIGKILL'); // the JVM, if it outlived gcloud
    } catch {
      // all gone
    }
  });

  it('wrapped and no-wrapper subscriptions both end in rows, under the emulator ids', async () => {
    built = await build({ features: PLAYERS.map((p) => featureRow(p, date)) });
    await built.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = built.app.server.address() as AddressInfo;
    const endpoint = `http://127.0.0.1:${port}/predict`;
    expect((await call('PUT', '/topics/requests')).ok).toBe(true);
    const subs = [
      ['wrapped', { pushEndpoint: endpoint }],
      ['nowrap', { pushEndpoint: endpoint, noWrapper: { writeMetadata: true } }],
    ] as const;
    for (const [name, pushConfig] of subs) {
      const res = await call('PUT', `/subscriptions/${name}`, { topic: 'projects/pw-ci/topics/requests', pushConfig, ackDeadlineSeconds: 10 });
      expect(res.ok, await res.text()).toBe(true);
    }
    const payloads = PLAYERS.map((p) => JSON.stringify(request(p, date)));
    const published = (await (await call('POST', '/topics/requests:publish', { messages: payloads.map((p) => ({ data: Buffer.from(p).toString('base64'), attributes: { source: 'ci' } })) })).json()) as { messageIds: string[] };
    expect(published.messageIds).toHaveLength(PLAYERS.length);

    // Each message reaches both subscriptions with the same id and payload: one set of rows.
    let rows = await built.storage.predictions.allPredictions(date);
    for (let i = 0; i < 120 && rows.length < PLAYERS.length * FIXTURE_MODELS.length; i++) {
      await new Promise((r) => setTimeout(r, 250));
      rows = await built.storage.predictions.allPredictions(date);
    }
    expect(rows).toHaveLength(PLAYERS.length * FIXTURE_MODELS.length);
    expect(new Set(rows.map((r) => r.message_id))).toEqual(new Set(published.messageIds));
    const outcomes = await built.storage.outcomes.findMany(published.messageIds);
    expect(outcomes).toHaveLength(PLAYERS.length);
    for (const o of outcomes) {
      expect(o.outcome).toBe('written');
      expect(o.payload_digest).toBe(bodyDigest(payloads[PLAYERS.indexOf(o.player_lookup!)]!));
    }
    expect(await built.storage.outcomes.rejected()).toEqual([]);
  }, 90_000);
});
