/**
 * deploy/bootstrap.sh and deploy/deploy.sh against a recording stub gcloud/bq/CLI (stub-cloud.ts):
 * the sequence from an empty project to a wired service, the push audience, a second and third run
 * that create nothing, and a deploy whose champion cannot load keeping the previous revision.
 * Never contacts Google: the stubs are first on PATH and answer from a temp dir.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { PROJECT_NUMBER, deployImageTools, installStubs, type StubCall } from './stub-cloud.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pw-bootstrap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const stubs = installStubs(dir);
// No python3, no jq: only what cloud-sdk:slim surely has (stub-cloud.ts), never the host PATH.
const TOOLS = deployImageTools(dir);

const PROJECT = 'pw-new-project';
const URL_ = `https://prediction-worker-${PROJECT_NUMBER}.us-west2.run.app`;
const RUNTIME_SA = `prediction-worker@${PROJECT}.iam.gserviceaccount.com`;
const PUSH_SA = `prediction-worker-push@${PROJECT}.iam.gserviceaccount.com`;
const SCHEDULER_SA = `prediction-worker-scheduler@${PROJECT}.iam.gserviceaccount.com`;
const WEBHOOK = 'https://hooks.slack.com/services/T000/B000/secret-value';
const ALERTS = 'https://hooks.slack.com/services/T000/B111/alerts-secret-value';
const DIGEST = 'https://hooks.slack.com/services/T000/B222/digest-secret-value';
const BUILD_SA = `prediction-worker-build@${PROJECT}.iam.gserviceaccount.com`;
type EnvEntry = { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } };
const renderedEnv = (): EnvEntry[] => YAML.parse(stubs.state().rendered.at(-1)!).spec.template.spec.containers[0].env;
const CHAMPION = 'gs://pw-new-project-models/catboost/v9/champion.cbm';
const SHA = 'a'.repeat(64);

function run(script: string, args: string[] = [], env: Record<string, string> = {}) {
  const r = spawnSync('bash', [join(repo, script), ...args], {
    cwd: repo,
    encoding: 'utf8',
    env: {
      PATH: `${stubs.bin}:${TOOLS}`,
      HOME: dir,
      STUB_STATE_DIR: dir,
      PROJECT_ID: PROJECT,
      PW_CLI: stubs.cli,
      ...env,
    },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Calls made since `from`, as one line each: `gcloud pubsub topics create …`. */
const lines = (calls: StubCall[]) => calls.map((c) => `${c.tool} ${c.argv.join(' ')}`);
const creating = (calls: StubCall[]) =>
  lines(calls).filter((l) => /^gcloud .*\b(create|enable)\b/.test(l) || / versions add /.test(l) || /^gcloud run services (replace|update-traffic)/.test(l));
const argOf = (line: string, name: string) => line.split(' ').find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

describe('bootstrap and deploy on an empty project (stub gcloud)', () => {
  let mark = 0;
  const since = () => {
    const all = stubs.calls();
    const out = all.slice(mark);
    mark = all.length;
    return out;
  };

  it('first run: APIs, registry, accounts, secret, bucket, bigquery init, roles, topics; then stops before wiring the undeployed service', () => {
    const r = run('deploy/bootstrap.sh', [], { SLACK_WEBHOOK_URL: WEBHOOK });
    expect(r.code, r.stderr).toBe(0);
    const calls = since();
    const created = creating(calls);
    expect(created.map((l) => l.split(' --')[0])).toEqual([
      'gcloud services enable run.googleapis.com artifactregistry.googleapis.com cloudbuild.googleapis.com pubsub.googleapis.com cloudscheduler.googleapis.com secretmanager.googleapis.com bigquery.googleapis.com iam.googleapis.com storage.googleapis.com',
      'gcloud artifacts repositories create nba-props',
      'gcloud iam service-accounts create prediction-worker',
      'gcloud iam service-accounts create prediction-worker-push',
      'gcloud iam service-accounts create prediction-worker-scheduler',
      'gcloud iam service-accounts create prediction-worker-build',
      'gcloud secrets create slack-webhook-signals',
      'gcloud secrets versions add slack-webhook-signals',
      'gcloud storage buckets create gs://pw-new-project-models',
      'gcloud storage buckets create gs://pw-new-project_cloudbuild',
      'gcloud pubsub topics create prediction-request',
      'gcloud pubsub topics create prediction-request-dead-letter',
      'gcloud pubsub subscriptions create prediction-request-dead-letter-hold',
    ]);
    // every gcloud call names the project explicitly
    for (const c of calls.filter((c) => c.tool === 'gcloud' && c.argv[0] !== 'projects')) expect(c.argv, c.argv.join(' ')).toContain(`--project=${PROJECT}`);
    // the webhook travels on stdin, never on a command line
    expect(stubs.state().versions['slack-webhook-signals']).toBe(WEBHOOK);
    expect(lines(calls).some((l) => l.includes('secret-value'))).toBe(false);
    // bigquery init with the configured datasets, after the accounts and before the dataset grants
    const init = calls.findIndex((c) => c.tool === 'cli');
    expect(calls[init]!.argv).toEqual(['bigquery', 'init']);
    expect(calls[init]!.env).toMatchObject({ GCP_PROJECT_ID: PROJECT, BIGQUERY_DATASET: 'prediction_worker', BIGQUERY_FEATURES_DATASET: 'nba_predictions', BIGQUERY_ACTUALS_DATASET: 'nba_analytics', BIGQUERY_COMPAT_DATASET: 'prediction_worker_compat' });
    expect(init).toBeLessThan(calls.findIndex((c) => c.tool === 'bq'));
    // least privilege: dataset-level BigQuery roles, no project-wide data role, no editor/owner
    const bindings = stubs.state().bindings;
    expect(bindings).toContain(`bq ${PROJECT}:prediction_worker serviceAccount:${RUNTIME_SA} roles/bigquery.dataEditor`);
    expect(bindings).toContain(`bq ${PROJECT}:nba_predictions serviceAccount:${RUNTIME_SA} roles/bigquery.dataViewer`);
    expect(bindings).toContain(`secrets slack-webhook-signals serviceAccount:${RUNTIME_SA} roles/secretmanager.secretAccessor`);
    expect(bindings).toContain(`storage buckets gs://pw-new-project_cloudbuild serviceAccount:prediction-worker-build@${PROJECT}.iam.gserviceaccount.com roles/storage.objectViewer`);
    expect(bindings.filter((b) => b.startsWith(`projects ${PROJECT} serviceAccount:${RUNTIME_SA}`))).toEqual([`projects ${PROJECT} serviceAccount:${RUNTIME_SA} roles/bigquery.jobUser`]);
    expect(bindings.some((b) => /roles\/(editor|owner|bigquery\.admin)$/.test(b))).toBe(false);
    expect(bindings.some((b) => b.includes(`${PROJECT}:nba_predictions serviceAccount:${RUNTIME_SA} roles/bigquery.dataEditor`))).toBe(false);
    // the service does not exist yet: no push subscription, no scheduler jobs, and the next step is named
    expect(lines(calls).some((l) => l.includes('--push-endpoint'))).toBe(false);
    expect(r.stderr).toContain('is not deployed yet');
    // no alert/digest webhook given: those secrets are not created, nothing is granted on them, and it is said
    for (const [secret, variable] of [['slack-webhook-alerts', 'SLACK_WEBHOOK_URL_ALERTS'], ['slack-webhook-digest', 'SLACK_WEBHOOK_URL_DIGEST']]) {
      expect(r.stderr).toContain(`skipped: secret ${secret} — ${variable} not given`);
      expect(stubs.state().resources).not.toContain(`secrets ${secret}`);
      expect(bindings.some((b) => b.startsWith(`secrets ${secret} `))).toBe(false);
    }
  });

  it('first deploy: renders the service with the deterministic URL as PUSH_AUDIENCE and takes traffic once ready', () => {
    const resolved = run('deploy/deploy.sh', ['resolve', '--champion', CHAMPION, '--champion-sha256', SHA]);
    expect(resolved.code, resolved.stderr).toBe(0);
    expect(resolved.stdout).toBe(`CHAMPION_PATH=${CHAMPION}\nCHAMPION_SHA256=${SHA}\n`);
    writeFileSync(join(dir, 'champion.env'), resolved.stdout);
    const r = run('deploy/deploy.sh', ['deploy', '--image', 'us-west2-docker.pkg.dev/p/nba-props/prediction-worker:b1', '--commit', 'abc1234def', '--suffix', 'abc1234-b1', '--champion-env', join(dir, 'champion.env')]);
    expect(r.code, r.stderr).toBe(0);
    since();
    const doc = YAML.parse(stubs.state().rendered.at(-1)!);
    const container = doc.spec.template.spec.containers[0];
    const env = Object.fromEntries(container.env.filter((e: { value?: string }) => 'value' in e).map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env.PUSH_AUDIENCE).toBe(URL_);
    expect(env.PUSH_SERVICE_ACCOUNTS).toBe(`${PUSH_SA},${SCHEDULER_SA}`);
    expect(env.CATBOOST_V9_MODEL_PATH).toBe(CHAMPION);
    expect(env.CATBOOST_V9_MODEL_SHA256).toBe(SHA);
    expect(env.GCP_PROJECT_ID).toBe(PROJECT);
    expect(env.BUILD_COMMIT).toBe('abc1234def');
    expect(env.SLACK_WEBHOOK_URL_SIGNALS).toBeUndefined(); // from Secret Manager only
    // the picks webhook from its secret; the optional ones, without a secret, left out and said so
    const names = renderedEnv().map((e) => e.name);
    expect(renderedEnv().find((e) => e.name === 'SLACK_WEBHOOK_URL_SIGNALS')!.valueFrom).toEqual({ secretKeyRef: { name: 'slack-webhook-signals', key: 'latest' } });
    expect(names).not.toContain('SLACK_WEBHOOK_URL_ALERTS');
    expect(names).not.toContain('SLACK_WEBHOOK_URL_DIGEST');
    expect(r.stderr).toContain('SLACK_WEBHOOK_URL_ALERTS omitted: secret slack-webhook-alerts has no version');
    expect(r.stderr).toContain('SLACK_WEBHOOK_URL_DIGEST omitted: secret slack-webhook-digest has no version');
    expect(doc.spec.template.spec.serviceAccountName).toBe(RUNTIME_SA);
    expect(doc.spec.template.metadata.name).toBe('prediction-worker-abc1234-b1');
    expect(container.image).toBe('us-west2-docker.pkg.dev/p/nba-props/prediction-worker:b1');
    expect(doc.spec.traffic).toEqual([{ latestRevision: true, percent: 100 }]);
    expect(stubs.state().rendered.at(-1)!.split('\n').filter((l) => !l.trim().startsWith('#') && l.includes('${'))).toEqual([]);
  });

  it('second run: wires Pub/Sub push and Cloud Scheduler to the live service with one audience, creating nothing else', () => {
    const r = run('deploy/bootstrap.sh');
    expect(r.code, r.stderr).toBe(0);
    const calls = since();
    const created = creating(calls);
    expect(created.map((l) => l.split(' --')[0])).toEqual([
      'gcloud pubsub subscriptions create prediction-worker-push',
      'gcloud scheduler jobs create http prediction-worker-grade',
      'gcloud scheduler jobs create http prediction-worker-monitor',
      'gcloud scheduler jobs create http prediction-worker-signals',
      'gcloud scheduler jobs create http prediction-worker-picks',
    ]);
    const sub = created[0]!;
    expect(argOf(sub, 'topic')).toBe('prediction-request');
    expect(argOf(sub, 'push-endpoint')).toBe(`${URL_}/predict`);
    expect(argOf(sub, 'push-auth-service-account')).toBe(PUSH_SA);
    expect(argOf(sub, 'push-auth-token-audience')).toBe(URL_);
    expect(argOf(sub, 'ack-deadline')).toBe('60');
    expect(argOf(sub, 'dead-letter-topic')).toBe('prediction-request-dead-letter');
    expect(argOf(sub, 'max-delivery-attempts')).toBe('10');
    for (const [job, path] of [['grade', '/jobs/grade'], ['monitor', '/jobs/monitor'], ['signals', '/jobs/signals'], ['picks', '/jobs/picks']]) {
      const line = created.find((l) => l.includes(`prediction-worker-${job} `))!;
      expect(argOf(line, 'uri')).toBe(`${URL_}${path}`);
      expect(argOf(line, 'oidc-service-account-email')).toBe(SCHEDULER_SA);
      expect(argOf(line, 'oidc-token-audience')).toBe(URL_);
    }
    // the audience the tokens carry is the PUSH_AUDIENCE the service verifies
    const rendered = YAML.parse(stubs.state().rendered.at(-1)!);
    expect(rendered.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'PUSH_AUDIENCE').value).toBe(argOf(sub, 'push-auth-token-audience'));
    const bindings = stubs.state().bindings;
    expect(bindings).toContain(`run services prediction-worker serviceAccount:${PUSH_SA} roles/run.invoker`);
    expect(bindings).toContain(`run services prediction-worker serviceAccount:${SCHEDULER_SA} roles/run.invoker`);
  });

  it('third run on the complete project creates nothing and changes no state', () => {
    const before = stubs.state();
    const r = run('deploy/bootstrap.sh');
    expect(r.code, r.stderr).toBe(0);
    expect(creating(since())).toEqual([]);
    expect(stubs.state()).toEqual(before);
    expect(r.stderr).not.toContain('create:');
  });

  it('a deploy whose champion cannot load fails and leaves the previous revision serving 100 %', () => {
    writeFileSync(join(dir, 'bad.env'), `CHAMPION_PATH=gs://pw-new-project-models/unloadable.cbm\nCHAMPION_SHA256=\n`);
    const r = run('deploy/deploy.sh', ['deploy', '--image', 'img:b2', '--commit', 'bad', '--suffix', 'bad-b2', '--champion-env', join(dir, 'bad.env')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('did not become ready; traffic stays on prediction-worker-abc1234-b1');
    const calls = lines(since());
    expect(calls.some((l) => l.startsWith('gcloud run services update-traffic'))).toBe(false);
    // the rendered service pinned traffic to the serving revision while the new one started
    expect(YAML.parse(stubs.state().rendered.at(-1)!).spec.traffic).toEqual([{ revisionName: 'prediction-worker-abc1234-b1', percent: 100 }]);
    expect(stubs.state().service!.status.traffic).toEqual([{ revisionName: 'prediction-worker-abc1234-b1', percent: 100, latestRevision: true }]);
  });

  it('uses PROJECT_NUMBER from the environment (Cloud Build) without asking gcloud for it', () => {
    // a failing deploy (unloadable) is enough to see the rendered audience; traffic stays put
    writeFileSync(join(dir, 'n.env'), `CHAMPION_PATH=gs://b/unloadable.cbm\nCHAMPION_SHA256=\n`);
    const r = run('deploy/deploy.sh', ['deploy', '--image', 'img:n', '--commit', 'n', '--suffix', 'n-1', '--champion-env', join(dir, 'n.env')], { PROJECT_NUMBER: '987' });
    expect(r.code).toBe(1);
    const calls = lines(since());
    expect(calls.some((l) => l.startsWith('gcloud projects describe'))).toBe(false);
    const env = YAML.parse(stubs.state().rendered.at(-1)!).spec.template.spec.containers[0].env;
    expect(env.find((e: { name: string }) => e.name === 'PUSH_AUDIENCE').value).toBe('https://prediction-worker-987.us-west2.run.app');
  });

  it('a rebuild without a champion keeps the live one (a promotion is not reverted) and moves traffic only after ready', () => {
    const resolved = run('deploy/deploy.sh', ['resolve']);
    expect(resolved.code, resolved.stderr).toBe(0);
    expect(resolved.stdout).toBe(`CHAMPION_PATH=${CHAMPION}\nCHAMPION_SHA256=${SHA}\n`);
    writeFileSync(join(dir, 'again.env'), resolved.stdout);
    const r = run('deploy/deploy.sh', ['deploy', '--image', 'img:b3', '--commit', 'c3', '--suffix', 'c3-b3', '--champion-env', join(dir, 'again.env')]);
    expect(r.code, r.stderr).toBe(0);
    const calls = lines(since());
    const replace = calls.findIndex((l) => l.startsWith('gcloud run services replace'));
    const traffic = calls.findIndex((l) => l.startsWith('gcloud run services update-traffic'));
    expect(replace).toBeGreaterThanOrEqual(0);
    expect(traffic).toBeGreaterThan(replace);
    expect(argOf(calls[traffic]!, 'to-revisions')).toBe('prediction-worker-c3-b3=100');
    expect(stubs.state().service!.status.traffic).toEqual([{ revisionName: 'prediction-worker-c3-b3', percent: 100 }]);
  });

  it('adding the digest webhook, then the alerts one: each its own secret (value on stdin), granted, wired; a rerun creates nothing', () => {
    const deploy = (suffix: string) => {
      const r = run('deploy/deploy.sh', ['deploy', '--image', `img:${suffix}`, '--commit', suffix, '--suffix', suffix, '--champion-env', join(dir, 'champion.env')]);
      expect(r.code, r.stderr).toBe(0);
      return r;
    };
    since();
    const digestRun = run('deploy/bootstrap.sh', [], { SLACK_WEBHOOK_URL_DIGEST: DIGEST });
    expect(digestRun.code, digestRun.stderr).toBe(0);
    expect(creating(since()).map((l) => l.split(' --')[0])).toEqual(['gcloud secrets create slack-webhook-digest', 'gcloud secrets versions add slack-webhook-digest']);
    expect(digestRun.stderr).toContain('skipped: secret slack-webhook-alerts — SLACK_WEBHOOK_URL_ALERTS not given');
    expect(stubs.state().versions['slack-webhook-digest']).toBe(DIGEST);
    let bindings = stubs.state().bindings;
    expect(bindings).toContain(`secrets slack-webhook-digest serviceAccount:${RUNTIME_SA} roles/secretmanager.secretAccessor`);
    expect(bindings).toContain(`secrets slack-webhook-digest serviceAccount:${BUILD_SA} roles/secretmanager.viewer`);
    expect(bindings.some((b) => b.startsWith('secrets slack-webhook-alerts '))).toBe(false);
    // the build account may list versions (viewer) but never read a value (accessor) of any secret
    expect(bindings.some((b) => b.startsWith('secrets ') && b.endsWith(`${BUILD_SA} roles/secretmanager.secretAccessor`))).toBe(false);

    const d1 = deploy('d1-b5');
    expect(renderedEnv().find((e) => e.name === 'SLACK_WEBHOOK_URL_DIGEST')).toEqual({ name: 'SLACK_WEBHOOK_URL_DIGEST', valueFrom: { secretKeyRef: { name: 'slack-webhook-digest', key: 'latest' } } });
    expect(renderedEnv().map((e) => e.name)).not.toContain('SLACK_WEBHOOK_URL_ALERTS');
    expect(d1.stderr).toContain('SLACK_WEBHOOK_URL_ALERTS omitted');

    since();
    const alertsRun = run('deploy/bootstrap.sh', [], { SLACK_WEBHOOK_URL_ALERTS: ALERTS });
    expect(alertsRun.code, alertsRun.stderr).toBe(0);
    expect(creating(since()).map((l) => l.split(' --')[0])).toEqual(['gcloud secrets create slack-webhook-alerts', 'gcloud secrets versions add slack-webhook-alerts']);
    expect(alertsRun.stderr).toContain('exists: a version of secret slack-webhook-digest');
    expect(stubs.state().versions['slack-webhook-alerts']).toBe(ALERTS);
    bindings = stubs.state().bindings;
    expect(bindings).toContain(`secrets slack-webhook-alerts serviceAccount:${RUNTIME_SA} roles/secretmanager.secretAccessor`);
    expect(bindings).toContain(`secrets slack-webhook-alerts serviceAccount:${BUILD_SA} roles/secretmanager.viewer`);

    // a second run, values given again or not, creates nothing and changes no state (an existing
    // version is never overwritten by bootstrap: rotate with `gcloud secrets versions add`)
    for (const env of [{ SLACK_WEBHOOK_URL_ALERTS: ALERTS, SLACK_WEBHOOK_URL_DIGEST: DIGEST }, {}] as Array<Record<string, string>>) {
      const before = stubs.state();
      const again = run('deploy/bootstrap.sh', [], env);
      expect(again.code, again.stderr).toBe(0);
      expect(creating(since())).toEqual([]);
      expect(stubs.state()).toEqual(before);
      expect(again.stderr).not.toContain('create:');
    }

    deploy('d2-b6');
    const wired = renderedEnv().filter((e) => e.name.startsWith('SLACK_WEBHOOK_URL_'));
    expect(wired).toEqual([
      { name: 'SLACK_WEBHOOK_URL_SIGNALS', valueFrom: { secretKeyRef: { name: 'slack-webhook-signals', key: 'latest' } } },
      { name: 'SLACK_WEBHOOK_URL_ALERTS', valueFrom: { secretKeyRef: { name: 'slack-webhook-alerts', key: 'latest' } } },
      { name: 'SLACK_WEBHOOK_URL_DIGEST', valueFrom: { secretKeyRef: { name: 'slack-webhook-digest', key: 'latest' } } },
    ]);
    // the live champion is still read correctly past the secret-only env entries
    const resolved = run('deploy/deploy.sh', ['resolve']);
    expect(resolved.stdout).toBe(`CHAMPION_PATH=${CHAMPION}\nCHAMPION_SHA256=${SHA}\n`);
  }, 120_000); // seven script runs: more than the default 30 s on a loaded 2-core machine

  it('refuses an alert or digest webhook equal to the picks webhook, and shared secret names, before creating anything', () => {
    for (const env of [
      { SLACK_WEBHOOK_URL: WEBHOOK, SLACK_WEBHOOK_URL_DIGEST: WEBHOOK },
      { SLACK_WEBHOOK_URL: WEBHOOK, SLACK_WEBHOOK_URL_ALERTS: WEBHOOK },
      { SLACK_WEBHOOK_URL: WEBHOOK, SLACK_DIGEST_SECRET: 'slack-webhook-signals' },
      { SLACK_WEBHOOK_URL: WEBHOOK, SLACK_ALERTS_SECRET: 'slack-webhook-signals' },
    ]) {
      const fresh = mkdtempSync(join(tmpdir(), 'pw-bootstrap-same-'));
      try {
        const own = installStubs(fresh);
        const r = spawnSync('bash', [join(repo, 'deploy/bootstrap.sh')], {
          cwd: repo,
          encoding: 'utf8',
          env: { PATH: `${own.bin}:${TOOLS}`, STUB_STATE_DIR: fresh, PROJECT_ID: PROJECT, PW_CLI: own.cli, ...env },
        });
        expect(r.status, JSON.stringify(env)).toBe(1);
        expect(r.stderr).toMatch(/must not be the picks webhook|must be three different secrets/);
        expect(own.calls()).toEqual([]);
      } finally {
        rmSync(fresh, { recursive: true, force: true });
      }
    }
    // deploy.sh refuses the same names (settings.sh), before rendering anything
    const r = run('deploy/deploy.sh', ['resolve'], { SLACK_DIGEST_SECRET: 'slack-webhook-signals' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('must be three different secrets');
  });

  it('no webhook value ever appears on a command line or in a rendered service', () => {
    const all = stubs.calls();
    expect(all.length).toBeGreaterThan(50);
    for (const c of all) expect(c.argv.join(' ')).not.toMatch(/hooks\.slack\.com|secret-value/);
    for (const text of stubs.state().rendered) expect(text).not.toMatch(/hooks\.slack\.com|secret-value/);
    // and each value reached Secret Manager through stdin
    expect(stubs.state().versions).toEqual({ 'slack-webhook-signals': WEBHOOK, 'slack-webhook-alerts': ALERTS, 'slack-webhook-digest': DIGEST });
  });

  it('refuses a first deploy without a champion, a champion that is not a gs:// object, and one without its sha256', () => {
    const fresh = mkdtempSync(join(tmpdir(), 'pw-bootstrap-fresh-'));
    try {
      const own = installStubs(fresh);
      const r = spawnSync('bash', [join(repo, 'deploy/deploy.sh'), 'resolve'], {
        cwd: repo,
        encoding: 'utf8',
        env: { PATH: `${own.bin}:${TOOLS}`, STUB_STATE_DIR: fresh, PROJECT_ID: PROJECT },
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('the first deploy needs _CHAMPION_PATH');
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
    const local = run('deploy/deploy.sh', ['resolve', '--champion', 'models/catboost_v9_demo_champion.cbm', '--champion-sha256', SHA]);
    expect(local.code).toBe(1);
    expect(local.stderr).toContain('must be a gs:// object');
    const unpinned = run('deploy/deploy.sh', ['resolve', '--champion', CHAMPION, '--champion-sha256', '']);
    expect(unpinned.code).toBe(1);
    expect(unpinned.stderr).toContain('the champion needs its sha256');
  });

  it('a first run without the Slack webhook stops with the instruction instead of deploying without the secret', () => {
    const fresh = mkdtempSync(join(tmpdir(), 'pw-bootstrap-noslack-'));
    try {
      const own = installStubs(fresh);
      const r = spawnSync('bash', [join(repo, 'deploy/bootstrap.sh')], {
        cwd: repo,
        encoding: 'utf8',
        env: { PATH: `${own.bin}:${TOOLS}`, STUB_STATE_DIR: fresh, PROJECT_ID: PROJECT, PW_CLI: own.cli },
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('rerun with SLACK_WEBHOOK_URL=');
      expect(own.calls().filter((c) => c.tool === 'cli')).toEqual([]); // stopped before bigquery init
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});
