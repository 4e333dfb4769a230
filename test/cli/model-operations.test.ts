/**
 * Issue 11, "Why": each scenario an operator hit, as a test that failed on the code before.
 * CLI ergonomics (help, errors once, registry syntax errors, unknown ids, slate-zone dates, JSON),
 * one configuration truth (--env-file), promotion and rollback that cannot break the champion
 * (exact Cloud Run commands, audit trail, rollback from it), drift against a deployed worker.
 * Cloud Storage here is an in-memory ObjectSource over the repo's demo models; test/ci/model-ops
 * runs upload/ls and the same flow against fake-gcs-server.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import type { CliIo } from '../../src/cli/io.js';
import type { CommandHelp } from '../../src/cli/help.js';
import * as registryCmd from '../../src/cli/commands/registry.js';
import * as compareCmd from '../../src/cli/commands/compare.js';
import * as gradeCmd from '../../src/cli/commands/grade.js';
import * as signalsCmd from '../../src/cli/commands/signals.js';
import { loadConfig, type Config } from '../../config/env.js';
import { isPwError } from '../../src/errors.js';
import { openDuckDbStorage } from '../../src/storage/duckdb/index.js';
import type { Storage } from '../../src/storage/storage.js';
import { ModelStore, type ObjectSource } from '../../src/models/model-store.js';
import { gradePredictions } from '../../src/grading/grade.js';
import { insertEntry, parseRegistryText } from '../../src/lifecycle/registry-file.js';
import { registrySnippet } from '../../src/lifecycle/snippet.js';
import { buildApp } from '../../src/worker/app.js';
import { pino } from 'pino';
import { CHAMPION_FILE, DEEP_FILE, REPO_ROOT } from '../helpers/lifecycle-seed.js';
import { actualRow, predictionRow } from '../helpers/post-game-rows.js';

const sha = (file: string) => createHash('sha256').update(readFileSync(join(REPO_ROOT, file))).digest('hex');
const GOOD = 'catboost_v9_train1102_0131';
const DATES = ['2026-02-05', '2026-02-06', '2026-02-07', '2026-02-08', '2026-02-09', '2026-02-10', '2026-02-11', '2026-02-12'];
const BUCKET = 'pw-models-test';
const CHAMP_GS = `gs://${BUCKET}/catboost/v9/catboost_v9_demo_champion-${sha(CHAMPION_FILE)}.cbm`;
const DEEP_GS = `gs://${BUCKET}/catboost/v9/catboost_v9_demo_deep-${sha(DEEP_FILE)}.cbm`;

let out = '';
let err = '';
const io = (o: Partial<CliIo> = {}): CliIo => ({ out: (s) => void (out += s), err: (s) => void (err += s), env: {}, cwd: REPO_ROOT, ...o });
let tmp: string;

beforeEach(() => {
  out = '';
  err = '';
  tmp = mkdtempSync(join(tmpdir(), 'pw-modelops-'));
  return () => rmSync(tmp, { recursive: true, force: true });
});

/** Accuracy rows where GOOD beats the champion 2:1 on 30 matched bets a day for 8 days (as in lifecycle-commands). */
async function seedComparison(storage: Storage): Promise<void> {
  for (const date of DATES) {
    const preds = [];
    const actuals = [];
    for (let i = 0; i < 30; i++) {
      const player = `p${i}`;
      preds.push(predictionRow({ game_date: date, player_lookup: player, predicted_points: 25, line_value: 20.5 }));
      preds.push(predictionRow({ game_date: date, system_id: GOOD, player_lookup: player, predicted_points: 16, line_value: 20.5 }));
      actuals.push(actualRow({ game_date: date, player_lookup: player, points: i < 20 ? 15 : 25 }));
    }
    await storage.accuracy.replaceDate(date, gradePredictions(preds, actuals, `${date}T23:00:00.000Z`));
  }
}

function entry(id: string, modelPath: string, file: string): string {
  return registrySnippet({
    systemId: id, modelPath, trainStart: '2025-11-02', trainEnd: '2026-01-31', evalStart: '2026-02-01', evalEnd: '2026-02-08',
    maePoints: 4.5, hitRateAllPct: 56, hitRateEdge3Pct: 62, nEdge3: 55, description: `${id} test entry`, sha256: sha(file),
    gates: { outcome: 'passed', evaluated_on: '2026-02-09', failed: [], training_window: 'verified' },
  });
}

/** A bucket in memory: gs://BUCKET/<name> serves the bytes of a repo file (or replaced bytes). */
function memoryBucket(objects: Record<string, string | Buffer>): ObjectSource {
  const bytesOf = (object: string) => {
    const v = objects[object];
    if (v === undefined) throw Object.assign(new Error('No such object'), { code: 404 });
    return typeof v === 'string' ? readFileSync(join(REPO_ROOT, v)) : v;
  };
  return {
    stat: async (bucket, object) => {
      if (bucket !== BUCKET || objects[object] === undefined) {
        const { PwError } = await import('../../src/errors.js');
        throw new PwError('PW_ERR_MODEL_NOT_FOUND', undefined, `gs://${bucket}/${object}`);
      }
      const b = bytesOf(object);
      return { generation: createHash('md5').update(b).digest('hex'), sizeBytes: b.length };
    },
    download: async (_bucket, object, _v, destination) => writeFileSync(destination, bytesOf(object)),
  };
}

/**
 * A fake of the Cloud Run Admin API v2 for one service: GET service, PATCH service (a new revision,
 * reconciling, an operation that is done on the second poll), GET operation. `failNext` makes the
 * next revision fail to start (operation error, the old revision keeps serving).
 */
async function fakeCloudRun() {
  const NAME = 'projects/nba-props/locations/us-east4/services/prediction-worker';
  let revision = 1;
  let polls = 0;
  let pendingError: string | undefined;
  const state = {
    failNext: false,
    service: {
      name: NAME,
      reconciling: false,
      latestReadyRevision: 'prediction-worker-00001',
      latestCreatedRevision: 'prediction-worker-00001',
      terminalCondition: { type: 'Ready', state: 'CONDITION_SUCCEEDED' },
      template: { containers: [{ image: 'us-west2-docker.pkg.dev/x/y/worker:abc', env: [{ name: 'PUSH_AUDIENCE', value: 'https://worker.example' }, { name: 'CATBOOST_V9_MODEL_PATH', value: CHAMP_GS }] }] },
    } as unknown as { [k: string]: unknown; latestCreatedRevision: string; template: { containers: Array<{ env: Array<{ name: string; value: string }> }> } },
  };
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.url === `/v2/${NAME}` && req.method === 'GET') return send(200, state.service);
      if (req.url === `/v2/${NAME}` && req.method === 'PATCH') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof state.service;
        revision++;
        polls = 0;
        pendingError = state.failNext ? 'Revision prediction-worker-0000' + revision + ' is not ready: container failed to start' : undefined;
        state.failNext = false;
        if (!pendingError) state.service = { ...body, reconciling: true, latestCreatedRevision: `prediction-worker-0000${revision}` };
        return send(200, { name: 'projects/nba-props/locations/us-east4/operations/op-' + revision, done: false });
      }
      if (req.url?.startsWith('/v2/projects/nba-props/locations/us-east4/operations/') && req.method === 'GET') {
        polls++;
        if (polls < 2) return send(200, { name: req.url.slice(4), done: false });
        if (pendingError) return send(200, { name: req.url.slice(4), done: true, error: { code: 9, message: pendingError } });
        state.service = { ...state.service, reconciling: false, latestReadyRevision: state.service.latestCreatedRevision };
        return send(200, { name: req.url.slice(4), done: true, response: state.service });
      }
      send(404, { error: { message: `no route ${req.method} ${req.url}` } });
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get service() {
      return state.service;
    },
    set failNext(v: boolean) {
      state.failNext = v;
    },
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

// --- CLI ergonomics ----------------------------------------------------------------------------

describe('CLI ergonomics', () => {
  it('every command and every sub-command answers --help with usage, flags and an example, exit 0', async () => {
    const commands = readdirSync(join(REPO_ROOT, 'src/cli/commands')).filter((f) => f.endsWith('.ts') && !f.includes('.test.')).map((f) => f.replace(/\.ts$/, ''));
    expect(commands).toEqual(expect.arrayContaining(['compare', 'demo', 'evaluate', 'grade', 'model', 'picks', 'predict', 'predictions', 'registry', 'signals']));
    for (const name of commands) {
      out = '';
      expect(await main([name, '--help'], io()), name).toBe(0);
      expect(out, name).toMatch(/^usage: cli /);
      expect(out, name).toMatch(/\nexamples?:\n {2}npm run --silent cli -- /);
      expect(out, name).toContain('--env-file <path>');
      const mod = (await import(`../../src/cli/commands/${name}.ts`)) as { help: CommandHelp };
      for (const [sub, h] of Object.entries(mod.help.sub ?? {})) {
        out = '';
        expect(await main([name, sub, '--help'], io()), `${name} ${sub}`).toBe(0);
        expect(out, `${name} ${sub}`).toContain(`usage: cli ${h.usage}`);
        expect(out, `${name} ${sub}`).toContain('flags:');
        expect(out, `${name} ${sub}`).toMatch(/examples?:/);
      }
    }
    out = '';
    await main(['registry', 'promote', '--help'], io());
    // issue 12's flags: the window runs since training ended (--days has no default), --min-days,
    // --shadow-days, --force only with --reason.
    expect(out).toMatch(/^ {2}--from <date> .*\(default: the day after the challenger's training ends/m);
    expect(out).toMatch(/^ {2}--days <n> +[^\n]*no default\)$/m);
    expect(out).not.toMatch(/^ {2}--days <n> .*\(default:/m);
    expect(out).toMatch(/^ {2}--min-days <n> .*\(default: 7\)$/m);
    expect(out).toMatch(/^ {2}--shadow-days <n> .*\(default: 14\)$/m);
    expect(out).toMatch(/^ {2}--reason <text> +why \(required with --force/m);
  });

  it('an error is printed once, on one line, with its code', async () => {
    expect(await main(['compare', 'catboost_v9_demo_deep', '--bogus'], io())).toBe(2);
    expect(err.trimEnd().split('\n')).toHaveLength(1);
    expect(err).toMatch(/^error: PW_ERR_CLI_USAGE: /);
    expect(err.match(/Unknown option '--bogus'/g)).toHaveLength(1);
    err = '';
    expect(await main(['registry', 'list', '--registry-file', 'nope.ts'], io())).toBe(1);
    expect(err).toMatch(/^error: PW_ERR_JOB_INPUT: /);
    expect(err.match(/ENOENT/g)).toHaveLength(1);
  });

  it("registry syntax errors name file, line and column, with a hint for Python's True/None", async () => {
    const file = join(tmp, 'monthly-models.ts');
    const text = insertEntry(`export const MONTHLY_MODELS = {};\n`, entry(GOOD, DEEP_FILE, DEEP_FILE));
    const line = text.split('\n').findIndex((l) => l.includes('enabled: true')) + 1;
    writeFileSync(file, text.replace('enabled: true', 'enabled: True'));
    expect(await main(['registry', 'list', '--registry-file', file], io())).toBe(1);
    expect(err).toContain(`PW_ERR_REGISTRY`);
    expect(err).toContain(`${file}:${line}:14`);
    expect(err).toContain("write true, not Python's True");
    err = '';
    writeFileSync(file, text.replace(/sha256: '[0-9a-f]+'/, 'sha256: None'));
    expect(await main(['registry', 'check', '--registry-file', file], io())).toBe(1);
    expect(err).toContain("write null, not Python's None");
    err = '';
    // A schema error names the entry, the field and the entry's line.
    writeFileSync(file, text.replace("feature_set: 'v9'", "feature_set: 'v10'"));
    expect(await main(['registry', 'list', '--registry-file', file], io())).toBe(1);
    expect(err).toContain(`${file}:${text.split('\n').findIndex((l) => l.includes(`${GOOD}:`)) + 1}`);
    expect(err).toContain(`${GOOD}.feature_set`);
  });

  it("a Python-ism in config/monthly-models.ts itself: the CLI names file and line instead of 'True is not defined'", async () => {
    // A working copy of the sources whose registry module says `enabled: True`, run as an operator would.
    const copy = join(tmp, 'repo');
    for (const dir of ['src', 'config', 'models']) cpSync(join(REPO_ROOT, dir), join(copy, dir), { recursive: true });
    copyFileSync(join(REPO_ROOT, 'package.json'), join(copy, 'package.json'));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(copy, 'node_modules'));
    const registry = join(copy, 'config/monthly-models.ts');
    const text = readFileSync(registry, 'utf8');
    const line = text.split('\n').findIndex((l) => l.includes('enabled: true')) + 1;
    writeFileSync(registry, text.replace('enabled: true', 'enabled: True'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'signals', '--game-date', '2026-03-01'], {
      cwd: copy,
      env: { PATH: process.env.PATH, WORKER_DATA_DIR: join(copy, 'data') },
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`PW_ERR_REGISTRY: Invalid MONTHLY_MODELS registry entry at config/monthly-models.ts:${line}:`);
    expect(r.stderr).toContain("write true, not Python's True");
    expect(r.stderr).not.toContain('is not defined');
  }, 60_000);

  describe('with graded rows', () => {
    let storage: Storage;
    beforeAll(async () => {
      storage = await openDuckDbStorage({ path: ':memory:' });
      await seedComparison(storage);
    });
    afterAll(() => storage.close());
    const config = loadConfig({ PUSH_AUTH: 'off' });

    it('compare refuses a mistyped system_id, listing the known ones (it used to say "grading runs the day after" and exit 0)', async () => {
      const e = await compareCmd.run(['catboost_v9_tarin1102_0131', '--to', '2026-02-12'], io(), { storage, config }).catch((x: unknown) => x);
      expect(isPwError(e, 'PW_ERR_CLI_USAGE')).toBe(true);
      expect((e as Error).message).toMatch(/unknown system_id 'catboost_v9_tarin1102_0131'.*known: .*catboost_v9, .*catboost_v9_demo_deep/);
      // an id with graded rows is known even when no longer in the registry
      expect(await compareCmd.run([GOOD, '--to', '2026-02-12'], io(), { storage, config })).toBe(0);
    });

    it('every command taking a system_id refuses an unknown one, listing the known ones', async () => {
      const e = await registryCmd.run(['history', 'catboost_v9_typo'], io(), { storage, config }).catch((x: unknown) => x);
      expect((e as Error).message).toMatch(/unknown system_id 'catboost_v9_typo'.*known: catboost_v9, catboost_v9_demo_deep, catboost_v9_demo_q43/);
      const env = { WORKER_DATA_DIR: join(tmp, 'data') };
      expect(await main(['demo', 'seed', '--game-date', '2026-03-10'], io({ env }))).toBe(0);
      err = '';
      expect(await main(['predictions', 'list', '--game-date', '2026-03-10', '--system', 'catboost_v9_demo_dep'], io({ env }))).toBe(2);
      expect(err).toMatch(/^error: PW_ERR_CLI_USAGE: unknown system_id 'catboost_v9_demo_dep'.*known: .*catboost_v9_demo_deep/);
    });

    it("default dates are the slate's (SLATE_TIME_ZONE), not UTC's", async () => {
      // 03:00 UTC on the 13th is still the 12th in New York: the window must end on the 12th.
      await compareCmd.run([GOOD, '--days', '3', '--json'], io(), { storage, config, now: new Date('2026-02-13T03:00:00Z') });
      const doc = JSON.parse(out) as { to_date: string; matched_rows: number };
      expect(doc.to_date).toBe('2026-02-12');
      expect(doc.matched_rows).toBe(90);
    });

    it('--json reports have the documented top-level keys (docs/cli-json.md)', async () => {
      const doc = readFileSync(join(REPO_ROOT, 'docs/cli-json.md'), 'utf8');
      const documented = new Map([...doc.matchAll(/^## `([a-z.]+)`[\s\S]*?^keys: (.+)$/gm)].map((m) => [m[1]!, m[2]!.split(', ').map((k) => k.replace(/`/g, ''))]));
      const check = (text: string) => {
        const parsed = JSON.parse(text) as Record<string, unknown>;
        expect(documented.get(String(parsed.kind)), String(parsed.kind)).toEqual(Object.keys(parsed));
        return parsed;
      };
      await compareCmd.run([GOOD, '--to', '2026-02-12', '--json'], io(), { storage, config });
      expect(check(out).verdict).toBe('CHALLENGER BETTER');
      out = '';
      await gradeCmd.run(['--game-date', DATES[0]!, '--json'], io(), { storage, config });
      check(out);
      out = '';
      await signalsCmd.run(['--game-date', DATES[0]!, '--json'], io(), { storage, config });
      check(out);
      out = '';
      await registryCmd.run(['list', '--json'], io(), { storage, config });
      check(out);
      out = '';
      await registryCmd.run(['history', '--json'], io(), { storage, config });
      check(out);
      out = '';
      await registryCmd.run(['sync', '--json'], io(), { storage, config });
      check(out);
      expect(documented.size).toBeGreaterThanOrEqual(9);
    });
  });
});

// --- one configuration truth --------------------------------------------------------------------

describe('the CLI reads the env file the worker reads', () => {
  it('--env-file names it; without the flag config/local.env in the working directory is read; --no-env-file reads none', async () => {
    const env = join(tmp, 'other.env');
    writeFileSync(env, `CATBOOST_V9_MODEL_PATH=${DEEP_FILE}\nCATBOOST_V9_MODEL_SHA256=${sha(DEEP_FILE)}\n`);
    expect(await main(['registry', 'list', '--env-file', env], io())).toBe(0);
    expect(out).toContain(`champion catboost_v9: ${DEEP_FILE} (sha256 ${sha(DEEP_FILE).slice(0, 12)})`);

    // A working copy whose config/local.env names another champion: read by default.
    mkdirSync(join(tmp, 'config'));
    copyFileSync(join(REPO_ROOT, 'config/monthly-models.ts'), join(tmp, 'config/monthly-models.ts'));
    writeFileSync(join(tmp, 'config/local.env'), `PUSH_AUTH=off\nCATBOOST_V9_MODEL_PATH=${DEEP_FILE}\n`);
    out = '';
    expect(await main(['registry', 'list'], io({ cwd: tmp }))).toBe(0);
    expect(out).toContain(`champion catboost_v9: ${DEEP_FILE}`);
    // The process environment wins over the file (as with node --env-file).
    out = '';
    await main(['registry', 'list'], io({ cwd: tmp, env: { CATBOOST_V9_MODEL_PATH: 'models/x.cbm' } }));
    expect(out).toContain('champion catboost_v9: models/x.cbm');
    out = '';
    await main(['registry', 'list', '--no-env-file'], io({ cwd: tmp }));
    expect(out).toContain('champion catboost_v9: models/catboost_v9_demo_champion.cbm');
    // An explicit file that does not exist is an error, not a silent default.
    expect(await main(['registry', 'list', '--env-file', 'missing.env'], io({ cwd: tmp }))).toBe(1);
    expect(err).toMatch(/PW_ERR_CONFIG: .*missing\.env/);
  });

  it('through the real launcher (tsx → node), as `npm run cli` runs it: --no-env-file and --env-file <path> reach the CLI', () => {
    // Node scans the whole command line for --env-file (nodejs/node#54232): `--env-file none` would
    // fail inside Node itself, so "no file" is spelled --no-env-file.
    // A working copy whose config/local.env names another champion, so "no file" is visible.
    const cwd = mkdtempSync(join(tmpdir(), 'pw-envfile-'));
    mkdirSync(join(cwd, 'config'));
    copyFileSync(join(REPO_ROOT, 'config/monthly-models.ts'), join(cwd, 'config/monthly-models.ts'));
    writeFileSync(join(cwd, 'config/local.env'), `PUSH_AUTH=off\nCATBOOST_V9_MODEL_PATH=${CHAMPION_FILE}.local\n`);
    const childEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CATBOOST_V9_MODEL')));
    const run = (args: string[]) =>
      spawnSync(join(REPO_ROOT, 'node_modules/.bin/tsx'), [join(REPO_ROOT, 'src/cli/index.ts'), ...args], { cwd, encoding: 'utf8', env: childEnv });
    expect(run(['registry', 'list']).stdout).toContain(`champion catboost_v9: ${CHAMPION_FILE}.local`);
    const none = run(['registry', 'list', '--no-env-file']);
    expect(none.stderr).not.toContain('not found');
    expect(none.status, none.stderr).toBe(0);
    expect(none.stdout).toContain('champion catboost_v9: models/catboost_v9_demo_champion.cbm');
    const env = join(cwd, 'spawned.env');
    writeFileSync(env, `CATBOOST_V9_MODEL_PATH=${DEEP_FILE}\n`);
    const named = run(['registry', 'list', '--env-file', env]);
    expect(named.status, named.stderr).toBe(0);
    expect(named.stdout).toContain(`champion catboost_v9: ${DEEP_FILE}`);
    rmSync(cwd, { recursive: true, force: true });
  });
});

// --- promotion, rollback, audit -----------------------------------------------------------------

describe('promotion and rollback that cannot break the champion', () => {
  let storage: Storage;
  let registryFile: string;
  let envFile: string;
  beforeEach(async () => {
    storage = await openDuckDbStorage({ path: ':memory:' });
    await seedComparison(storage);
    registryFile = join(tmp, 'monthly-models.ts');
    envFile = join(tmp, 'prod.env');
    writeFileSync(registryFile, insertEntry(`export const MONTHLY_MODELS = {};\n`, entry(GOOD, DEEP_GS, DEEP_FILE)));
    writeFileSync(envFile, `# production champion\nCATBOOST_V9_MODEL_PATH=${CHAMP_GS}\nCATBOOST_V9_MODEL_SHA256=${sha(CHAMPION_FILE)}\n`);
    return () => storage.close();
  });
  const objects: Record<string, string | Buffer> = {};
  const store = () => new ModelStore({ cacheDir: join(tmp, 'cache'), objects: memoryBucket(objects) });
  const configFrom = (extra: Record<string, string> = {}): Config =>
    loadConfig({ ...(parseEnv(readFileSync(envFile, 'utf8')) as Record<string, string>), PUSH_AUTH: 'off', AUDIT_ACTOR: 'ops@example.com', CLOUD_RUN_REGION: 'us-east4', ...extra });
  const deps = (o: { now?: string; config?: Config } = {}) => ({ storage, store: store(), config: o.config ?? configFrom(), now: new Date(o.now ?? '2026-02-13T15:00:00Z') });
  const files = () => ['--registry-file', registryFile, '--env-file', envFile];

  beforeEach(() => {
    for (const k of Object.keys(objects)) delete objects[k];
    objects[CHAMP_GS.slice(`gs://${BUCKET}/`.length)] = CHAMPION_FILE;
    objects[DEEP_GS.slice(`gs://${BUCKET}/`.length)] = DEEP_FILE;
  });

  it('promote prints the exact Cloud Run command (gs:// path AND sha256, region from config), audits, and rollback restores the exact previous path and sha256', async () => {
    expect(await registryCmd.run(['promote', GOOD, '--to', '2026-02-12', ...files()], io(), deps())).toBe(0);
    const cmd = `gcloud run services update prediction-worker --region=us-east4 --update-env-vars=CATBOOST_V9_MODEL_PATH=${DEEP_GS},CATBOOST_V9_MODEL_SHA256=${sha(DEEP_FILE)}`;
    expect(out).toContain(cmd);
    // The rollback hint carries the previous sha256 (it used to give the path only: a 503 outage).
    expect(out).toContain(`--update-env-vars=CATBOOST_V9_MODEL_PATH=${CHAMP_GS},CATBOOST_V9_MODEL_SHA256=${sha(CHAMPION_FILE)}`);
    expect(out).not.toMatch(/--set-env-vars=/);
    expect(parseEnv(readFileSync(envFile, 'utf8'))).toMatchObject({ CATBOOST_V9_MODEL_PATH: DEEP_GS, CATBOOST_V9_MODEL_SHA256: sha(DEEP_FILE) });

    const [promoted] = await storage.registryEvents.list();
    expect(promoted).toMatchObject({
      action: 'promote', actor: 'ops@example.com', system_id: GOOD, forced: false,
      from_path: CHAMP_GS, from_sha256: sha(CHAMPION_FILE), to_path: DEEP_GS, to_sha256: sha(DEEP_FILE),
    });
    expect(JSON.parse(promoted!.metrics!)).toMatchObject({
      challenger_hit_rate_all_pct: expect.closeTo(66.67, 1),
      champion_n_decided: 240,
      decision: { verdict: 'CHALLENGER BETTER' },
      shadow_entry: { system_id: 'catboost_v9_prev_20260213', model_path: CHAMP_GS, sha256: sha(CHAMPION_FILE), shadow_until: '2026-02-27' },
    });
    // The replaced champion keeps running in shadow (issue 12), and that entry is audited too.
    expect(parseRegistryText(readFileSync(registryFile, 'utf8'))['catboost_v9_prev_20260213']).toMatchObject({ enabled: true, model_path: CHAMP_GS, sha256: sha(CHAMPION_FILE) });
    expect((await storage.registryEvents.list()).map((e) => [e.action, e.system_id, e.to_path, e.to_sha256])).toEqual([
      ['promote', GOOD, DEEP_GS, sha(DEEP_FILE)],
      ['entry_added', 'catboost_v9_prev_20260213', CHAMP_GS, sha(CHAMPION_FILE)],
    ]);
    expect(out).toContain('catboost_v9_prev_20260213: the previous champion');

    out = '';
    expect(await registryCmd.run(['rollback', '--reason', 'HR fell on day one', ...files()], io(), deps({ now: '2026-02-14T15:00:00Z' }))).toBe(0);
    expect(out).toContain(`checked: ${CHAMP_GS} exists and has sha256 ${sha(CHAMPION_FILE)}`);
    expect(out).toContain(`gcloud run services update prediction-worker --region=us-east4 --update-env-vars=CATBOOST_V9_MODEL_PATH=${CHAMP_GS},CATBOOST_V9_MODEL_SHA256=${sha(CHAMPION_FILE)}`);
    expect(parseEnv(readFileSync(envFile, 'utf8'))).toMatchObject({ CATBOOST_V9_MODEL_PATH: CHAMP_GS, CATBOOST_V9_MODEL_SHA256: sha(CHAMPION_FILE) });
    // The restored champion's shadow entry would run it twice: disabled, and said so in the trail.
    const afterRollback = parseRegistryText(readFileSync(registryFile, 'utf8'));
    expect(afterRollback['catboost_v9_prev_20260213']!.enabled).toBe(false);
    expect(afterRollback[GOOD]!.enabled).toBe(false);
    const rolledBack = (await storage.registryEvents.list()).at(-1)!;
    expect(rolledBack.action).toBe('rollback');
    expect(JSON.parse(rolledBack.metrics!)).toEqual({ shadow_entries_disabled: ['catboost_v9_prev_20260213'] });

    out = '';
    await registryCmd.run(['history', 'catboost_v9'], io(), deps());
    expect(out).toContain('2 event(s) for catboost_v9');
    expect(out).toMatch(new RegExp(`promote\\s+${GOOD}\\s+ops@example.com\\s+${CHAMP_GS.replace(/[.]/g, '\\.')} \\(${sha(CHAMPION_FILE).slice(0, 12)}\\) -> ${DEEP_GS.replace(/[.]/g, '\\.')}`));
    expect(out).toMatch(/rollback\s+catboost_v9\s+ops@example.com\s+.*HR fell on day one/);
  });

  it('rollback checks the previous object first: gone or changed bytes refuse, and nothing moves', async () => {
    await registryCmd.run(['promote', GOOD, '--to', '2026-02-12', ...files()], io(), deps());
    const envAfterPromote = readFileSync(envFile, 'utf8');
    objects[CHAMP_GS.slice(`gs://${BUCKET}/`.length)] = Buffer.from('overwritten in place');
    const changed = await registryCmd.run(['rollback', '--reason', 'x', ...files()], io(), deps()).catch((e: unknown) => e);
    expect(isPwError(changed, 'PW_ERR_ROLLBACK')).toBe(true);
    expect((changed as Error).message).toContain(`${CHAMP_GS} is not available with sha256 ${sha(CHAMPION_FILE)}`);
    delete objects[CHAMP_GS.slice(`gs://${BUCKET}/`.length)];
    const gone = await registryCmd.run(['rollback', '--reason', 'x', ...files()], io(), deps()).catch((e: unknown) => e);
    expect(isPwError(gone, 'PW_ERR_ROLLBACK')).toBe(true);
    expect(readFileSync(envFile, 'utf8')).toBe(envAfterPromote);
    expect((await storage.registryEvents.list()).map((e) => e.action)).toEqual(['promote', 'entry_added']);
    // The configured champion is not the one the trail installed last (changed by hand): refused, --force records it.
    objects[CHAMP_GS.slice(`gs://${BUCKET}/`.length)] = CHAMPION_FILE;
    const handEdited = readFileSync(envFile, 'utf8').replace(DEEP_GS, 'gs://pw-models-test/catboost/v9/hand-picked.cbm');
    writeFileSync(envFile, handEdited);
    const drift = await registryCmd.run(['rollback', '--reason', 'x', ...files()], io(), deps()).catch((e: unknown) => e);
    expect(isPwError(drift, 'PW_ERR_ROLLBACK')).toBe(true);
    expect((drift as Error).message).toContain('changed outside the lifecycle commands');
    expect(readFileSync(envFile, 'utf8')).toBe(handEdited);
    out = '';
    expect(await registryCmd.run(['rollback', '--reason', 'restore after hand edit', '--force', ...files()], io(), deps())).toBe(0);
    expect(out).toContain('FORCED: ');
    expect((await storage.registryEvents.list()).find((e) => e.action === 'rollback')).toMatchObject({ action: 'rollback', forced: true, from_path: 'gs://pw-models-test/catboost/v9/hand-picked.cbm', to_path: CHAMP_GS });
    // and with no promotion recorded there is nothing to roll back to
    const fresh = await openDuckDbStorage({ path: ':memory:' });
    const none = await registryCmd.run(['rollback', '--reason', 'x', ...files()], io(), { ...deps(), storage: fresh }).catch((e: unknown) => e);
    await fresh.close();
    expect((none as Error).message).toMatch(/no earlier champion/);
  });

  it('a local model path gets no Cloud Run command, with the reason; retire and forced promote are audited with their reason', async () => {
    writeFileSync(registryFile, insertEntry(`export const MONTHLY_MODELS = {};\n`, entry(GOOD, DEEP_FILE, DEEP_FILE)));
    await registryCmd.run(['promote', GOOD, '--to', '2026-02-12', '--min-n', '1000', '--force', '--reason', 'season starts tomorrow', ...files()], io(), deps());
    expect(out).not.toContain(`CATBOOST_V9_MODEL_PATH=${DEEP_FILE},`);
    expect(out).toContain('NOT PRINTED: PW_ERR_GCS_PATH');
    expect(out).toContain('a local path is not in the Cloud Run image');
    const [forced] = await storage.registryEvents.list();
    expect(forced).toMatchObject({ action: 'promote', forced: true, reason: 'season starts tomorrow' });
    expect(forced!.verdict).toMatch(/^FORCED: /);
    expect(JSON.parse(forced!.metrics!).rules.some((r: { pass: boolean }) => !r.pass)).toBe(true);

    writeFileSync(registryFile, insertEntry(`export const MONTHLY_MODELS = {};\n`, entry(GOOD, DEEP_GS, DEEP_FILE)));
    expect(await registryCmd.run(['retire', GOOD, '--reason', 'UNDER-only bias', ...files()], io(), deps())).toBe(0);
    expect((await storage.registryEvents.list()).find((e) => e.action === 'retire')).toMatchObject({ action: 'retire', system_id: GOOD, reason: 'UNDER-only bias', from_path: DEEP_GS, from_sha256: sha(DEEP_FILE), actor: 'ops@example.com' });
  });

  it('a store that cannot take the event refuses the action before any file changes (worker holding the embedded file)', async () => {
    const dataDir = join(tmp, 'held');
    const holder = await openDuckDbStorage({ path: join(dataDir, 'prediction-worker.duckdb') });
    try {
      const before = readFileSync(registryFile, 'utf8');
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'registry', 'retire', GOOD, '--reason', 'x', '--registry-file', registryFile, '--env-file', envFile], {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH, WORKER_DATA_DIR: dataDir, AUDIT_ACTOR: 't' },
        encoding: 'utf8',
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^error: PW_ERR_DB_LOCKED: /);
      expect(readFileSync(registryFile, 'utf8')).toBe(before);
    } finally {
      await holder.close();
    }
  }, 60_000);

  it('--apply updates the service through the Cloud Run Admin API (a local fake), waits for the revision, and records it', async () => {
    const fake = await fakeCloudRun();
    try {
      const cfg = configFrom({ GCP_PROJECT_ID: 'nba-props', CLOUD_RUN_API_ENDPOINT: fake.url });
      expect(await registryCmd.run(['promote', GOOD, '--to', '2026-02-12', '--apply', ...files()], io(), { ...deps({ config: cfg }), cloudRunPollMs: 1 })).toBe(0);
      expect(out).toContain('APPLIED: projects/nba-props/locations/us-east4/services/prediction-worker revision prediction-worker-00002 is ready and serving (was prediction-worker-00001)');
      // --update-env-vars semantics: the two champion variables set together, every other one kept.
      expect(fake.service.template.containers[0].env).toEqual([
        { name: 'PUSH_AUDIENCE', value: 'https://worker.example' },
        { name: 'CATBOOST_V9_MODEL_PATH', value: DEEP_GS },
        { name: 'CATBOOST_V9_MODEL_SHA256', value: sha(DEEP_FILE) },
      ]);
      const [promoted] = await storage.registryEvents.list();
      expect(JSON.parse(promoted!.metrics!)).toMatchObject({ cloud_run_revision: 'prediction-worker-00002', cloud_run_previous_revision: 'prediction-worker-00001' });

      // A revision that fails to start: refused, nothing local changes, nothing recorded.
      fake.failNext = true;
      const envBefore = readFileSync(envFile, 'utf8');
      const failed = await registryCmd.run(['rollback', '--reason', 'x', '--apply', ...files()], io(), { ...deps({ config: configFrom({ GCP_PROJECT_ID: 'nba-props', CLOUD_RUN_API_ENDPOINT: fake.url }) }), cloudRunPollMs: 1 }).catch((e: unknown) => e);
      expect(isPwError(failed, 'PW_ERR_CLOUD_RUN')).toBe(true);
      expect((failed as Error).message).toContain('container failed to start');
      expect(readFileSync(envFile, 'utf8')).toBe(envBefore);
      expect((await storage.registryEvents.list()).map((e) => e.action)).toEqual(['promote', 'entry_added']);
    } finally {
      await fake.close();
    }
  });

  it('registry sync writes the registry state to model_registry', async () => {
    expect(await registryCmd.run(['sync', ...files()], io(), deps())).toBe(0);
    const rows = await storage.registry.all();
    expect(rows.map((r) => [r.system_id, r.role, r.enabled, r.model_path, r.sha256])).toEqual([
      ['catboost_v9', 'champion', true, CHAMP_GS, sha(CHAMPION_FILE)],
      [GOOD, 'challenger', true, DEEP_GS, sha(DEEP_FILE)],
    ]);
  });
});

// --- after a promotion, the CLI, the worker and a deployed worker agree -------------------------

describe('registry check --service-url: the drift check against a running worker', () => {
  it('after a promotion the worker built from the same env file serves the new champion, and check finds no drift; the old env drifts', async () => {
    const storage = await openDuckDbStorage({ path: ':memory:' });
    await seedComparison(storage);
    const registryFile = join(tmp, 'monthly-models.ts');
    const envFile = join(tmp, 'local.env');
    writeFileSync(registryFile, insertEntry(readFileSync(join(REPO_ROOT, 'config/monthly-models.ts'), 'utf8'), entry(GOOD, DEEP_FILE, DEEP_FILE)));
    writeFileSync(envFile, readFileSync(join(REPO_ROOT, 'config/local.env'), 'utf8'));
    const before = readFileSync(envFile, 'utf8');
    const cfg = () => loadConfig({ ...(parseEnv(readFileSync(envFile, 'utf8')) as Record<string, string>), AUDIT_ACTOR: 't', LOG_LEVEL: 'silent' });
    const store = new ModelStore({ cwd: REPO_ROOT, cacheDir: join(tmp, 'cache') });
    await registryCmd.run(['promote', GOOD, '--to', '2026-02-12', '--registry-file', registryFile, '--env-file', envFile], io(), { storage, store, config: cfg(), now: new Date('2026-02-13T15:00:00Z') });
    expect(cfg().CATBOOST_V9_MODEL_PATH).toBe(DEEP_FILE);

    // The worker as `npm start` runs it: config from the same env file, the same registry (it now
    // holds the previous champion's shadow entry, which the service must run too).
    const workerStorage = await openDuckDbStorage({ path: ':memory:' });
    const app = buildApp({ config: cfg(), storage: workerStorage, logger: pino({ level: 'silent' }), registryFile });
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      out = '';
      const code = await registryCmd.run(['check', '--service-url', url, '--registry-file', registryFile, '--env-file', envFile], io(), { storage, store, config: cfg() });
      expect(out).toMatch(new RegExp(`^catboost_v9\\s+OK\\s+${DEEP_FILE.replace(/[.]/g, '\\.')} \\(${sha(DEEP_FILE).slice(0, 12)}\\)`, 'm'));
      expect(out).toContain('no drift');
      expect(code).toBe(0);

      // The same service checked against the configuration before the promotion: drift, exit 1.
      writeFileSync(envFile, before);
      out = '';
      const stale = await registryCmd.run(['check', '--service-url', url, '--registry-file', registryFile, '--json'], io(), { storage, store, config: cfg() });
      expect(stale).toBe(1);
      const doc = JSON.parse(out) as { drift: Array<{ system_id: string; status: string }> };
      expect(doc.drift.find((d) => d.system_id === 'catboost_v9')!.status).toBe('PATH');
    } finally {
      await app.close();
      await storage.close();
    }
    const unreachable = await registryCmd.run(['check', '--service-url', 'http://127.0.0.1:9', '--registry-file', registryFile], io(), { storage: await openDuckDbStorage({ path: ':memory:' }), store, config: cfg() }).catch((e: unknown) => e);
    expect(isPwError(unreachable, 'PW_ERR_SERVICE')).toBe(true);
    expect(parseRegistryText(readFileSync(registryFile, 'utf8'))[GOOD]!.enabled).toBe(false);
  }, 60_000);
});
