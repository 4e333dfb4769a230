/**
 * The audit actor from the environment: AUDIT_ACTOR, else the gcloud account, else user@host.
 * gcloud is a stub script on PATH (never the real one: nothing may reach Google).
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliActor } from '../../src/cli/actor.js';
import type { CliIo } from '../../src/cli/io.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-actor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function stubGcloud(script: string): string {
  const bin = mkdtempSync(join(dir, 'bin-'));
  writeFileSync(join(bin, 'gcloud'), `#!/bin/sh\n${script}\n`);
  chmodSync(join(bin, 'gcloud'), 0o755);
  return bin;
}

const io = (env: Record<string, string>): CliIo => ({ out: () => {}, err: () => {}, env, cwd: dir });

describe('audit actor', () => {
  it('is the gcloud account when gcloud has one', async () => {
    const bin = stubGcloud('[ "$1 $2 $3 $4" = "config get-value account " ] && echo operator@example.com');
    expect(await cliActor(io({ PATH: bin, USER: 'someone' }), {})).toBe('operator@example.com');
  });

  it('AUDIT_ACTOR wins; without an account (unset, failing or missing gcloud) it is user@host', async () => {
    const bin = stubGcloud('echo operator@example.com');
    expect(await cliActor(io({ PATH: bin }), { AUDIT_ACTOR: 'ci@example.iam' })).toBe('ci@example.iam');
    expect(await cliActor(io({ PATH: stubGcloud('echo "(unset)"'), USER: 'someone' }), {})).toBe(`someone@${hostname()}`);
    expect(await cliActor(io({ PATH: stubGcloud('exit 1'), USER: 'someone' }), {})).toBe(`someone@${hostname()}`);
    expect(await cliActor(io({ PATH: join(dir, 'nothing-here'), USER: 'someone' }), {})).toBe(`someone@${hostname()}`);
  });
});
