/** postSlack against a local HTTP receiver: success, non-2xx, no answer, nobody listening. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { postSlack } from '../../src/picks/slack.js';
import { isPwError } from '../../src/errors.js';

const message = { text: 'hello', blocks: [] };
let server: Server | undefined;

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/secret-token`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

describe('postSlack', () => {
  it('POSTs the JSON payload', async () => {
    let got: { method?: string; type?: string; body: string } = { body: '' };
    const url = await listen((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        got = { method: req.method, type: req.headers['content-type'], body };
        res.end('ok');
      });
    });
    await postSlack(url, message);
    expect(got.method).toBe('POST');
    expect(got.type).toBe('application/json');
    expect(JSON.parse(got.body)).toEqual(message);
  });

  it('a non-2xx answer is a retryable PW_ERR_NOTIFY naming the status, not the secret path', async () => {
    const url = await listen((_req, res) => res.writeHead(404).end('no_service'));
    const err = await postSlack(url, message).catch((e: unknown) => e);
    expect(isPwError(err, 'PW_ERR_NOTIFY')).toBe(true);
    expect((err as { retryable: boolean }).retryable).toBe(true);
    expect((err as Error).message).toContain('HTTP 404 no_service');
    expect((err as Error).message).not.toContain('secret-token');
  });

  it('no answer within the timeout is PW_ERR_NOTIFY', async () => {
    const url = await listen(() => {
      /* never answers */
    });
    const err = await postSlack(url, message, { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(isPwError(err, 'PW_ERR_NOTIFY')).toBe(true);
    expect((err as Error).message).toContain('no answer within 100 ms');
  });

  it('nobody listening is PW_ERR_NOTIFY', async () => {
    const url = await listen(() => undefined);
    server!.close();
    const err = await postSlack(url, message).catch((e: unknown) => e);
    expect(isPwError(err, 'PW_ERR_NOTIFY')).toBe(true);
  });
});
