/**
 * @module picks/slack
 * POST a message to a Slack incoming webhook. The URL is a secret: errors name only its host.
 * Any failure (timeout, network, non-2xx) is a retryable PwError('PW_ERR_NOTIFY').
 */
import { PwError } from '../errors.js';
import type { SlackMessage } from './picks.js';

export interface PostSlackOptions {
  /** Abort after this many milliseconds. Default 10 000. */
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

function destination(url: string): string {
  try {
    return `Slack webhook (${new URL(url).host})`;
  } catch {
    return 'Slack webhook (invalid URL)';
  }
}

export async function postSlack(webhookUrl: string, message: SlackMessage, options: PostSlackOptions = {}): Promise<void> {
  const doFetch = options.fetchImpl ?? fetch;
  const where = destination(webhookUrl);
  let res: Response;
  try {
    res = await doFetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (err) {
    const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${options.timeoutMs ?? 10_000} ms` : (err as Error).message;
    throw new PwError('PW_ERR_NOTIFY', { cause: err }, where, reason);
  }
  if (!res.ok) {
    const body = (await res.text().catch(() => '')).slice(0, 200);
    throw new PwError('PW_ERR_NOTIFY', undefined, where, `HTTP ${res.status}${body ? ` ${body}` : ''}`);
  }
  // drain the body so the connection can be reused
  await res.arrayBuffer().catch(() => undefined);
}
