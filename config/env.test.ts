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

describe('start-up checks in config parsing (issue 8)', () => {
  const prod = {
    STORAGE_BACKEND: 'bigquery',
    GCP_PROJECT_ID: 'nba-props-platform',
    PUSH_AUDIENCE: 'https://prediction-worker-abc-uw.a.run.app/predict',
    PUSH_SERVICE_ACCOUNTS: 'pubsub-push@nba-props-platform.iam.gserviceaccount.com',
    CATBOOST_V9_MODEL_PATH: 'gs://nba-props-platform-models/catboost/v9/champion.cbm',
  };

  it('accepts a production configuration and defaults the dataset names', () => {
    const config = loadConfig(prod);
    expect(config.BIGQUERY_DATASET).toBe('prediction_worker');
    expect(config.BIGQUERY_FEATURES_DATASET).toBe('nba_predictions');
    expect(config.BIGQUERY_ACTUALS_DATASET).toBe('nba_analytics');
    expect(config.BIGQUERY_COMPAT_DATASET).toBe('prediction_worker_compat');
    expect(config.BIGQUERY_PARTITION_EXPIRATION_DAYS).toBeUndefined();
  });

  it('refuses a push service account that is not an email', () => {
    expect(() => loadConfig({ ...prod, PUSH_SERVICE_ACCOUNTS: 'a@x.iam.gserviceaccount.com, pubsub-push' })).toThrow(
      'PUSH_SERVICE_ACCOUNTS.1: "pubsub-push" is not a service-account email',
    );
  });

  it('with push auth on, requires the push service accounts in config parsing (before anything loads)', () => {
    const { PUSH_SERVICE_ACCOUNTS: _, ...noSa } = prod;
    expect(() => loadConfig(noSa)).toThrow(/PUSH_SERVICE_ACCOUNTS: required when PUSH_AUTH=on/);
    expect(() => loadConfig({ PUSH_AUDIENCE: 'https://w.example' })).toThrow(/PUSH_SERVICE_ACCOUNTS: required when PUSH_AUTH=on/);
    expect(loadConfig({ ...noSa, PUSH_AUTH: 'off' }).PUSH_AUTH).toBe('off');
  });

  it('refuses the demo champion as the production champion', () => {
    const { CATBOOST_V9_MODEL_PATH: _, ...noChampion } = prod;
    expect(() => loadConfig(noChampion)).toThrow(/CATBOOST_V9_MODEL_PATH: the demo champion is the default/);
  });

  it('refuses a worker dataset shared with an input or the views, and a bad dataset id', () => {
    expect(() => loadConfig({ ...prod, BIGQUERY_DATASET: 'nba_predictions' })).toThrow(/BIGQUERY_DATASET: must differ from BIGQUERY_FEATURES_DATASET \(nba_predictions\)/);
    expect(() => loadConfig({ ...prod, BIGQUERY_COMPAT_DATASET: 'prediction_worker' })).toThrow(/must differ from BIGQUERY_COMPAT_DATASET/);
    expect(() => loadConfig({ ...prod, BIGQUERY_DATASET: 'my-dataset' })).toThrow(/BIGQUERY_DATASET: expected a BigQuery dataset id/);
  });

  it('names every problem in one message', () => {
    try {
      loadConfig({ ...prod, PUSH_SERVICE_ACCOUNTS: 'nope', BIGQUERY_DATASET: 'nba_analytics', BIGQUERY_PARTITION_EXPIRATION_DAYS: '0' });
      expect.unreachable();
    } catch (err) {
      const m = (err as Error).message;
      for (const v of ['PUSH_SERVICE_ACCOUNTS', 'BIGQUERY_DATASET', 'BIGQUERY_PARTITION_EXPIRATION_DAYS']) expect(m).toContain(v);
    }
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
