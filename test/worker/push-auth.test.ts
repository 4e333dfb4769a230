/**
 * Push authentication with PUSH_AUTH=on: tokens are signed locally (RS256) and the verifier
 * fetches its PEM certificates from a local server (PUSH_AUTH_CERTS_URL), exactly the path
 * google-auth-library takes with Google's certificates. No Google host is contacted.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSign, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_FIXTURES, SKIP_REASON, build, featureRow, postPush, pushBody, request, today } from './helper.js';

const AUDIENCE = 'https://prediction-worker.example.run.app/predict';
const PUSHER = 'pubsub-push@test-project.iam.gserviceaccount.com';
const KID = 'test-key-1';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
/** An EC key the certificate server also publishes: a validly signed ES256 token (issue 7). */
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const EC_KID = 'test-ec-key';

function signEs256(claims: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'ES256', typ: 'JWT', kid: EC_KID };
  const payload = { iss: 'https://accounts.google.com', aud: AUDIENCE, email: PUSHER, email_verified: true, sub: '1234', iat: now, exp: now + 3600, ...claims };
  const signingInput = `${b64url(header)}.${b64url(payload)}`;
  const signature = createSign('SHA256').update(signingInput).sign({ key: ec.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  return `${signingInput}.${signature}`;
}

const b64url = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');

function signToken(claims: Record<string, unknown>, key = privateKey, kid = KID): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'RS256', typ: 'JWT', kid };
  const payload = { iss: 'https://accounts.google.com', aud: AUDIENCE, email: PUSHER, email_verified: true, sub: '1234', iat: now, exp: now + 3600, ...claims };
  const signingInput = `${b64url(header)}.${b64url(payload)}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(key).toString('base64url');
  return `${signingInput}.${signature}`;
}

let certServer: Server;
let certsUrl = '';

beforeAll(async () => {
  certServer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=3600' });
    res.end(JSON.stringify({ [KID]: publicKey.export({ type: 'spki', format: 'pem' }), [EC_KID]: ec.publicKey.export({ type: 'spki', format: 'pem' }) }));
  });
  await new Promise<void>((r) => certServer.listen(0, '127.0.0.1', r));
  certsUrl = `http://127.0.0.1:${(certServer.address() as AddressInfo).port}/certs`;
});
afterAll(async () => {
  await new Promise((r) => certServer.close(r));
});

describe.skipIf(!HAVE_FIXTURES)(`push authentication (${HAVE_FIXTURES ? 'fixtures found' : SKIP_REASON})`, () => {
  const date = today();
  const player = 'lebronjames';
  const setup = () =>
    build({
      env: { PUSH_AUTH: 'on', PUSH_AUDIENCE: AUDIENCE, PUSH_SERVICE_ACCOUNTS: `other@x.iam.gserviceaccount.com, ${PUSHER}`, PUSH_AUTH_CERTS_URL: certsUrl },
      features: [featureRow(player, date)],
    });

  const now = Math.floor(Date.now() / 1000);
  const refused: Array<{ name: string; header?: string; status: number; code: string }> = [
    { name: 'no Authorization header', status: 401, code: 'PW_ERR_AUTH' },
    { name: 'not a bearer token', header: 'Basic dXNlcjpwYXNz', status: 401, code: 'PW_ERR_AUTH' },
    { name: 'garbage token', header: 'Bearer not.a.jwt', status: 401, code: 'PW_ERR_AUTH' },
    { name: 'expired token', header: `Bearer ${signToken({ iat: now - 7200, exp: now - 3600 })}`, status: 401, code: 'PW_ERR_AUTH' },
    { name: 'wrong audience', header: `Bearer ${signToken({ aud: 'https://someone-else.example' })}`, status: 401, code: 'PW_ERR_AUTH' },
    { name: 'signed by another key', header: `Bearer ${signToken({}, other.privateKey)}`, status: 401, code: 'PW_ERR_AUTH' },
    { name: 'wrong issuer', header: `Bearer ${signToken({ iss: 'https://evil.example' })}`, status: 401, code: 'PW_ERR_AUTH' },
    { name: 'another service account', header: `Bearer ${signToken({ email: 'intruder@x.iam.gserviceaccount.com' })}`, status: 403, code: 'PW_ERR_FORBIDDEN' },
    { name: 'unverified email', header: `Bearer ${signToken({ email_verified: false })}`, status: 403, code: 'PW_ERR_FORBIDDEN' },
    // Issue 7, class 12: token edges.
    { name: 'nbf in the future (beyond the 300 s skew)', header: `Bearer ${signToken({ nbf: now + 900 })}`, status: 401, code: 'PW_ERR_AUTH' },
    { name: 'a valid ES256 signature (RS256 only)', header: `Bearer ${signEs256({})}`, status: 401, code: 'PW_ERR_AUTH' },
    { name: 'alg none', header: `Bearer ${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ aud: AUDIENCE, email: PUSHER })}.`, status: 401, code: 'PW_ERR_AUTH' },
  ];

  for (const c of refused) {
    it(`${c.name} → ${c.status}, nothing recorded or written`, async () => {
      const { app, storage } = await setup();
      const res = await postPush(app, pushBody(request(player, date)), c.header ? { authorization: c.header } : {});
      expect(res.statusCode).toBe(c.status);
      expect(res.json()).toMatchObject({ code: c.code });
      expect(await storage.outcomes.rejected()).toHaveLength(0);
      expect(await storage.predictions.allPredictions(date)).toHaveLength(0);
    });
  }

  it('a valid token from an allowed service account → 204 and rows written', async () => {
    const { app, storage } = await setup();
    const res = await postPush(app, pushBody(request(player, date)), { authorization: `Bearer ${signToken({})}` });
    expect(res.statusCode).toBe(204);
    expect((await storage.predictions.allPredictions(date)).length).toBeGreaterThan(0);
  });

  it('nbf within the accepted clock skew (or in the past) is accepted', async () => {
    const { app } = await setup();
    const t = Math.floor(Date.now() / 1000);
    expect((await postPush(app, pushBody(request(player, date), { messageId: 'm-nbf-1' }), { authorization: `Bearer ${signToken({ nbf: t + 60 })}` })).statusCode).toBe(204);
    expect((await postPush(app, pushBody(request(player, date), { messageId: 'm-nbf-2' }), { authorization: `Bearer ${signToken({ nbf: t - 60 })}` })).statusCode).toBe(204);
  });

  it('health and readiness stay open without a token', async () => {
    const { app } = await setup();
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
  });

  it('refuses to start with PUSH_AUTH=on and no allowed service account (fails closed)', async () => {
    await expect(build({ env: { PUSH_AUTH: 'on', PUSH_AUDIENCE: AUDIENCE, PUSH_AUTH_CERTS_URL: certsUrl } })).rejects.toThrow(/PUSH_SERVICE_ACCOUNTS/);
  });
});
