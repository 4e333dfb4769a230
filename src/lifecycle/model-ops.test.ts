import { describe, expect, it } from 'vitest';
import { isPwError } from '../errors.js';
import { parseRegistry } from '../../config/registry.js';
import { sampleModelRegistryRow, sampleRegistryEventRow } from '../storage/sample-rows.js';
import { actorFrom, championHistory, eventsFor, registryEvent, restoredShadowEntries, rollbackTarget } from './audit.js';
import { championUpdateCommand, cloudRunServiceName, rolloutState, withChampionEnv } from './cloud-run.js';
import { driftReport, expectedModels } from './drift.js';
import { registrySnapshotRows } from './registry-sync.js';

const A = { path: 'gs://pw-models/v9/a.cbm', sha256: 'a'.repeat(64) };
const B = { path: 'gs://pw-models/v9/b.cbm', sha256: 'b'.repeat(64) };
const C = { path: 'gs://pw-models/v9/c.cbm', sha256: 'c'.repeat(64) };
let t = 0;
const ev = (action: 'promote' | 'rollback' | 'retire', from: typeof A, to: typeof A) =>
  registryEvent({ action, actor: 'x', systemId: 'catboost_v9_x', now: new Date(Date.UTC(2026, 1, 1, 0, 0, ++t)), from, to }, () => String(t));

describe('audit trail', () => {
  it('rollback restores the champion before the current one, with its exact sha256; a second rollback goes one further', () => {
    const events = [ev('promote', A, B), ev('retire', C, C), ev('promote', B, C)];
    expect(rollbackTarget(championHistory(events))).toEqual({ from: { path: C.path, sha256: C.sha256 }, to: B });
    const after = [...events, ev('rollback', C, B)];
    expect(rollbackTarget(championHistory(after))).toEqual({ from: { path: B.path, sha256: B.sha256 }, to: A });
    const err = (() => {
      try {
        rollbackTarget(championHistory([...after, ev('rollback', B, A)]));
      } catch (e) {
        return e;
      }
    })();
    expect(isPwError(err, 'PW_ERR_ROLLBACK')).toBe(true);
    expect(() => rollbackTarget(championHistory([]))).toThrow(/no earlier champion/);
  });

  it("rollback disables the restored champion's enabled shadow entries (same path or sha256), nothing else", () => {
    const entry = (path: string, sha256: string, enabled: boolean, outcome: 'passed' | 'previous_champion') => ({
      model_path: path, sha256, enabled, feature_set: 'v9', description: 'x',
      backtest_mae: 4, backtest_hit_rate_all: 55, backtest_hit_rate_edge_3plus: 60, backtest_n_edge_3plus: 50,
      ...(outcome === 'passed' ? { train_start: '2026-01-01', train_end: '2026-01-31' } : {}),
      gates: { outcome, evaluated_on: '2026-02-01', failed: [], training_window: 'unverified' },
    });
    const registry = parseRegistry({
      catboost_v9_prev_20260201: entry(A.path, A.sha256, true, 'previous_champion'),
      catboost_v9_prev_20260110: entry(A.path, A.sha256, false, 'previous_champion'),
      catboost_v9_prev_20260301: entry('gs://pw-models/v9/a-copy.cbm', A.sha256, true, 'previous_champion'),
      catboost_v9_prev_20260115: entry(C.path, C.sha256, true, 'previous_champion'),
      catboost_v9_same_file: entry(A.path, A.sha256, true, 'passed'),
    });
    expect(restoredShadowEntries(registry, A)).toEqual(['catboost_v9_prev_20260201', 'catboost_v9_prev_20260301']);
    expect(restoredShadowEntries(registry, B)).toEqual([]);
  });

  it('a previous champion recorded without a sha256 is refused, never restored unverified', () => {
    expect(() => rollbackTarget(championHistory([ev('promote', { path: A.path, sha256: null as unknown as string }, B)]))).toThrow(/without a sha256/);
  });

  it('history for the champion shows every promote and rollback; the actor rule', () => {
    const events = [ev('promote', A, B), ev('retire', C, C), ev('rollback', B, A)];
    expect(eventsFor('catboost_v9', events).map((e) => e.action)).toEqual(['promote', 'rollback']);
    expect(eventsFor('catboost_v9_x', events)).toHaveLength(3);
    expect(eventsFor('catboost_v9_other', events)).toHaveLength(0);
    expect(actorFrom({ auditActor: ' ci@x ', gcloudAccount: 'me@x' })).toBe('ci@x');
    expect(actorFrom({ gcloudAccount: 'me@example.com\n', user: 'u' })).toBe('me@example.com');
    expect(actorFrom({ gcloudAccount: '(unset)', user: 'u', host: 'h' })).toBe('u@h');
    expect(actorFrom({})).toBe('unknown@localhost');
  });
});

describe('Cloud Run champion command', () => {
  const target = { service: 'prediction-worker', region: 'us-west2' };
  it('is exact and complete: gs:// path AND sha256, service and region from config, --update-env-vars', () => {
    expect(championUpdateCommand({ ...target, project: 'nba-props' }, A.path, A.sha256)).toBe(
      `gcloud run services update prediction-worker --region=us-west2 --project=nba-props --update-env-vars=CATBOOST_V9_MODEL_PATH=${A.path},CATBOOST_V9_MODEL_SHA256=${A.sha256}`,
    );
    expect(championUpdateCommand({ service: 'pw-staging', region: 'europe-west1' }, A.path, A.sha256)).toMatch(/^gcloud run services update pw-staging --region=europe-west1 --update/);
    expect(championUpdateCommand(target, A.path, A.sha256)).not.toContain('--set-env-vars');
  });

  it('refuses a local path, a bad gs:// path and a missing sha256', () => {
    expect(() => championUpdateCommand(target, 'models/catboost_v9_demo_deep.cbm', A.sha256)).toThrow(/a local path is not in the Cloud Run image/);
    expect(() => championUpdateCommand(target, 'gs://bucket', A.sha256)).toThrow(/names a bucket/);
    expect(() => championUpdateCommand(target, 's3://bucket/m.cbm', A.sha256)).toThrow(/not s3/);
    expect(() => championUpdateCommand(target, A.path, null)).toThrow(/sha256 .* missing/);
  });
});

describe('deployment drift', () => {
  const entry = (path: string, enabled: boolean, sha256?: string) => ({
    model_path: path, train_start: '2025-01-01', train_end: '2025-02-01', backtest_mae: 4, backtest_hit_rate_all: 55,
    backtest_hit_rate_edge_3plus: 60, backtest_n_edge_3plus: 50, enabled, description: 'x', ...(sha256 ? { sha256 } : {}),
  });
  const registry = parseRegistry({ catboost_v9_b: entry(B.path, true, B.sha256), catboost_v9_c: entry(C.path, false) });
  const served = (o: Partial<{ system_id: string; path: string; sha256: string; state: string }>) => ({ system_id: 'catboost_v9', enabled: true, state: 'loaded', path: A.path, sha256: A.sha256, ...o });

  it('OK only when path, sha256 and loaded state agree; names each kind of drift', () => {
    const expected = expectedModels(registry, A);
    expect(driftReport(expected, [served({}), served({ system_id: 'catboost_v9_b', path: B.path, sha256: B.sha256 })]).map((r) => r.status)).toEqual(['OK', 'OK']);
    const rows = driftReport(expected, [
      served({ path: 'gs://pw-models/v9/old.cbm' }),
      served({ system_id: 'catboost_v9_c', path: C.path, sha256: C.sha256 }),
    ]);
    expect(rows.map((r) => [r.system_id, r.status])).toEqual([
      ['catboost_v9', 'PATH'],
      ['catboost_v9_b', 'MISSING'],
      ['catboost_v9_c', 'UNEXPECTED'],
    ]);
    expect(driftReport(expected, [served({ sha256: B.sha256 })])[0]!.status).toBe('SHA256');
    expect(driftReport(expected, [served({ state: 'failed' })])[0]!.status).toBe('NOT LOADED');
  });
});

describe('registry sync rows', () => {
  it('one row for the champion and each entry; an entry gone from the file stays with in_registry false', () => {
    const registry = parseRegistry({});
    const previous = [sampleModelRegistryRow({ system_id: 'catboost_v9_gone', role: 'challenger' })];
    const rows = registrySnapshotRows({ registry, champion: A, previous, source: 'f', now: new Date('2026-02-01T00:00:00Z') });
    expect(rows.map((r) => [r.system_id, r.role, r.enabled, r.in_registry, r.model_path])).toEqual([
      ['catboost_v9', 'champion', true, true, A.path],
      ['catboost_v9_gone', 'challenger', false, false, 'gs://pw-models/v9/champion.cbm'],
    ]);
    expect(sampleRegistryEventRow().action).toBe('promote');
  });
});

describe('Cloud Run Admin API rules (--apply)', () => {
  const service = {
    name: 'projects/p/locations/us-west2/services/prediction-worker',
    template: { containers: [{ image: 'img', env: [{ name: 'A', value: '1' }, { name: 'CATBOOST_V9_MODEL_SHA256', value: 'old' }] }, { image: 'sidecar' }] },
  };
  it('sets both champion variables on the first container and keeps everything else', () => {
    const next = withChampionEnv(service, A);
    expect(next.template!.containers![0]!.env).toEqual([{ name: 'A', value: '1' }, { name: 'CATBOOST_V9_MODEL_PATH', value: A.path }, { name: 'CATBOOST_V9_MODEL_SHA256', value: A.sha256 }]);
    expect(next.template!.containers![1]).toEqual({ image: 'sidecar' });
    expect(service.template.containers[0]!.env).toHaveLength(2); // a copy
    expect(() => withChampionEnv(service, { path: 'models/x.cbm', sha256: A.sha256 })).toThrow(/local path/);
    expect(() => cloudRunServiceName({ service: 's', region: 'r' })).toThrow(/GCP_PROJECT_ID/);
  });

  it('ready only when reconciled, succeeded and the newest revision serves', () => {
    const ok = { name: 'n', reconciling: false, terminalCondition: { state: 'CONDITION_SUCCEEDED' }, latestCreatedRevision: 'r2', latestReadyRevision: 'r2' };
    expect(rolloutState(ok)).toEqual({ state: 'ready', revision: 'r2' });
    expect(rolloutState({ ...ok, reconciling: true })).toEqual({ state: 'pending' });
    expect(rolloutState({ ...ok, latestReadyRevision: 'r1' }).state).toBe('failed');
    expect(rolloutState({ ...ok, terminalCondition: { state: 'CONDITION_FAILED', message: 'boom' } })).toEqual({ state: 'failed', message: 'boom' });
    expect(rolloutState({ ...ok, terminalCondition: { state: 'CONDITION_RECONCILING' } })).toEqual({ state: 'pending' });
  });
});
