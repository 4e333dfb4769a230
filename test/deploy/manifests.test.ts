/**
 * The deploy manifests, parsed (yaml): deploy/service.yaml (probes, service account, secrets,
 * scaling and timeouts against the push subscription's ack deadline), cloudbuild.yaml (checks
 * before the image and the deploy, tags that work for manual builds, no env-wiping flags) and the
 * Dockerfile's Node major.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { STORAGE_THREAD_OLD_GENERATION_MB } from '../../src/storage/duckdb/storage-thread.js';
import { WORKER_NODE_FLAGS } from '../../src/worker/node-flags.js';

const read = (p: string) => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');
const service = YAML.parse(read('deploy/service.yaml'));
const template = service.spec.template;
const container = template.spec.containers[0];
const settings = read('deploy/settings.sh');
const setting = (name: string) => Number(new RegExp(`${name}="\\$\\{${name}:-(\\d+)\\}"`).exec(settings)?.[1]);

describe('deploy/service.yaml', () => {
  it('is one Knative service with one container', () => {
    expect(service.apiVersion).toBe('serving.knative.dev/v1');
    expect(service.kind).toBe('Service');
    expect(template.spec.containers).toHaveLength(1);
    expect(container.ports).toEqual([{ name: 'http1', containerPort: 8080 }]);
  });

  it('has an HTTP startup probe on /ready and a liveness probe on /health, within Cloud Run limits', () => {
    const start = container.startupProbe;
    expect(start.httpGet).toEqual({ path: '/ready', port: 8080 });
    expect(start.timeoutSeconds).toBeLessThanOrEqual(start.periodSeconds);
    // Cloud Run allows at most 240 s of startup probing; the champion download + warm-up fit in it
    expect(start.periodSeconds * start.failureThreshold + (start.initialDelaySeconds ?? 0)).toBeLessThanOrEqual(240);
    expect(start.periodSeconds * start.failureThreshold).toBeGreaterThanOrEqual(60);
    const live = container.livenessProbe;
    expect(live.httpGet).toEqual({ path: '/health', port: 8080 });
    expect(live.timeoutSeconds).toBeLessThanOrEqual(live.periodSeconds);
  });

  it('runs as the dedicated runtime service account, never the default compute account', () => {
    expect(template.spec.serviceAccountName).toBe('${RUNTIME_SA}');
    expect(settings).toContain('RUNTIME_SA="$(sa_email "$RUNTIME_SA_NAME")"');
    expect(read('deploy/service.yaml')).not.toContain('compute@developer.gserviceaccount.com');
  });

  it('reads the Slack webhook from Secret Manager, and no env var carries a secret value', () => {
    const slack = container.env.find((e: { name: string }) => e.name === 'SLACK_WEBHOOK_URL_SIGNALS');
    expect(slack).toEqual({ name: 'SLACK_WEBHOOK_URL_SIGNALS', valueFrom: { secretKeyRef: { name: '${SLACK_SECRET}', key: 'latest' } } });
    for (const e of container.env as Array<{ name: string; value?: string }>) {
      if (e.value !== undefined) expect(String(e.value)).not.toMatch(/hooks\.slack\.com|BEGIN PRIVATE KEY/);
    }
  });

  it('reads the alert and digest webhooks from their own secrets, in entries deploy.sh can drop whole', () => {
    const text = read('deploy/service.yaml').split('\n');
    for (const [name, setting] of [['SLACK_WEBHOOK_URL_ALERTS', 'SLACK_ALERTS_SECRET'], ['SLACK_WEBHOOK_URL_DIGEST', 'SLACK_DIGEST_SECRET']]) {
      expect(container.env.find((e: { name: string }) => e.name === name), name).toEqual({ name, valueFrom: { secretKeyRef: { name: `\${${setting}}`, key: 'latest' } } });
      // the marker deploy.sh deletes with the 5 lines after it: exactly this entry, nothing else
      const at = text.findIndex((l) => l.trim().startsWith(`# optional secret: ${setting} `));
      expect(at, setting).toBeGreaterThan(0);
      expect(YAML.parse(text.slice(at + 1, at + 6).map((l) => l.slice(12)).join('\n'))).toEqual([{ name, valueFrom: { secretKeyRef: { name: `\${${setting}}`, key: 'latest' } } }]);
      expect(text[at + 6]!.trim().startsWith('- name:') || text[at + 6]!.trim().startsWith('#') || /^ {10}\w/.test(text[at + 6]!), text[at + 6]).toBe(true);
      expect(read('deploy/deploy.sh')).toContain(setting);
    }
    // the picks webhook's entry is not optional (no marker before it)
    expect(text.some((l) => l.includes('# optional secret: SLACK_SECRET '))).toBe(false);
    // three different secrets by default; settings.sh refuses any two equal
    const def = (name: string) => new RegExp(`^${name}="\\$\\{${name}:-([a-z0-9-]+)\\}"$`, 'm').exec(settings)?.[1];
    expect(new Set([def('SLACK_SECRET'), def('SLACK_ALERTS_SECRET'), def('SLACK_DIGEST_SECRET')]).size).toBe(3);
    expect(def('SLACK_DIGEST_SECRET')).toBe('slack-webhook-digest');
  });

  it('sets the production configuration the worker refuses to start without', () => {
    const env = Object.fromEntries((container.env as Array<{ name: string; value?: string }>).map((e) => [e.name, e.value]));
    expect(env.STORAGE_BACKEND).toBe('bigquery');
    expect(env.PUSH_AUTH).toBe('on');
    for (const name of ['GCP_PROJECT_ID', 'PUSH_AUDIENCE', 'PUSH_SERVICE_ACCOUNTS', 'CATBOOST_V9_MODEL_PATH', 'BIGQUERY_DATASET', 'BUILD_COMMIT']) {
      expect(env[name], name).toMatch(/^\$\{[A-Z_0-9]+\}$/);
    }
  });

  it('answers within the ack deadline, keeps one warm instance, boosts start-up CPU and bounds concurrency', () => {
    const ack = setting('ACK_DEADLINE_SECONDS');
    expect(ack).toBe(60);
    expect(template.spec.timeoutSeconds).toBeLessThan(ack);
    expect(template.spec.containerConcurrency).toBeGreaterThan(5); // the original's 5 failed a 220-push burst
    expect(template.spec.containerConcurrency).toBeLessThanOrEqual(1000);
    const a = template.metadata.annotations;
    expect(Number(a['autoscaling.knative.dev/minScale'])).toBeGreaterThanOrEqual(1);
    expect(Number(a['autoscaling.knative.dev/maxScale'])).toBeGreaterThan(Number(a['autoscaling.knative.dev/minScale']));
    expect(a['run.googleapis.com/startup-cpu-boost']).toBe('true');
  });

  it('ends with the traffic block deploy.sh replaces (pinned to the serving revision until the new one is ready)', () => {
    expect(Object.keys(service.spec).at(-1)).toBe('traffic');
    expect(read('deploy/service.yaml').trimEnd().split('\n').slice(-3)).toEqual(['  traffic:', '    - latestRevision: true', '      percent: 100']);
  });
});

describe('cloudbuild.yaml', () => {
  const build = YAML.parse(read('cloudbuild.yaml'));
  const ids: string[] = build.steps.map((s: { id: string }) => s.id);
  const step = (id: string) => build.steps.find((s: { id: string }) => s.id === id);
  const text = (id: string) => JSON.stringify(step(id));

  it('typechecks and runs npm test before building the image, and checks the registry and tables before deploying', () => {
    expect(ids).toEqual(['npm-ci', 'typecheck', 'test', 'resolve-champion', 'registry-check', 'bigquery-check', 'image', 'deploy']);
    expect(step('typecheck').args).toEqual(['run', '--silent', 'typecheck']);
    expect(step('test').args).toEqual(['test']);
    expect(text('registry-check')).toContain('npm run --silent cli -- registry check');
    expect(text('registry-check')).toContain('CATBOOST_V9_MODEL_PATH=\\"$$CHAMPION_PATH\\"');
    expect(step('bigquery-check').args).toEqual(['run', '--silent', 'cli', '--', 'bigquery', 'check']);
  });

  it('runs npm test as on a laptop: never with PW_FULL_SUITE (node:24-bookworm-slim has no chromium, venv or shared models)', () => {
    // With the switch, machine-dependent tests fail where their tool is missing; only .ci/run sets it.
    for (const s of build.steps as Array<{ id: string }>) expect(JSON.stringify(s), s.id).not.toContain('PW_FULL_SUITE');
    expect(JSON.stringify(build.options ?? {})).not.toContain('PW_FULL_SUITE');
    expect(read('.ci/run')).toMatch(/^export PW_FULL_SUITE=1$/m);
  });

  it('runs the checks on the image Node major (24)', () => {
    for (const id of ['npm-ci', 'typecheck', 'test', 'registry-check', 'bigquery-check']) expect(step(id).name, id).toBe('node:24-bookworm-slim');
  });

  it('tags every image with $BUILD_ID (present for manual builds too) and the short sha when there is one', () => {
    expect(text('image')).toContain('tags=(--tag \\"$$IMAGE:$$BUILD\\")');
    expect(step('image').env).toEqual(expect.arrayContaining(['BUILD=$BUILD_ID', 'SHORT=$SHORT_SHA']));
    expect(text('image')).toContain('if [ -n \\"$$SHORT\\" ]');
    expect(build.images).toEqual(['${_IMAGE}:$BUILD_ID']);
    expect(build.options.substitutionOption).toBe('ALLOW_LOOSE');
    expect(build.options.dynamicSubstitutions).toBe(true);
  });

  it('deploys through deploy/deploy.sh with the image of this build, never with env-wiping flags', () => {
    expect(text('deploy')).toContain('deploy/deploy.sh deploy --image \\"$$IMAGE:$$BUILD\\"');
    expect(read('cloudbuild.yaml')).not.toMatch(/--set-env-vars|gcloud run deploy/);
    expect(text('resolve-champion')).toContain('deploy/deploy.sh resolve');
    // the service URL (PUSH_AUDIENCE) from the built-in project number: no resourcemanager role needed
    expect(step('deploy').env).toContain('PROJECT_NUMBER=$PROJECT_NUMBER');
  });
});

describe('Dockerfile', () => {
  it('builds and runs on Node 24 (current LTS) in every stage', () => {
    const froms = [...read('Dockerfile').matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const f of froms) expect(f).toBe('node:24-bookworm-slim');
  });

  it('the image and npm start run the worker with WORKER_NODE_FLAGS: the same V8 heap caps as its storage thread (docs/worker.md, Memory)', () => {
    expect(WORKER_NODE_FLAGS).toContain(`--max-old-space-size=${STORAGE_THREAD_OLD_GENERATION_MB}`);
    expect(WORKER_NODE_FLAGS).toContain('--always-sparkplug');
    const cmd = /^CMD (\[.*\])$/m.exec(read('Dockerfile'))![1]!;
    expect(JSON.parse(cmd)).toEqual(['node', ...WORKER_NODE_FLAGS, 'dist/src/worker/server.js']);
    expect(JSON.parse(read('package.json')).scripts.start).toMatch(new RegExp(`^exec node ${WORKER_NODE_FLAGS.join(' ')} --env-file`));
  });

  it('package.json engines allow Node 22 and 24', () => {
    const pkg = JSON.parse(read('package.json'));
    expect(pkg.engines.node).toBe('^22.12.0 || ^24.0.0');
  });
});
