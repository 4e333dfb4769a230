import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envSchema, loadConfig } from './env.js';
import { isPwError } from '../src/errors.js';

const local = { PUSH_AUTH: 'off' };

describe('loadConfig', () => {
  it('gives the embedded default with no cloud settings', () => {
    const config = loadConfig(local);
    expect(config.STORAGE_BACKEND).toBe('embedded');
    expect(config.PORT).toBe(8080);
    expect(config.PRIMARY_ALERT_MODEL).toBe('catboost_v9');
    expect(config.MODEL_CACHE_DIR).toBe('/tmp/models');
  });

  it('fails closed: push auth is on unless local mode turns it off explicitly', () => {
    expect(() => loadConfig({})).toThrow(/PUSH_AUDIENCE: required when PUSH_AUTH=on/);
    const config = loadConfig({ PUSH_AUDIENCE: 'https://worker.example', PUSH_SERVICE_ACCOUNTS: 'a@x.iam, b@x.iam' });
    expect(config.PUSH_AUTH).toBe('on');
    expect(config.PUSH_SERVICE_ACCOUNTS).toEqual(['a@x.iam', 'b@x.iam']);
  });

  it('names every bad variable and why in one error', () => {
    try {
      loadConfig({ ...local, PORT: 'eighty', CATBOOST_V9_MODEL_SHA256: 'abc' });
      expect.unreachable();
    } catch (err) {
      expect(isPwError(err, 'PW_ERR_CONFIG')).toBe(true);
      const message = (err as Error).message;
      expect(message).toContain('PORT');
      expect(message).toContain('CATBOOST_V9_MODEL_SHA256');
    }
    expect(() => loadConfig({ ...local, STORAGE_BACKEND: 'bigquery' })).toThrow(
      'GCP_PROJECT_ID: required when STORAGE_BACKEND=bigquery',
    );
  });

  it('parses booleans from the environment: ALLOW_PAST_DATES=false stays false', () => {
    expect(loadConfig({ ...local, ALLOW_PAST_DATES: 'false' }).ALLOW_PAST_DATES).toBe(false);
    expect(loadConfig({ ...local, ALLOW_PAST_DATES: '0' }).ALLOW_PAST_DATES).toBe(false);
    expect(loadConfig({ ...local, ALLOW_PAST_DATES: 'no' }).ALLOW_PAST_DATES).toBe(false);
    expect(loadConfig({ ...local, ALLOW_PAST_DATES: 'true' }).ALLOW_PAST_DATES).toBe(true);
    expect(loadConfig(local).ALLOW_PAST_DATES).toBe(false);
    expect(() => loadConfig({ ...local, ALLOW_PAST_DATES: 'False ' })).toThrow(/ALLOW_PAST_DATES/);
  });

  it('treats empty strings as unset (Cloud Run leaves empty vars)', () => {
    expect(loadConfig({ ...local, PORT: '' }).PORT).toBe(8080);
  });
});

describe('docs/config.md', () => {
  const doc = readFileSync(new URL('../docs/config.md', import.meta.url), 'utf8');
  const documented = [...doc.matchAll(/^### `([A-Z0-9_]+)`/gm)].map((m) => m[1]);

  it('documents every environment variable the schema reads, and no other', () => {
    expect(documented.sort()).toEqual(Object.keys(envSchema.shape).sort());
  });
});

describe('operator webhooks', () => {
  it('refuses an alert or digest webhook equal to the user-facing picks webhook', () => {
    const picks = 'https://hooks.slack.test/services/PICKS';
    expect(() => loadConfig({ ...local, SLACK_WEBHOOK_URL_SIGNALS: picks, SLACK_WEBHOOK_URL_DIGEST: picks })).toThrow(
      /SLACK_WEBHOOK_URL_DIGEST: must not be the user-facing picks webhook/,
    );
    expect(() => loadConfig({ ...local, SLACK_WEBHOOK_URL_SIGNALS: picks, SLACK_WEBHOOK_URL_ALERTS: picks })).toThrow(/SLACK_WEBHOOK_URL_ALERTS/);
    const ok = loadConfig({ ...local, SLACK_WEBHOOK_URL_SIGNALS: picks, SLACK_WEBHOOK_URL_DIGEST: 'https://hooks.slack.test/services/INTERNAL' });
    expect(ok.SLACK_WEBHOOK_URL_DIGEST).toBe('https://hooks.slack.test/services/INTERNAL');
  });
});
