/**
 * @module cli/cloud-run-admin
 * `registry promote|rollback --apply`: update the Cloud Run service's champion variables through
 * the Cloud Run Admin API v2 (PATCH services/<name>, a long-running operation) and wait until the
 * new revision is ready and serving. The rules (which variables, what "ready" means) are pure in
 * src/lifecycle/cloud-run.ts; this file only talks HTTP.
 *
 * Endpoint: https://run.googleapis.com with an OAuth token from Application Default Credentials
 * (google-auth-library); CLOUD_RUN_API_ENDPOINT points it at a fake (tests), without a token.
 */
import { PwError, describeError } from '../errors.js';
import { rolloutState, withChampionEnv, type CloudRunService } from '../lifecycle/cloud-run.js';

interface Operation {
  name: string;
  done?: boolean;
  error?: { code?: number; message?: string };
}

export interface CloudRunAdminOptions {
  /** Base URL; default https://run.googleapis.com. */
  endpoint?: string | undefined;
  /** Bearer token per request; undefined = no Authorization header (fakes). */
  token?: () => Promise<string | undefined>;
  /** Between polls, ms (default 2000). */
  pollMs?: number;
  /** Give up after, ms (default 10 minutes). */
  timeoutMs?: number;
}

const DEFAULT_ENDPOINT = 'https://run.googleapis.com';

async function call<T>(o: CloudRunAdminOptions, method: 'GET' | 'PATCH', path: string, body?: unknown): Promise<T> {
  const url = `${(o.endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, '')}/v2/${path}`;
  const token = await o.token?.();
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (err) {
    throw new PwError('PW_ERR_CLOUD_RUN', { cause: err }, path, describeError(err));
  }
  const text = await res.text();
  if (!res.ok) throw new PwError('PW_ERR_CLOUD_RUN', undefined, path, `HTTP ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** ADC token for the cloud-platform scope (production); never used when an endpoint is configured. */
export function adcToken(): () => Promise<string | undefined> {
  let auth: Promise<{ getAccessToken(): Promise<string | null | undefined> }> | undefined;
  return async () => {
    auth ??= import('google-auth-library').then(({ GoogleAuth }) => new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] }));
    return (await (await auth).getAccessToken()) ?? undefined;
  };
}

/**
 * Set the champion variables on `serviceName` and wait for the new revision to be ready and
 * serving. Returns the ready revision. Throws PW_ERR_CLOUD_RUN when the API refuses, the
 * operation fails, the revision does not become ready, or the wait times out (the previous
 * revision keeps serving in all those cases: Cloud Run only moves traffic to a ready revision).
 */
export async function applyChampion(
  serviceName: string,
  model: { path: string; sha256: string | null | undefined },
  o: CloudRunAdminOptions,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<{ revision: string; previousRevision: string | null }> {
  const current = await call<CloudRunService>(o, 'GET', serviceName);
  const next = withChampionEnv(current, model);
  let op = await call<Operation>(o, 'PATCH', serviceName, next);
  const deadline = Date.now() + (o.timeoutMs ?? 600_000);
  while (!op.done) {
    if (Date.now() > deadline) throw new PwError('PW_ERR_CLOUD_RUN', undefined, serviceName, `operation ${op.name} not done in time; check the service before retrying`);
    await sleep(o.pollMs ?? 2000);
    op = await call<Operation>(o, 'GET', op.name);
  }
  if (op.error) throw new PwError('PW_ERR_CLOUD_RUN', undefined, serviceName, `operation ${op.name} failed: ${op.error.message ?? `code ${op.error.code}`}`);
  for (;;) {
    const service = await call<CloudRunService>(o, 'GET', serviceName);
    const rollout = rolloutState(service);
    if (rollout.state === 'ready') return { revision: rollout.revision, previousRevision: current.latestReadyRevision ?? null };
    if (rollout.state === 'failed') throw new PwError('PW_ERR_CLOUD_RUN', undefined, serviceName, rollout.message);
    if (Date.now() > deadline) throw new PwError('PW_ERR_CLOUD_RUN', undefined, serviceName, 'the new revision did not become ready in time');
    await sleep(o.pollMs ?? 2000);
  }
}
