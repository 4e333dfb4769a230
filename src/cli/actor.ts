/**
 * @module cli/actor
 * Who is acting, for the audit trail: AUDIT_ACTOR, else the active gcloud account
 * (`gcloud config get-value account`, a local read of gcloud's configuration, when gcloud is on
 * PATH), else user@host. The rule is `actorFrom` in src/lifecycle/audit.ts.
 */
import { execFile } from 'node:child_process';
import { hostname, userInfo } from 'node:os';
import { actorFrom } from '../lifecycle/audit.js';
import type { CliIo } from './io.js';
import type { Config } from '../../config/env.js';

function gcloudAccount(env: Record<string, string | undefined>): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('gcloud', ['config', 'get-value', 'account'], { env: env as NodeJS.ProcessEnv, timeout: 10_000 }, (err, stdout) => {
      resolve(err ? undefined : stdout.trim() || undefined);
    });
  });
}

/** The actor for events written by this CLI invocation. */
export async function cliActor(io: CliIo, config: Pick<Config, 'AUDIT_ACTOR'>): Promise<string> {
  if (config.AUDIT_ACTOR?.trim()) return actorFrom({ auditActor: config.AUDIT_ACTOR });
  let user: string | undefined = io.env.USER ?? io.env.LOGNAME;
  try {
    user ??= userInfo().username;
  } catch {
    // no passwd entry (containers): fall back to 'unknown'
  }
  return actorFrom({ gcloudAccount: await gcloudAccount(io.env), user, host: hostname() });
}
