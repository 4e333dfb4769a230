/**
 * The lifecycle commands end to end: `evaluate` on synthetic days in an in-memory DuckDB with the
 * project's demo models, and `registry list|check|retire|promote` on COPIES of
 * config/monthly-models.ts and config/local.env in a temp dir (the real files are never touched).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDuckDbStorage } from '../../src/storage/duckdb/index.js';
import type { Storage } from '../../src/storage/storage.js';
import { loadConfig } from '../../config/env.js';
import { isPwError } from '../../src/errors.js';
import type { CliIo } from '../../src/cli/io.js';
import * as evaluate from '../../src/cli/commands/evaluate.js';
import * as registryCmd from '../../src/cli/commands/registry.js';
import * as compareCmd from '../../src/cli/commands/compare.js';
import { gradePredictions } from '../../src/grading/grade.js';
import { insertEntry, parseRegistryText } from '../../src/lifecycle/registry-file.js';
import { registrySnippet } from '../../src/lifecycle/snippet.js';
import { CHAMPION_FILE, DEEP_FILE, REPO_ROOT, repoModelStore, seedEvaluationDays, type Seeded } from '../helpers/lifecycle-seed.js';
import { actualRow, predictionRow } from '../helpers/post-game-rows.js';

const HAVE_MODELS = existsSync(join(REPO_ROOT, DEEP_FILE)) && existsSync(join(REPO_ROOT, CHAMPION_FILE));
const Q43_FILE = 'models/catboost_v9_demo_q43.cbm';
const REAL_REGISTRY = join(REPO_ROOT, 'config/monthly-models.ts');
const REAL_ENV = join(REPO_ROOT, 'config/local.env');
/** Base texts for the copies: the tests' own, so they do not depend on what the real files hold today. */
const BASE_REGISTRY = `import type { RegistryEntryInput } from './registry.js';

export const MONTHLY_MODELS: Record<string, RegistryEntryInput> = {};
`;
const BASE_ENV = `# local mode
PUSH_AUTH=off
STORAGE_BACKEND=embedded
CATBOOST_V9_MODEL_PATH=models/catboost_v9_demo_champion.cbm
`;
const sha = (file: string) => createHash('sha256').update(readFileSync(join(REPO_ROOT, file))).digest('hex');

let out = '';
let err = '';
const io: CliIo = { out: (s) => void (out += s), err: (s) => void (err += s), env: {}, cwd: REPO_ROOT };
const config = loadConfig({ PUSH_AUTH: 'off', AUDIT_ACTOR: 'tester@example.com' });
let tmp: string;
let registryCopy: string;
let envCopy: string;

beforeEach(() => {
  out = '';
  err = '';
});

/** The snippet block of evaluate's output (between the title line and "Next steps"). */
function snippetOf(text: string): string {
  const start = text.indexOf('\n', text.indexOf('MONTHLY_MODELS entry (paste into')) + 1;
  return text.slice(start, text.indexOf('Next steps'));
}

describe.skipIf(!HAVE_MODELS)('evaluate', () => {
  let storage: Storage;
  let seeded: Seeded;
  const realRegistryBefore = readFileSync(REAL_REGISTRY, 'utf8');
  beforeAll(async () => {
    storage = await openDuckDbStorage({ path: ':memory:' });
    seeded = await seedEvaluationDays(storage, { days: 6, lineShift: 2 });
    tmp = mkdtempSync(join(tmpdir(), 'pw-evaluate-'));
    registryCopy = join(tmp, 'monthly-models.ts');
    writeFileSync(registryCopy, BASE_REGISTRY);
  });
  afterAll(async () => {
    await storage.close();
    rmSync(tmp, { recursive: true, force: true });
  });
  const deps = () => ({ storage, config, store: repoModelStore(), now: new Date('2026-03-01T12:00:00Z') });
  const window = () => ['--train-start', '2025-11-02', '--train-end', '2026-01-31', '--eval-start', seeded.dates[0]!, '--eval-end', seeded.dates.at(-1)!];

  it('a model that passes every gate prints a paste-ready entry that parses with parseRegistry', async () => {
    const code = await evaluate.run(
      ['--model', DEEP_FILE, '--name', 'DEEP_EXPERIMENT', ...window(), '--upload-path', 'gs://nba-props-platform-models/catboost/v9/monthly/', '--registry-file', registryCopy],
      io,
      deps(),
    );
    expect(err).toBe('');
    expect(out).toMatch(/^Hit rate edge 3\+\s+HR edge 3\+ >= 60%\s+\d+\.\d% \(N=\d+\); HR all \d+\.\d% \(N=\d+\)\s+PASS$/m);
    expect(out).toContain(`ALL 7 GATES PASSED`);
    expect(code).toBe(0);
    expect(out).toContain(`rows   ${seeded.championLineRows} matched on the champion's book lines`);

    const registry = parseRegistryText(insertEntry(readFileSync(registryCopy, 'utf8'), snippetOf(out)));
    const entry = registry['catboost_v9_train1102_0131']!;
    expect(entry).toMatchObject({
      model_path: `gs://nba-props-platform-models/catboost/v9/monthly/catboost_v9_demo_deep-${sha(DEEP_FILE)}.cbm`,
      train_start: '2025-11-02',
      train_end: '2026-01-31',
      eval_start: seeded.dates[0],
      eval_end: seeded.dates.at(-1),
      enabled: true,
      description: 'DEEP_EXPERIMENT',
      sha256: sha(DEEP_FILE),
      feature_set: 'v9',
    });
    expect(entry.backtest_n_edge_3plus).toBeGreaterThanOrEqual(50);
    expect(entry.backtest_hit_rate_edge_3plus).toBeGreaterThanOrEqual(60);
    expect(out).toContain(`model upload ${DEEP_FILE} --bucket gs://nba-props-platform-models/catboost/v9/monthly/`);
    expect(out).toContain(`creates gs://nba-props-platform-models/catboost/v9/monthly/catboost_v9_demo_deep-${sha(DEEP_FILE)}.cbm`);
    expect(out).toMatch(/Next steps\n1\. Upload:[^\n]*\n2\. Paste:[^\n]*\n3\. Deploy:[^\n]*\n4\. Compare:[^\n]*\n5\. Decide:/);
  });

  it('failing gates: no entry, "GATES FAILED", exit 1; --force-snippet prints it marked as failing', async () => {
    // the champion's own file cannot beat the champion's MAE on the champion's rows
    const args = ['--model', CHAMPION_FILE, '--name', 'SAME', ...window(), '--system-id', 'catboost_v9_same', '--registry-file', registryCopy];
    expect(await evaluate.run(args, io, deps())).toBe(1);
    expect(out).toMatch(/^MAE improvement\s+MAE < [\d.]+ \(champion on the same rows\)\s+[\d.]+\s+FAIL$/m);
    expect(out).toContain('GATES FAILED: do not deploy this model (MAE improvement');
    expect(out).not.toContain('MONTHLY_MODELS entry');

    out = '';
    expect(await evaluate.run([...args, '--force-snippet'], io, deps())).toBe(1);
    expect(out).toContain('GATES FAILED, printed only because of --force-snippet');
    const snippet = snippetOf(out);
    expect(snippet).toMatch(/^ {2}\/\/ GATES FAILED \(MAE improvement/);
    expect(Object.keys(parseRegistryText(insertEntry(readFileSync(registryCopy, 'utf8'), snippet)))).toEqual(['catboost_v9_same']);
  });

  it('every verdict is recorded in the audit trail; --add inserts the entry (recorded as entry_added); --json has the documented keys', async () => {
    const before = (await storage.registryEvents.list()).length;
    const fail = ['--model', CHAMPION_FILE, '--name', 'SAME', ...window(), '--system-id', 'catboost_v9_audit_fail', '--registry-file', registryCopy];
    expect(await evaluate.run(fail, io, deps())).toBe(1);
    const failed = (await storage.registryEvents.list()).filter((e) => e.system_id === 'catboost_v9_audit_fail');
    expect(failed.map((e) => [e.action, e.verdict?.split(':')[0], e.to_sha256])).toEqual([['evaluate', 'FAIL', sha(CHAMPION_FILE)]]);
    // a forced --add needs a reason
    const noReason = await evaluate.run([...fail, '--force-snippet', '--add'], io, deps()).catch((e: unknown) => e);
    expect(isPwError(noReason, 'PW_ERR_CLI_USAGE')).toBe(true);

    out = '';
    const pass = ['--model', DEEP_FILE, '--name', 'DEEP', ...window(), '--system-id', 'catboost_v9_audit_pass', '--upload-path', 'gs://pw-models/v9/', '--registry-file', registryCopy, '--add', '--json'];
    expect(await evaluate.run(pass, io, deps())).toBe(0);
    const doc = JSON.parse(out) as Record<string, unknown> & { model: { model_path: string }; added: boolean };
    const documented = /^## `evaluate`[\s\S]*?^keys: (.+)$/m.exec(readFileSync(join(REPO_ROOT, 'docs/cli-json.md'), 'utf8'))![1]!.split(', ').map((k) => k.replace(/`/g, ''));
    expect(Object.keys(doc)).toEqual(documented);
    expect(doc.added).toBe(true);
    expect(doc.model.model_path).toBe(`gs://pw-models/v9/catboost_v9_demo_deep-${sha(DEEP_FILE)}.cbm`);
    expect(parseRegistryText(readFileSync(registryCopy, 'utf8'))['catboost_v9_audit_pass']).toMatchObject({ enabled: true, model_path: doc.model.model_path, sha256: sha(DEEP_FILE) });
    const passed = (await storage.registryEvents.list()).filter((e) => e.system_id === 'catboost_v9_audit_pass');
    expect(passed.map((e) => [e.action, e.verdict, e.to_path])).toEqual([
      ['evaluate', 'PASS: all 7 gates', doc.model.model_path],
      ['entry_added', 'PASS', doc.model.model_path],
    ]);
    expect((await storage.registryEvents.list()).length).toBe(before + 3);
  });

  it('--upload-path must be a gs:// folder: s3:// and a bare bucket are refused before anything runs', async () => {
    for (const bad of ['s3://pw-models/v9/', 'gs://pw-models']) {
      const e = await evaluate.run(['--model', DEEP_FILE, '--name', 'X', ...window(), '--upload-path', bad, '--registry-file', registryCopy], io, deps()).catch((x: unknown) => x);
      expect(isPwError(e, 'PW_ERR_GCS_PATH'), bad).toBe(true);
    }
  });

  it('--baseline-mae replaces the champion MAE as the bar', async () => {
    const args = ['--model', DEEP_FILE, '--name', 'X', ...window(), '--baseline-mae', '1', '--registry-file', registryCopy];
    expect(await evaluate.run(args, io, deps())).toBe(1);
    expect(out).toMatch(/^MAE improvement\s+MAE < 1\.000 \(--baseline-mae\)\s+[\d.]+\s+FAIL$/m);
  });

  it('overlap guard: BLOCKED before any model or storage is touched', async () => {
    const untouchable = new Proxy({} as Storage, {
      get() {
        throw new Error('storage must not be touched');
      },
    });
    const code = await evaluate.run(
      ['--model', 'models/does-not-exist.cbm', '--name', 'X', '--train-start', '2025-11-02', '--train-end', '2026-02-15', '--eval-start', '2026-02-01', '--eval-end', '2026-02-08'],
      io,
      { storage: untouchable, config },
    );
    expect(code).toBe(1);
    expect(err).toContain('BLOCKED: training/eval date overlap');
    expect(err).toContain('8 eval day(s) inside the training window (2026-02-01..2026-02-08)');
    expect(err).toContain('--train-end 2026-01-31');
    expect(out).toBe('');
  });

  it('refuses a system_id already in the registry', async () => {
    const withEntry = insertEntry(realRegistryBefore, registrySnippet({
      systemId: 'catboost_v9_train1102_0131', modelPath: DEEP_FILE, trainStart: '2025-11-02', trainEnd: '2026-01-31', evalStart: '2026-02-01', evalEnd: '2026-02-08',
      maePoints: 4, hitRateAllPct: 55, hitRateEdge3Pct: 60, nEdge3: 50, description: 'x', sha256: sha(DEEP_FILE),
      gates: { outcome: 'passed', evaluated_on: '2026-02-09', failed: [], training_window: 'unverified' },
    }));
    const copy = join(tmp, 'with-entry.ts');
    writeFileSync(copy, withEntry);
    const e = await evaluate.run(['--model', DEEP_FILE, '--name', 'X', ...window(), '--registry-file', copy], io, deps()).catch((x: unknown) => x);
    expect(isPwError(e, 'PW_ERR_CLI_USAGE')).toBe(true);
    expect(String((e as Error).message)).toContain('already in');
  });

  it('never edits the real registry file', () => {
    expect(readFileSync(REAL_REGISTRY, 'utf8')).toBe(realRegistryBefore);
  });
});

// --- registry ---------------------------------------------------------------------------------

const GOOD = 'catboost_v9_train1102_0131';
const BAD = 'catboost_v9_q43_train1102_0131';
/** Better by 4 bets in 8 days (the issue's "56.5 % vs 55.6 %" kind of noise): must be refused. */
const NOISE = 'catboost_v9_noise_train1102_0131';
const DATES = ['2026-02-05', '2026-02-06', '2026-02-07', '2026-02-08', '2026-02-09', '2026-02-10', '2026-02-11', '2026-02-12'];

function entrySnippet(id: string, file: string, o: { sha256?: string; gates?: 'passed' | 'failed' } = {}): string {
  return registrySnippet({
    systemId: id,
    modelPath: file,
    trainStart: '2025-11-02',
    trainEnd: '2026-01-31',
    evalStart: '2026-02-01',
    evalEnd: '2026-02-08',
    maePoints: 4.5,
    hitRateAllPct: 56,
    hitRateEdge3Pct: 62,
    nEdge3: 55,
    description: `${id} test entry`,
    sha256: o.sha256 ?? sha(file),
    gates:
      o.gates === 'failed'
        ? { outcome: 'failed', evaluated_on: '2026-02-09', failed: ['Hit rate edge 3+'], training_window: 'verified' }
        : { outcome: 'passed', evaluated_on: '2026-02-09', failed: [], training_window: 'verified' },
  });
}

describe.skipIf(!HAVE_MODELS)('registry', () => {
  let storage: Storage;
  const realEnvBefore = readFileSync(REAL_ENV, 'utf8');
  const deps = () => ({ storage, config, store: repoModelStore(), now: new Date('2026-02-13T12:00:00Z') });
  const files = () => ['--registry-file', registryCopy];

  beforeAll(async () => {
    storage = await openDuckDbStorage({ path: ':memory:' });
    // 30 players a day, line 20.5; champion OVER (25), GOOD always UNDER (16), BAD always wrong.
    // 20 of 30 score 15 -> GOOD wins 2/3, the champion 1/3.
    for (const [d, date] of DATES.entries()) {
      const preds = [];
      const actuals = [];
      for (let i = 0; i < 30; i++) {
        const player = `p${i}`;
        const points = i < 20 ? 15 : 25;
        preds.push(predictionRow({ game_date: date, player_lookup: player, predicted_points: 25, line_value: 20.5 }));
        preds.push(predictionRow({ game_date: date, system_id: GOOD, player_lookup: player, predicted_points: 16, line_value: 20.5 }));
        preds.push(predictionRow({ game_date: date, system_id: BAD, player_lookup: player, predicted_points: points === 15 ? 25 : 16, line_value: 20.5 }));
        // like the champion (OVER) except player 0 on every other day, who it takes UNDER and wins
        preds.push(predictionRow({ game_date: date, system_id: NOISE, player_lookup: player, predicted_points: i === 0 && d % 2 === 0 ? 16 : 25, line_value: 20.5 }));
        actuals.push(actualRow({ game_date: date, player_lookup: player, points }));
      }
      await storage.accuracy.replaceDate(date, gradePredictions(preds, actuals, `${date}T23:00:00.000Z`));
    }
  });
  afterAll(async () => {
    await storage.close();
  });
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'pw-registry-'));
    registryCopy = join(tmp, 'monthly-models.ts');
    envCopy = join(tmp, 'local.env');
    let text = BASE_REGISTRY;
    text = insertEntry(text, entrySnippet(GOOD, DEEP_FILE));
    text = insertEntry(text, entrySnippet(BAD, Q43_FILE));
    text = insertEntry(text, entrySnippet(NOISE, Q43_FILE));
    writeFileSync(registryCopy, text);
    writeFileSync(envCopy, BASE_ENV);
    return () => rmSync(tmp, { recursive: true, force: true });
  });

  it('list: one line per entry with enabled, path, windows, backtest numbers and sha256 prefix', async () => {
    expect(await registryCmd.run(['list', ...files()], io, deps())).toBe(0);
    expect(out).toContain('3 entries, 3 enabled');
    const line = out.split('\n').find((l) => l.startsWith(GOOD))!;
    expect(line).toMatch(new RegExp(`^${GOOD}\\s+yes\\s+${DEEP_FILE}\\s+2025-11-02\\.\\.2026-01-31\\s+2026-02-01\\.\\.2026-02-08\\s+4\\.500\\s+56\\.0\\s+62\\.0 \\(N=55\\)\\s+v9\\s+${sha(DEEP_FILE).slice(0, 12)}$`));
  });

  it('check: verifies the champion and every enabled entry; a wrong sha256 fails with exit 1', async () => {
    expect(await registryCmd.run(['check', ...files()], io, deps())).toBe(0);
    expect(out).toContain('all 4 models verified');
    out = '';
    writeFileSync(registryCopy, readFileSync(registryCopy, 'utf8').replace(sha(Q43_FILE), 'f'.repeat(64)));
    expect(await registryCmd.run(['check', ...files()], io, deps())).toBe(1);
    expect(out).toMatch(new RegExp(`^${BAD}\\s+FAIL\\s+.*PW_ERR_MODEL_SHA256`, 'm'));
    expect(out).toContain('1 of 4 models FAILED verification');
  });

  it('retire: disables that entry in the file with a dated reason, re-parses, reminds to deploy', async () => {
    expect(await registryCmd.run(['retire', BAD, '--reason', 'underperformed champion by 5pp', ...files()], io, deps())).toBe(0);
    const registry = parseRegistryText(readFileSync(registryCopy, 'utf8'));
    expect(registry[BAD]!.enabled).toBe(false);
    expect(registry[GOOD]!.enabled).toBe(true);
    expect(readFileSync(registryCopy, 'utf8')).toContain('    enabled: false, // Retired 2026-02-13: underperformed champion by 5pp\n');
    expect(out).toContain('-     enabled: true,');
    expect(out).toContain('+     enabled: false, // Retired 2026-02-13: underperformed champion by 5pp');
    expect(out).toContain('re-parsed: 3 entries, 2 enabled');
    expect(out).toContain('git push');
    // retiring it again changes nothing
    const before = readFileSync(registryCopy, 'utf8');
    expect(await registryCmd.run(['retire', BAD, '--reason', 'again', ...files()], io, deps())).toBe(1);
    expect(readFileSync(registryCopy, 'utf8')).toBe(before);
  });

  it('retire refuses the champion, unknown ids and a missing reason', async () => {
    for (const args of [['retire', 'catboost_v9', '--reason', 'x'], ['retire', 'catboost_v9_nope', '--reason', 'x'], ['retire', GOOD]]) {
      const e = await registryCmd.run([...args, ...files()], io, deps()).catch((x: unknown) => x);
      expect(isPwError(e, 'PW_ERR_CLI_USAGE')).toBe(true);
    }
    expect(Object.values(parseRegistryText(readFileSync(registryCopy, 'utf8'))).every((e) => e.enabled)).toBe(true);
  });

  it('promote: a better challenger gets the gcloud command (--update-env-vars), local.env and the registry updated', async () => {
    expect(await registryCmd.run(['promote', GOOD, '--to', '2026-02-12', ...files(), '--env-file', envCopy], io, deps())).toBe(0);
    expect(out).toContain('VERDICT: CHALLENGER BETTER');
    expect(out).toMatch(/PASS {2}verdict: CHALLENGER BETTER/);
    expect(out).toContain('PASS  game days: 8 graded game days >= 7');
    expect(out).toContain('PASS  sample: 240 decided matched bets >= --min-n 50');
    expect(out).toContain('PASS  gates: passed (evaluated 2026-02-09, training window verified)');
    // A local path is not in the Cloud Run image: no command is printed for it, with the reason
    // (issue 11: following the old printed command made the worker refuse its champion).
    expect(out).not.toContain('gcloud run services update');
    expect(out).toMatch(/NOT PRINTED: PW_ERR_GCS_PATH: .*'models\/catboost_v9_demo_deep\.cbm': a local path is not in the Cloud Run image/);
    expect(out).not.toContain('--set-env-vars=');
    // The env file gets the path AND its sha256, together.
    expect(readFileSync(envCopy, 'utf8')).toBe(
      `${BASE_ENV.replace(/^CATBOOST_V9_MODEL_PATH=.*$/m, `CATBOOST_V9_MODEL_PATH=${DEEP_FILE}`)}CATBOOST_V9_MODEL_SHA256=${sha(DEEP_FILE)}\n`,
    );
    const text = readFileSync(registryCopy, 'utf8');
    expect(parseRegistryText(text)[GOOD]!.enabled).toBe(false);
    // the replaced champion keeps running in shadow, enabled, with its path and sha256
    const prev = parseRegistryText(text)['catboost_v9_prev_20260213']!;
    expect(prev).toMatchObject({
      model_path: CHAMPION_FILE,
      sha256: sha(CHAMPION_FILE),
      enabled: true,
      shadow_from: '2026-02-13',
      shadow_until: '2026-02-27',
      gates: { outcome: 'previous_champion', training_window: 'unverified' },
      backtest_hit_rate_all: 33.3,
    });
    expect(prev.train_end).toBeUndefined();
    expect(out).toContain('catboost_v9_prev_20260213: the previous champion (models/catboost_v9_demo_champion.cbm) keeps running in shadow until 2026-02-27');
    out = '';
    await registryCmd.run(['list', ...files()], io, { ...deps(), now: new Date('2026-02-28T12:00:00Z') });
    expect(out).toContain('note: catboost_v9_prev_20260213 was to shadow until 2026-02-27');
    // the rollback comparison starts on the promotion day (shadow_from), not at some training end
    out = '';
    await compareCmd.run(['catboost_v9_prev_20260213', '--to', '2026-02-20', '--registry-file', registryCopy], io, deps());
    expect(out).toContain('compare catboost_v9_prev_20260213 vs catboost_v9, 2026-02-13..2026-02-20');
    expect(text).toContain(
      'enabled: false, // Promoted 2026-02-13: now runs as catboost_v9; CHALLENGER BETTER, HR all 66.7% (N=240) vs 33.3% (N=240), 2026-02-01..2026-02-12',
    );
    // already promoted: refused
    out = '';
    expect(await registryCmd.run(['promote', GOOD, '--to', '2026-02-12', ...files(), '--env-file', envCopy], io, deps())).toBe(1);
    expect(out).toContain('FAIL  entry state: disabled');
  });

  it('the noise case: a challenger a little ahead (old rule: HR >= champion and N >= 50) is refused as NOT YET DECIDED', async () => {
    expect(await registryCmd.run(['promote', NOISE, '--to', '2026-02-12', ...files(), '--env-file', envCopy], io, deps())).toBe(1);
    expect(out).toContain('VERDICT: NOT YET DECIDED');
    expect(out).toContain('hit rate      catboost_v9_noise_train1102_0131 35.0% (N=240) vs catboost_v9 33.3% (N=240)');
    expect(out).toMatch(/FAIL {2}verdict: NOT YET DECIDED/);
    expect(out).toContain('PASS  sample: 240 decided matched bets >= --min-n 50');
    expect(out).toContain('REFUSED');
    expect(readFileSync(envCopy, 'utf8')).toBe(BASE_ENV);
  });

  it('promote refuses a worse challenger, too few bets or days, failed gates, and changes nothing; --force needs --reason and says so loudly', async () => {
    const regBefore = readFileSync(registryCopy, 'utf8');
    expect(await registryCmd.run(['promote', BAD, ...files(), '--env-file', envCopy], io, deps())).toBe(1);
    expect(out).toMatch(/FAIL {2}verdict: CHAMPION BETTER/);
    expect(out).toContain('REFUSED');
    out = '';
    expect(await registryCmd.run(['promote', GOOD, '--min-n', '241', ...files(), '--env-file', envCopy], io, deps())).toBe(1);
    expect(out).toContain('FAIL  sample: 240 decided matched bets >= --min-n 241');
    out = '';
    expect(await registryCmd.run(['promote', GOOD, '--min-days', '9', ...files(), '--env-file', envCopy], io, deps())).toBe(1);
    expect(out).toContain('FAIL  game days: 8 graded game days >= 9');
    expect(readFileSync(registryCopy, 'utf8')).toBe(regBefore);
    expect(readFileSync(envCopy, 'utf8')).toBe(BASE_ENV);

    // the --force-snippet case: an entry whose gates FAILED is refused even when it wins
    writeFileSync(registryCopy, regBefore.replace(entrySnippet(GOOD, DEEP_FILE), entrySnippet(GOOD, DEEP_FILE, { gates: 'failed' })));
    out = '';
    expect(await registryCmd.run(['promote', GOOD, ...files(), '--env-file', envCopy], io, deps())).toBe(1);
    expect(out).toContain('FAIL  gates: gates FAILED on 2026-02-09: Hit rate edge 3+');

    out = '';
    expect(await registryCmd.run(['promote', BAD, '--force', ...files(), '--env-file', envCopy], io, deps())).toBe(1);
    expect(out).toContain('--force needs --reason');
    out = '';
    expect(await registryCmd.run(['promote', BAD, '--force', '--reason', 'champion file lost', ...files(), '--env-file', envCopy], io, deps())).toBe(0);
    expect(out).toContain(`FORCED PROMOTION: ${BAD} FAILS the promotion rules`);
    expect(out).toContain('Reason given: champion file lost');
    expect(readFileSync(registryCopy, 'utf8')).toContain('// Promoted 2026-02-13 (FORCED: champion file lost): now runs as catboost_v9');
  });

  it('promote never compares on days the challenger trained on', async () => {
    const late = readFileSync(registryCopy, 'utf8').replace(/train_end: '2026-01-31',\n(\s+)eval_start: '2026-02-01',\n(\s+)eval_end: '2026-02-08'/, "train_end: '2026-02-10',\n$1eval_start: '2026-02-11',\n$2eval_end: '2026-02-12'");
    writeFileSync(registryCopy, late);
    await registryCmd.run(['promote', GOOD, '--days', '7', '--min-n', '10', '--dry-run', ...files(), '--env-file', envCopy], io, deps());
    expect(out).toContain('window starts 2026-02-11, the day after training ends (2026-02-10)');
    expect(out).toContain('66.7% (N=60)');
    expect(out).toContain('FAIL  game days: 2 graded game days >= 7');
    expect(out).toContain('REFUSED');
    expect(readFileSync(registryCopy, 'utf8')).toBe(late);
  });

  it('never edits the real config files', () => {
    expect(readFileSync(REAL_ENV, 'utf8')).toBe(realEnvBefore);
  });
});
