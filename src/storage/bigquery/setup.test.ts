import { describe, expect, it } from 'vitest';
import type { BigQuery } from '@google-cloud/bigquery';
import { ALL_TABLES, type AnyTable } from '../tables/index.js';
import { DEFAULT_DATASETS } from './datasets.js';
import {
  applySetup,
  compatViews,
  expectedTables,
  planDdl,
  planSetup,
  setupProblems,
  type ExistingTable,
  type SetupOptions,
  type SetupState,
} from './setup.js';

const opts: SetupOptions = { at: { projectId: 'proj', datasets: DEFAULT_DATASETS }, location: 'US', partitionExpirationDays: 400 };
const empty: SetupState = { datasets: new Set(), tables: new Map() };

/** The state after a complete init: every dataset, table and view as defined. */
function complete(o: SetupOptions = opts): { datasets: Set<string>; tables: Map<string, ExistingTable> } {
  const tables = new Map<string, ExistingTable>();
  for (const t of expectedTables(o)) {
    tables.set(`${t.dataset}.${t.name}`, { type: 'TABLE', fields: t.fields.map((f) => ({ name: f.name, type: f.type, mode: f.mode })), partitionField: t.partition?.field });
  }
  for (const v of compatViews(o.at)) tables.set(`${v.dataset}.${v.name}`, { type: 'VIEW', fields: [], viewQuery: v.query });
  return { datasets: new Set(Object.values(o.at.datasets)), tables };
}

/** A client that fails the test if anything is called (a refused plan must change nothing). */
const untouchable = new Proxy({}, { get: (_t, p) => { throw new Error(`client.${String(p)} called`); } }) as unknown as BigQuery;

describe('bigquery init plan', () => {
  it('on an empty project creates the four datasets, every table in ALL_TABLES and the compatibility views', () => {
    const plan = planSetup(opts, empty);
    expect(plan.problems).toEqual([]);
    expect(plan.steps.filter((s) => s.kind === 'create_dataset').map((s) => (s as { dataset: string }).dataset).sort()).toEqual(
      ['nba_analytics', 'nba_predictions', 'prediction_worker', 'prediction_worker_compat'],
    );
    const created = plan.steps.flatMap((s) => (s.kind === 'create_table' ? [`${s.spec.dataset}.${s.spec.name}`] : []));
    expect(created.sort()).toEqual(
      (ALL_TABLES as readonly AnyTable[])
        .map((t) => `${t.name === 'ml_feature_store_v2' ? 'nba_predictions' : t.name === 'player_game_summary' ? 'nba_analytics' : 'prediction_worker'}.${t.name}`)
        .sort(),
    );
    expect(plan.steps.filter((s) => s.kind === 'create_view')).toHaveLength(2);
    // datasets before tables before views
    const kinds = plan.steps.map((s) => s.kind);
    expect(kinds.lastIndexOf('create_dataset')).toBeLessThan(kinds.indexOf('create_table'));
    expect(kinds.lastIndexOf('create_table')).toBeLessThan(kinds.indexOf('create_view'));
  });

  it('the DDL partitions by game_date, requires the filter where every read filters by date, clusters, and expires only worker partitions', () => {
    const ddl = planDdl(planSetup(opts, empty));
    const preds = ddl.split('\n\n').find((s) => s.includes('`proj.prediction_worker.player_prop_predictions` ('))!;
    expect(preds).toMatch(/^CREATE TABLE IF NOT EXISTS `proj\.prediction_worker\.player_prop_predictions` \(/);
    expect(preds).toContain('`prediction_id` STRING NOT NULL');
    expect(preds).toContain('`line_value` FLOAT64 OPTIONS');
    expect(preds).toContain('`missing_critical_features` ARRAY<STRING> OPTIONS');
    expect(preds).toContain('\nPARTITION BY game_date\nCLUSTER BY system_id, player_lookup\n');
    expect(preds).toContain('require_partition_filter=TRUE, partition_expiration_days=400');
    const outcomes = ddl.split('\n\n').find((s) => s.includes('prediction_request_outcomes` ('))!;
    expect(outcomes).not.toContain('require_partition_filter');
    const features = ddl.split('\n\n').find((s) => s.includes('`proj.nba_predictions.ml_feature_store_v2` ('))!;
    expect(features).toContain('PARTITION BY game_date');
    expect(features).not.toContain('partition_expiration_days'); // never expire an upstream input
    expect(ddl).toContain("CREATE SCHEMA IF NOT EXISTS `proj.prediction_worker` OPTIONS(location='US');");
    expect(ddl).toContain('CREATE OR REPLACE VIEW `proj.prediction_worker_compat.player_prop_predictions`');
  });

  it('a second run on a complete project changes nothing and reports every table and view as ok', () => {
    const plan = planSetup(opts, complete());
    expect(plan.steps).toEqual([]);
    expect(plan.problems).toEqual([]);
    expect(plan.unchanged).toHaveLength(ALL_TABLES.length + 2);
    expect(setupProblems(plan)).toEqual([]);
  });

  it('accepts the legacy type names the tables API reports (INTEGER, FLOAT, BOOLEAN)', () => {
    const state = complete();
    for (const [id, t] of state.tables) {
      state.tables.set(id, { ...t, fields: t.fields.map((f) => ({ ...f, type: { INT64: 'INTEGER', FLOAT64: 'FLOAT', BOOL: 'BOOLEAN' }[f.type] ?? f.type })) });
    }
    expect(planSetup(opts, state).steps).toEqual([]);
  });

  it('adds a new nullable column to an existing worker table (additive), and only that one', () => {
    const state = complete();
    const id = 'prediction_worker.player_prop_predictions';
    const t = state.tables.get(id)!;
    state.tables.set(id, { ...t, fields: t.fields.filter((f) => f.name !== 'sportsbook' && f.name !== 'defaulted_features') });
    const plan = planSetup(opts, state);
    expect(plan.problems).toEqual([]);
    expect(plan.steps).toHaveLength(1);
    const step = plan.steps[0]!;
    expect(step.kind).toBe('add_columns');
    expect(step.kind === 'add_columns' && step.fields.map((f) => `${f.name}:${f.mode}`)).toEqual(['sportsbook:NULLABLE', 'defaulted_features:REPEATED']);
    expect(planDdl(plan)).toBe(
      'ALTER TABLE `proj.prediction_worker.player_prop_predictions`\n' +
        "  ADD COLUMN IF NOT EXISTS `sportsbook` STRING OPTIONS(description='Upper-case book, e.g. DRAFTKINGS'),\n" +
        "  ADD COLUMN IF NOT EXISTS `defaulted_features` ARRAY<STRING> OPTIONS(description='Features filled from the defaults table');",
    );
    // the start-up check names the missing columns
    expect(setupProblems(plan, { tablesOnly: true })).toEqual([`${id} lacks column(s) sportsbook, defaulted_features`]);
  });

  it('refuses an incompatible table, naming table and columns, and changes nothing', async () => {
    const state = complete();
    const id = 'prediction_worker.prediction_accuracy';
    const t = state.tables.get(id)!;
    state.tables.set(id, {
      ...t,
      fields: [
        ...t.fields
          .filter((f) => f.name !== 'graded_at')
          .map((f) => (f.name === 'actual_points' ? { ...f, type: 'STRING' } : f.name === 'edge' ? { ...f, mode: 'REQUIRED' } : f)),
        { name: 'confidence_decile', type: 'INTEGER', mode: 'REQUIRED' },
      ],
    });
    const plan = planSetup(opts, state);
    expect(plan.problems).toEqual([
      { table: id, columns: ['actual_points (STRING, expected INT64)'], reason: 'column types differ from the definition' },
      { table: id, columns: ['edge (REQUIRED, expected NULLABLE)'], reason: 'column modes differ from the definition' },
      { table: id, columns: ['graded_at'], reason: expect.stringContaining('REQUIRED columns are missing') },
      { table: id, columns: ['confidence_decile'], reason: expect.stringContaining('REQUIRED columns the worker does not write') },
    ]);
    expect(plan.steps).toEqual([]);
    await expect(applySetup(untouchable, plan)).rejects.toMatchObject({
      code: 'PW_ERR_STORAGE_SETUP',
      message: expect.stringMatching(/^bigquery init refused: prediction_worker\.prediction_accuracy column types differ from the definition: actual_points \(STRING, expected INT64\); .*\(nothing was changed\)$/),
    });
  });

  it('never alters an upstream input table: a missing column there is a problem, not a migration', () => {
    const state = complete();
    const id = 'nba_predictions.ml_feature_store_v2';
    const t = state.tables.get(id)!;
    state.tables.set(id, { ...t, fields: t.fields.filter((f) => f.name !== 'team_abbr') });
    const plan = planSetup(opts, state);
    expect(plan.steps).toEqual([]);
    expect(plan.problems).toEqual([{ table: id, columns: ['team_abbr'], reason: expect.stringContaining('input table written upstream (features)') }]);
  });

  it('refuses a table where a compatibility view belongs, and replaces a view whose definition changed', () => {
    const state = complete();
    state.tables.set('prediction_worker_compat.player_prop_predictions', { type: 'TABLE', fields: [] });
    state.tables.set('prediction_worker_compat.prediction_accuracy', { type: 'VIEW', fields: [], viewQuery: 'SELECT 1' });
    const plan = planSetup(opts, state);
    expect(plan.problems.map((p) => p.table)).toEqual(['prediction_worker_compat.player_prop_predictions']);
    expect(plan.steps.map((s) => s.kind)).toEqual(['replace_view']);
    // views do not keep the worker from serving
    expect(setupProblems({ ...plan, problems: [] }, { tablesOnly: true })).toEqual([]);
  });

  it('a view in the worker dataset cannot hide a table: a VIEW where a table belongs is refused', () => {
    const state = complete();
    state.tables.set('prediction_worker.player_prop_predictions', { type: 'VIEW', fields: [], viewQuery: 'SELECT 1' });
    expect(planSetup(opts, state).problems).toEqual([{ table: 'prediction_worker.player_prop_predictions', columns: [], reason: 'is a VIEW, not a table' }]);
  });

  it('follows the configured dataset names everywhere, including the views', () => {
    const named: SetupOptions = { at: { projectId: 'p2', datasets: { worker: 'w', features: 'f', actuals: 'a', compat: 'c' } }, location: 'EU' };
    const ddl = planDdl(planSetup(named, empty));
    expect(ddl).toContain('`p2.w.player_prop_predictions` (');
    expect(ddl).toContain('`p2.f.ml_feature_store_v2` (');
    expect(ddl).toContain('`p2.a.player_game_summary` (');
    expect(ddl).toContain('CREATE OR REPLACE VIEW `p2.c.prediction_accuracy`');
    expect(ddl).toContain('FROM `p2.w.prediction_accuracy`');
    expect(ddl).not.toContain('nba_predictions');
    expect(ddl).not.toContain('partition_expiration_days');
  });
});

describe('compatibility views', () => {
  const [preds, acc] = compatViews(opts.at);

  it("expose the original platform's column names with the same meanings", () => {
    for (const m of [
      'confidence_pct AS confidence_score', // 0-100 in the original's CatBoost prediction rows
      'line_value AS current_points_line',
      'edge AS line_margin', // predicted - line, signed
      'build_commit AS build_commit_sha',
      'CAST(NULL AS STRING) AS invalidation_reason',
    ]) {
      expect(preds!.query).toContain(m);
    }
    // the current-row rule of storage.ts, per (game_date, game_id, player_lookup, system_id)
    expect(preds!.query).toContain(
      'ROW_NUMBER() OVER (PARTITION BY game_date, game_id, player_lookup, system_id\n    ORDER BY request_published_at DESC, prediction_id DESC) = 1 AS is_active',
    );
    // the original's prediction_accuracy.confidence_score is 0-1
    expect(acc!.query).toContain('confidence_pct / 100 AS confidence_score');
    expect(acc!.query).toContain('sportsbook AS line_bookmaker');
  });

  it('partition every window by game_date, so a date filter on the view prunes partitions', () => {
    const windows = [preds!, acc!].flatMap((v) => [...v.query.matchAll(/OVER \(PARTITION BY ([^)]*?)(?:\s+ORDER BY|\))/g)]);
    expect(windows).toHaveLength(2); // is_active and the read-side dedup, both in the predictions view
    for (const m of windows) expect(m[1]!.split(',')[0]!.trim()).toBe('game_date');
  });
});

describe('applySetup (recording client)', () => {
  /** Records every call the tables API would receive; `existing` is what getMetadata returns. */
  function recorder(existing: Record<string, unknown> = {}) {
    const calls: Array<[string, ...unknown[]]> = [];
    const client = {
      dataset: (ds: string) => ({
        create: async (o: unknown) => void calls.push(['createDataset', ds, o]),
        createTable: async (name: string, o: unknown) => void calls.push(['createTable', `${ds}.${name}`, o]),
        table: (name: string) => ({
          getMetadata: async () => [existing[`${ds}.${name}`]],
          setMetadata: async (o: unknown) => void calls.push(['setMetadata', `${ds}.${name}`, o]),
        }),
      }),
    } as unknown as BigQuery;
    return { client, calls };
  }

  it('creates with the partitioning, filter requirement, expiry and clustering of the definition, and views in standard SQL', async () => {
    const { client, calls } = recorder();
    const done = await applySetup(client, planSetup(opts, empty));
    expect(done.slice(0, 4).sort()).toEqual(['create dataset nba_analytics', 'create dataset nba_predictions', 'create dataset prediction_worker', 'create dataset prediction_worker_compat']);
    const preds = calls.find((c) => c[0] === 'createTable' && c[1] === 'prediction_worker.player_prop_predictions')!;
    expect(preds[2]).toMatchObject({
      timePartitioning: { type: 'DAY', field: 'game_date', expirationMs: String(400 * 86_400_000) },
      requirePartitionFilter: true,
      clustering: { fields: ['system_id', 'player_lookup'] },
    });
    const outcomes = calls.find((c) => c[1] === 'prediction_worker.prediction_request_outcomes')!;
    expect(outcomes[2]).not.toHaveProperty('requirePartitionFilter');
    const view = calls.find((c) => c[1] === 'prediction_worker_compat.prediction_accuracy')!;
    expect(view[2]).toMatchObject({ view: { useLegacySql: false, query: expect.stringContaining('FROM `proj.prediction_worker.prediction_accuracy`') } });
    expect(calls.filter((c) => c[0] === 'createTable')).toHaveLength(ALL_TABLES.length + 2);
  });

  it('adds columns by patching the full schema: existing fields first and unchanged, then the new ones', async () => {
    const state = complete();
    const id = 'prediction_worker.player_prop_predictions';
    const t = state.tables.get(id)!;
    const kept = t.fields.filter((f) => f.name !== 'sportsbook').map((f) => ({ ...f, description: `old ${f.name}` }));
    state.tables.set(id, { ...t, fields: kept });
    const { client, calls } = recorder({ [id]: { schema: { fields: kept } } });
    await applySetup(client, planSetup(opts, state));
    expect(calls).toEqual([
      ['setMetadata', id, { schema: { fields: [...kept, { name: 'sportsbook', type: 'STRING', mode: 'NULLABLE', description: 'Upper-case book, e.g. DRAFTKINGS' }] } }],
    ]);
  });
});
