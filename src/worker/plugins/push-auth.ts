/**
 * @module worker/plugins/push-auth
 * Decorates `verifyPush`, an onRequest hook for POST /predict that authenticates Pub/Sub push:
 * `Authorization: Bearer <Google-signed OIDC token>` verified with google-auth-library
 * (signature against Google's certificates, expiry, issuer, audience = PUSH_AUDIENCE), then
 * `email` must be a verified address listed in PUSH_SERVICE_ACCOUNTS.
 *
 * Token edges (issue 7, class 12): the only accepted algorithm is RS256 (what Google signs push
 * tokens with; the header's `alg` is checked before the library, which would also take ES256);
 * a token whose `nbf` is in the future is refused (the library checks iat and exp only). The
 * accepted clock skew is PUSH_TOKEN_CLOCK_SKEW_SECONDS (300 s, google-auth-library's own
 * CLOCK_SKEW_SECS_) for iat, exp and nbf alike.
 *
 * Missing or invalid token → 401 (PW_ERR_AUTH); valid token of another account → 403
 * (PW_ERR_FORBIDDEN). Fails closed: any verification error refuses the request. Auth failures
 * are not recorded as request outcomes: an unauthenticated caller is not Pub/Sub.
 * PUSH_AUTH=off (local mode only) turns the hook into a no-op and logs a warning at start.
 * PUSH_AUTH_CERTS_URL points the client at other PEM certificates (tests sign tokens locally).
 */
import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { OAuth2Client } from 'google-auth-library';
import { PwError, describeError, pwError } from '../../errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    verifyPush: (request: FastifyRequest) => Promise<void>;
  }
}

export interface PushAuthPluginOptions {
  /** A pre-built client (tests); by default one is made from config. */
  oauthClient?: OAuth2Client | undefined;
}

/** Clock skew accepted on iat/exp (google-auth-library's CLOCK_SKEW_SECS_) and on nbf (here). */
export const PUSH_TOKEN_CLOCK_SKEW_SECONDS = 300;
/** The only JWT algorithm accepted for push tokens. */
export const PUSH_TOKEN_ALGORITHM = 'RS256';

/** The JOSE header's `alg` of a compact JWT, or undefined when unreadable. */
export function tokenAlgorithm(token: string): string | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0 || dot > 4096) return undefined;
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8')) as { alg?: unknown };
    return typeof header.alg === 'string' ? header.alg : undefined;
  } catch {
    return undefined;
  }
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

export default fp<PushAuthPluginOptions>(
  async (app, opts) => {
    const config = app.config;
    if (config.PUSH_AUTH === 'off') {
      app.log.warn('PUSH_AUTH=off: POST /predict accepts unauthenticated requests (local mode only)');
      app.decorate('verifyPush', async () => {});
      return;
    }
    const audience = config.PUSH_AUDIENCE;
    const allowed = new Set(config.PUSH_SERVICE_ACCOUNTS ?? []);
    if (!audience) throw pwError('PW_ERR_CONFIG', 'PUSH_AUDIENCE is required when PUSH_AUTH=on');
    if (allowed.size === 0) throw pwError('PW_ERR_CONFIG', 'PUSH_SERVICE_ACCOUNTS is required when PUSH_AUTH=on');
    const client =
      opts.oauthClient ??
      new OAuth2Client(
        config.PUSH_AUTH_CERTS_URL ? { endpoints: { oauth2FederatedSignonPemCertsUrl: config.PUSH_AUTH_CERTS_URL } } : {},
      );
    app.log.info({ audience, service_accounts: [...allowed] }, 'push authentication on');

    app.decorate('verifyPush', async (request: FastifyRequest) => {
      const token = bearerToken(request.headers.authorization);
      if (!token) throw pwError('PW_ERR_AUTH', 'missing Authorization: Bearer token');
      const alg = tokenAlgorithm(token);
      if (alg !== PUSH_TOKEN_ALGORITHM) throw pwError('PW_ERR_AUTH', `token algorithm ${alg ?? '(unreadable)'} is not accepted (${PUSH_TOKEN_ALGORITHM} only)`);
      let payload;
      try {
        payload = (await client.verifyIdToken({ idToken: token, audience })).getPayload();
      } catch (err) {
        // The library's messages end with the token or its payload; keep only the reason.
        const reason = (err instanceof Error ? err.message : String(err)).split(':')[0]!.slice(0, 120);
        request.log.debug({ reason: describeError(err) }, 'push token refused');
        throw new PwError('PW_ERR_AUTH', { cause: err }, reason);
      }
      if (!payload) throw pwError('PW_ERR_AUTH', 'token has no payload');
      const nbf = (payload as { nbf?: unknown }).nbf;
      if (nbf !== undefined && (typeof nbf !== 'number' || nbf > Date.now() / 1000 + PUSH_TOKEN_CLOCK_SKEW_SECONDS)) {
        throw pwError('PW_ERR_AUTH', `token not valid before ${typeof nbf === 'number' ? new Date(nbf * 1000).toISOString() : String(nbf)}`);
      }
      if (!payload.email || payload.email_verified !== true || !allowed.has(payload.email)) {
        throw pwError('PW_ERR_FORBIDDEN', `${payload.email ?? '(no email)'} is not an allowed push service account`);
      }
    });
  },
  { name: 'push-auth', dependencies: ['config'], fastify: '5.x' },
);
