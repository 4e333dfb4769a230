/**
 * @module storage/bigquery/setup
 * BigQuery set-up and additive migration, driven by the one table definition (ALL_TABLES):
 * `npm run --silent cli -- bigquery init [--dry-run]`, the worker's start-up schema check
 * (BigQueryStorage.ping) and CI's `ensureTables()` all go through `planSetup`.
 *
 * 1. `expectedTables(opts)` / `compatViews(at)`: what should exist (pure).
 * 2. `readSetupState(client, opts)`: what exists (datasets, tables with their fields, views).
 * 3. `planSetup(opts, state)`: the steps (create dataset, create table, add nullable columns,
 *    create/replace view) and the problems (pure). Additive only: nothing is ever dropped,
 *    retyped or made REQUIRED; an existing table that cannot be used as is becomes a problem
 *    naming the table and the columns, and `applySetup` then refuses to change anything.
 * 4. `planDdl(plan)`: the same steps as BigQuery DDL, printed by `--dry-run` (pure).
 * 5. `applySetup(client, plan)`: performs the steps through the API (tables.insert / patch):
 *    the calls goccy/bigquery-emulator also implements, so CI runs the very code production runs.
 *
 * Input tables (the feature store, box scores; datasets.ts) belong to the upstream pipeline: init
 * creates them in an empty project but never alters an existing one; a missing column there is a
 * problem to fix upstream (or point BIGQUERY_FEATURES_DATASET/BIGQUERY_ACTUALS_DATASET elsewhere).
 */
import type { BigQuery } from '@google-cloud/bigquery';
import { PwError } from '../../errors.js';
import { ALL_TABLES, bigQuerySchema, playerPropPredictionsTable, predictionAccuracyTable, type AnyTable, type BigQueryField } from '../tables/index.js';
import { datasetOf, tableRole, type Placement, type TableRole } from './datasets.js';
import { tableRef } from './sql.js';

export interface SetupOptions {
  at: Placement;
  /** Dataset location for datasets created here, e.g. 'US'. */
  location: string;
  /** Apply partitioning/clustering/partition-filter from the definitions (default true). */
  partitioning?: boolean;
  /** Partition expiration for the worker's partitioned tables, days; unset = partitions never expire. */
  partitionExpirationDays?: number | undefined;
}

export interface ExpectedTable {
  table: AnyTable;
  role: TableRole;
  dataset: string;
  name: string;
  description: string;
  fields: BigQueryField[];
  partition?: { field: string; requireFilter: boolean; expirationDays?: number | undefined };
  clustering?: string[];
}

export interface ExpectedView {
  dataset: string;
  name: string;
  description: string;
  /** Standard SQL, fully qualified table references. */
  query: string;
}

/** One expected table per ALL_TABLES entry (a table added there is covered with no change here). */
export function expectedTables(opts: SetupOptions): ExpectedTable[] {
  const partitioning = opts.partitioning ?? true;
  return (ALL_TABLES as readonly AnyTable[]).map((table) => {
    const role = tableRole(table);
    return {
      table,
      role,
      dataset: datasetOf(table, opts.at.datasets),
      name: table.name,
      description: table.description,
      fields: bigQuerySchema(table),
      ...(partitioning && table.partitionBy
        ? {
            partition: {
              field: table.partitionBy as string,
              requireFilter: table.requirePartitionFilter === true,
              // Expiry applies to the worker's own tables only, never to an upstream input.
              expirationDays: role === 'worker' ? opts.partitionExpirationDays : undefined,
            },
          }
        : {}),
      ...(partitioning && table.clusterBy ? { clustering: [...(table.clusterBy as string[])] } : {}),
    };
  });
}

/**
 * Views exposing the worker's rows under the original platform's table and column names and
 * meanings (docs/storage.md "Side by side"), so the guide's queries and the user's compare/monitor
 * queries run against this worker's data with only the dataset changed:
 *
 * `player_prop_predictions`: one row per prediction_id (read-side dedup), `confidence_score`
 * (0–100, as the original's CatBoost rows), `current_points_line` = line_value,
 * `line_margin` = edge (predicted − line), `is_active` = the current row of (game_date, game_id,
 * player_lookup, system_id) by the storage's one current-row rule, `invalidation_reason` NULL
 * (this worker never invalidates rows), `build_commit_sha`, `predicted_at`.
 * `prediction_accuracy`: `confidence_score` on the original's 0–1 scale (confidence_pct / 100),
 * `has_prop_line`, `line_bookmaker` = sportsbook; the error/margin/void/prediction_correct
 * columns already share the original's names and meanings.
 * Every window is partitioned by game_date so a date filter on the view reaches the partition.
 */
export function compatViews(at: Placement): ExpectedView[] {
  const preds = tableRef(at, playerPropPredictionsTable);
  const acc = tableRef(at, predictionAccuracyTable);
  return [
    {
      dataset: at.datasets.compat,
      name: 'player_prop_predictions',
      description: "prediction-worker rows under the original platform's column names (confidence_score, current_points_line, line_margin, is_active).",
      query: [
        'SELECT',
        '  prediction_id, system_id, player_lookup, game_id, game_date, predicted_points,',
        '  confidence_pct AS confidence_score, recommendation, has_prop_line,',
        '  line_value AS current_points_line, edge AS line_margin,',
        '  line_source, line_source_api, sportsbook, was_line_fallback, prediction_run_mode,',
        '  feature_quality_score, model_version, build_commit AS build_commit_sha,',
        '  created_at, created_at AS predicted_at,',
        '  ROW_NUMBER() OVER (PARTITION BY game_date, game_id, player_lookup, system_id',
        '    ORDER BY request_published_at DESC, prediction_id DESC) = 1 AS is_active,',
        '  CAST(NULL AS STRING) AS invalidation_reason,',
        '  model_role, model_sha256, model_path, line_provenance, edge, line_value, confidence_pct,',
        '  raw_prediction, missing_critical_features, request_published_at, message_id',
        'FROM (',
        '  SELECT *, ROW_NUMBER() OVER (PARTITION BY game_date, prediction_id ORDER BY created_at) AS _copy',
        `  FROM ${preds}`,
        ')',
        'WHERE _copy = 1',
      ].join('\n'),
    },
    {
      dataset: at.datasets.compat,
      name: 'prediction_accuracy',
      description: "prediction-worker grades under the original platform's column names (confidence_score 0-1, has_prop_line, line_bookmaker).",
      query: [
        'SELECT',
        '  game_date, system_id, player_lookup, game_id, predicted_points,',
        '  confidence_pct / 100 AS confidence_score, recommendation, line_value,',
        '  line_value IS NOT NULL AS has_prop_line, line_source, sportsbook AS line_bookmaker,',
        '  actual_points, minutes_played, absolute_error, signed_error, prediction_correct,',
        '  predicted_margin, actual_margin, within_3_points, within_5_points,',
        '  is_voided, void_reason, model_version, graded_at,',
        '  outcome, outcome_reason, model_role, model_sha256, prediction_id, edge, confidence_pct',
        `FROM ${acc}`,
      ].join('\n'),
    },
  ];
}

// ---- the state that exists ------------------------------------------------------------------

export interface ExistingField {
  name: string;
  type: string;
  mode?: string | undefined;
}

export interface ExistingTable {
  /** 'TABLE', 'VIEW', … as BigQuery reports it. */
  type: string;
  fields: ExistingField[];
  viewQuery?: string | undefined;
  partitionField?: string | undefined;
}

export interface SetupState {
  datasets: ReadonlySet<string>;
  /** By `dataset.name`. */
  tables: ReadonlyMap<string, ExistingTable>;
}

// ---- the plan ------------------------------------------------------------------------------

export type SetupStep =
  | { kind: 'create_dataset'; dataset: string }
  | { kind: 'create_table'; spec: ExpectedTable }
  | { kind: 'add_columns'; spec: ExpectedTable; fields: BigQueryField[] }
  | { kind: 'create_view'; view: ExpectedView }
  | { kind: 'replace_view'; view: ExpectedView };

export interface SetupProblem {
  /** `dataset.name` */
  table: string;
  columns: string[];
  reason: string;
}

export interface SetupPlan {
  options: SetupOptions;
  steps: SetupStep[];
  problems: SetupProblem[];
  /** `dataset.name` of tables and views already as they should be. */
  unchanged: string[];
  /** Differences that are not refused, e.g. partitioning that cannot be changed in place. */
  notes: string[];
}

/** Legacy type names the tables API reports → the standard SQL names the definitions use. */
const TYPE_ALIASES: Record<string, string> = { INTEGER: 'INT64', FLOAT: 'FLOAT64', BOOLEAN: 'BOOL' };
const normType = (t: string) => TYPE_ALIASES[t.toUpperCase()] ?? t.toUpperCase();
const normMode = (m: string | undefined) => (m ?? 'NULLABLE').toUpperCase();
const normSql = (q: string) => q.replace(/\s+/g, ' ').trim();

/** Compare one existing table with its definition: columns to add, problems, notes (pure). */
export function compareTable(spec: ExpectedTable, existing: ExistingTable): { add: BigQueryField[]; problems: SetupProblem[]; notes: string[] } {
  const id = `${spec.dataset}.${spec.name}`;
  if (existing.type !== 'TABLE') {
    return { add: [], notes: [], problems: [{ table: id, columns: [], reason: `is a ${existing.type}, not a table` }] };
  }
  const have = new Map(existing.fields.map((f) => [f.name, f]));
  const problems: SetupProblem[] = [];
  const add: BigQueryField[] = [];
  const retyped: string[] = [];
  const remoded: string[] = [];
  for (const f of spec.fields) {
    const h = have.get(f.name);
    if (!h) {
      add.push(f);
      continue;
    }
    if (normType(h.type) !== f.type) retyped.push(`${f.name} (${normType(h.type)}, expected ${f.type})`);
    const hm = normMode(h.mode);
    // Existing NULLABLE where we write non-null values is fine; the other way round, or a
    // REPEATED/scalar mismatch, is not (inserts would fail or reads would misread).
    const compatible = hm === f.mode || (hm === 'NULLABLE' && f.mode === 'REQUIRED');
    if (!compatible) remoded.push(`${f.name} (${hm}, expected ${f.mode})`);
  }
  if (retyped.length) problems.push({ table: id, columns: retyped, reason: 'column types differ from the definition' });
  if (remoded.length) problems.push({ table: id, columns: remoded, reason: 'column modes differ from the definition' });
  const requiredMissing = add.filter((f) => f.mode === 'REQUIRED');
  if (requiredMissing.length) {
    problems.push({ table: id, columns: requiredMissing.map((f) => f.name), reason: 'REQUIRED columns are missing (BigQuery cannot add a REQUIRED column to an existing table)' });
  }
  const known = new Set(spec.fields.map((f) => f.name));
  const unknownRequired = existing.fields.filter((f) => !known.has(f.name) && normMode(f.mode) === 'REQUIRED');
  if (unknownRequired.length && spec.role === 'worker') {
    problems.push({ table: id, columns: unknownRequired.map((f) => f.name), reason: 'has REQUIRED columns the worker does not write (its inserts would fail)' });
  }
  const addable = add.filter((f) => f.mode !== 'REQUIRED');
  if (addable.length && spec.role !== 'worker') {
    problems.push({
      table: id,
      columns: addable.map((f) => f.name),
      reason: `is an input table written upstream (${spec.role}); init does not alter it: add the columns there or point the dataset setting elsewhere`,
    });
  }
  const notes: string[] = [];
  if (spec.partition && existing.partitionField !== spec.partition.field) {
    notes.push(`${id}: partitioned by ${existing.partitionField ?? 'nothing'}, the definition says ${spec.partition.field} (BigQuery cannot change this in place; queries still work, cost differs)`);
  }
  return { add: spec.role === 'worker' && requiredMissing.length === 0 ? addable : [], problems, notes };
}

/** The steps from `state` to the definitions, and what cannot be done (pure). */
export function planSetup(opts: SetupOptions, state: SetupState): SetupPlan {
  const steps: SetupStep[] = [];
  const problems: SetupProblem[] = [];
  const unchanged: string[] = [];
  const notes: string[] = [];
  const tables = expectedTables(opts);
  const views = compatViews(opts.at);
  for (const ds of new Set([...tables.map((t) => t.dataset), ...views.map((v) => v.dataset)])) {
    if (!state.datasets.has(ds)) steps.push({ kind: 'create_dataset', dataset: ds });
  }
  for (const spec of tables) {
    const existing = state.tables.get(`${spec.dataset}.${spec.name}`);
    if (!existing) {
      steps.push({ kind: 'create_table', spec });
      continue;
    }
    const cmp = compareTable(spec, existing);
    problems.push(...cmp.problems);
    notes.push(...cmp.notes);
    if (cmp.add.length) steps.push({ kind: 'add_columns', spec, fields: cmp.add });
    else if (cmp.problems.length === 0) unchanged.push(`${spec.dataset}.${spec.name}`);
  }
  for (const view of views) {
    const id = `${view.dataset}.${view.name}`;
    const existing = state.tables.get(id);
    if (!existing) steps.push({ kind: 'create_view', view });
    else if (existing.type !== 'VIEW') problems.push({ table: id, columns: [], reason: `is a ${existing.type}; the compatibility view needs this name (set BIGQUERY_COMPAT_DATASET to another dataset)` });
    else if (normSql(existing.viewQuery ?? '') !== normSql(view.query)) steps.push({ kind: 'replace_view', view });
    else unchanged.push(id);
  }
  return { options: opts, steps, problems, unchanged, notes };
}

/**
 * What keeps the worker from running on these tables (the start-up check): every problem, and
 * every table or column still to be created. Views are not needed to serve.
 */
export function setupProblems(plan: SetupPlan, opts: { tablesOnly?: boolean } = {}): string[] {
  const out = plan.problems
    .filter((p) => !opts.tablesOnly || !p.table.startsWith(`${plan.options.at.datasets.compat}.`) || plan.options.at.datasets.compat === plan.options.at.datasets.worker)
    .map((p) => `${p.table} ${p.reason}${p.columns.length ? `: ${p.columns.join(', ')}` : ''}`);
  for (const s of plan.steps) {
    if (s.kind === 'create_table') out.push(`${s.spec.dataset}.${s.spec.name} does not exist`);
    if (s.kind === 'add_columns') out.push(`${s.spec.dataset}.${s.spec.name} lacks column(s) ${s.fields.map((f) => f.name).join(', ')}`);
    if (!opts.tablesOnly && (s.kind === 'create_view' || s.kind === 'replace_view')) out.push(`view ${s.view.dataset}.${s.view.name} is missing or out of date`);
  }
  return out;
}

// ---- DDL (what --dry-run prints) ------------------------------------------------------------

/** A BigQuery string literal. */
export function sqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

function columnDdl(f: BigQueryField): string {
  const type = f.mode === 'REPEATED' ? `ARRAY<${f.type}>` : f.type;
  return `\`${f.name}\` ${type}${f.mode === 'REQUIRED' ? ' NOT NULL' : ''} OPTIONS(description=${sqlString(f.description)})`;
}

/** The DDL statement equivalent to one step (pure). */
export function stepDdl(step: SetupStep, opts: SetupOptions): string {
  const p = opts.at.projectId;
  switch (step.kind) {
    case 'create_dataset':
      return `CREATE SCHEMA IF NOT EXISTS \`${p}.${step.dataset}\` OPTIONS(location=${sqlString(opts.location)});`;
    case 'create_table': {
      const s = step.spec;
      const options = [`description=${sqlString(s.description)}`];
      if (s.partition?.requireFilter) options.push('require_partition_filter=TRUE');
      if (s.partition?.expirationDays !== undefined) options.push(`partition_expiration_days=${s.partition.expirationDays}`);
      return [
        `CREATE TABLE IF NOT EXISTS \`${p}.${s.dataset}.${s.name}\` (`,
        s.fields.map((f) => `  ${columnDdl(f)}`).join(',\n'),
        ')',
        ...(s.partition ? [`PARTITION BY ${s.partition.field}`] : []),
        ...(s.clustering ? [`CLUSTER BY ${s.clustering.join(', ')}`] : []),
        `OPTIONS(${options.join(', ')});`,
      ].join('\n');
    }
    case 'add_columns':
      return `ALTER TABLE \`${p}.${step.spec.dataset}.${step.spec.name}\`\n${step.fields.map((f) => `  ADD COLUMN IF NOT EXISTS ${columnDdl(f)}`).join(',\n')};`;
    case 'create_view':
    case 'replace_view':
      return `CREATE OR REPLACE VIEW \`${p}.${step.view.dataset}.${step.view.name}\`\nOPTIONS(description=${sqlString(step.view.description)}) AS\n${step.view.query};`;
  }
}

/** Every step as DDL, in order (pure). */
export function planDdl(plan: SetupPlan): string {
  return plan.steps.map((s) => stepDdl(s, plan.options)).join('\n\n');
}

/** One line per step, e.g. `create table prediction_worker.player_prop_predictions`. */
export function describeStep(step: SetupStep): string {
  switch (step.kind) {
    case 'create_dataset':
      return `create dataset ${step.dataset}`;
    case 'create_table':
      return `create table ${step.spec.dataset}.${step.spec.name} (${step.spec.fields.length} columns${step.spec.partition ? `, partitioned by ${step.spec.partition.field}${step.spec.partition.requireFilter ? ', partition filter required' : ''}` : ''}${step.spec.clustering ? `, clustered by ${step.spec.clustering.join(', ')}` : ''})`;
    case 'add_columns':
      return `add column(s) to ${step.spec.dataset}.${step.spec.name}: ${step.fields.map((f) => `${f.name} ${f.mode === 'REPEATED' ? `ARRAY<${f.type}>` : f.type}`).join(', ')}`;
    case 'create_view':
      return `create view ${step.view.dataset}.${step.view.name}`;
    case 'replace_view':
      return `replace view ${step.view.dataset}.${step.view.name} (definition changed)`;
  }
}

/** The refusal for a plan with problems, naming every table and column (PW_ERR_STORAGE_SETUP). */
export function refusal(plan: SetupPlan): PwError {
  return new PwError(
    'PW_ERR_STORAGE_SETUP',
    undefined,
    plan.problems.map((p) => `${p.table} ${p.reason}${p.columns.length ? `: ${p.columns.join(', ')}` : ''}`).join('; ') + ' (nothing was changed)',
  );
}

// ---- I/O ----------------------------------------------------------------------------------

const isNotFound = (err: unknown) => (err as { code?: number }).code === 404;
const isConflict = (err: unknown) => (err as { code?: number }).code === 409;

/** Read the datasets, tables and views the plan is about (in parallel). */
export async function readSetupState(client: BigQuery, opts: SetupOptions): Promise<SetupState> {
  const tables = expectedTables(opts).map((t) => ({ dataset: t.dataset, name: t.name }));
  const views = compatViews(opts.at).map((v) => ({ dataset: v.dataset, name: v.name }));
  const datasetIds = [...new Set([...tables, ...views].map((t) => t.dataset))];
  const present = await Promise.all(datasetIds.map(async (id) => [id, (await client.dataset(id).exists())[0]] as const));
  const datasets = new Set(present.filter(([, ok]) => ok).map(([id]) => id));
  const found = await Promise.all(
    [...tables, ...views]
      .filter((t) => datasets.has(t.dataset))
      .map(async (t) => {
        try {
          const [meta] = await client.dataset(t.dataset).table(t.name).getMetadata();
          const existing: ExistingTable = {
            type: String(meta.type ?? (meta.view ? 'VIEW' : 'TABLE')),
            fields: ((meta.schema?.fields ?? []) as ExistingField[]).map((f) => ({ name: f.name, type: f.type, mode: f.mode })),
            viewQuery: meta.view?.query,
            partitionField: meta.timePartitioning?.field,
          };
          return [`${t.dataset}.${t.name}` as string, existing] as const;
        } catch (err) {
          if (isNotFound(err)) return undefined;
          throw err;
        }
      }),
  );
  return { datasets, tables: new Map(found.filter((x): x is readonly [string, ExistingTable] => x !== undefined)) };
}

/**
 * Perform the plan's steps through the tables API, in order. Refuses (PW_ERR_STORAGE_SETUP,
 * nothing changed) when the plan has problems. Returns one line per step done.
 */
export async function applySetup(client: BigQuery, plan: SetupPlan): Promise<string[]> {
  if (plan.problems.length > 0) throw refusal(plan);
  const { location } = plan.options;
  const done: string[] = [];
  for (const step of plan.steps) {
    try {
      switch (step.kind) {
        case 'create_dataset':
          await client.dataset(step.dataset, { location }).create({ location }).catch((err: unknown) => {
            if (!isConflict(err)) throw err; // created meanwhile: fine
          });
          break;
        case 'create_table': {
          const s = step.spec;
          await client.dataset(s.dataset).createTable(s.name, {
            schema: { fields: s.fields },
            description: s.description,
            ...(s.partition
              ? {
                  timePartitioning: {
                    type: 'DAY',
                    field: s.partition.field,
                    ...(s.partition.expirationDays !== undefined ? { expirationMs: String(s.partition.expirationDays * 86_400_000) } : {}),
                  },
                  ...(s.partition.requireFilter ? { requirePartitionFilter: true } : {}),
                }
              : {}),
            ...(s.clustering ? { clustering: { fields: s.clustering } } : {}),
          });
          break;
        }
        case 'add_columns': {
          const ref = client.dataset(step.spec.dataset).table(step.spec.name);
          const [meta] = await ref.getMetadata();
          const have = (meta.schema?.fields ?? []) as Array<{ name: string }>;
          const names = new Set(have.map((f) => f.name));
          await ref.setMetadata({ schema: { fields: [...have, ...step.fields.filter((f) => !names.has(f.name))] } });
          break;
        }
        case 'create_view':
          await client.dataset(step.view.dataset).createTable(step.view.name, {
            description: step.view.description,
            view: { query: step.view.query, useLegacySql: false },
          });
          break;
        case 'replace_view':
          await client.dataset(step.view.dataset).table(step.view.name).setMetadata({
            description: step.view.description,
            view: { query: step.view.query, useLegacySql: false },
          });
          break;
      }
    } catch (err) {
      throw new PwError('PW_ERR_SINK_WRITE', { cause: err }, `${describeStep(step)} in ${plan.options.at.projectId}`, err instanceof Error ? err.message : String(err));
    }
    done.push(describeStep(step));
  }
  return done;
}

/** Human summary of a plan: steps (or what a dry run would do), unchanged objects, notes. */
export function formatPlan(plan: SetupPlan, opts: { dryRun: boolean; done?: string[] }): string {
  const lines: string[] = [];
  const { at } = plan.options;
  lines.push(`bigquery init: project ${at.projectId}, datasets worker=${at.datasets.worker} features=${at.datasets.features} actuals=${at.datasets.actuals} compat=${at.datasets.compat}`);
  const steps = opts.done ?? plan.steps.map(describeStep);
  if (steps.length === 0) lines.push('nothing to change');
  for (const s of steps) lines.push(`${opts.dryRun ? 'would ' : ''}${s}`);
  for (const u of plan.unchanged) lines.push(`ok ${u}`);
  for (const n of plan.notes) lines.push(`note: ${n}`);
  if (opts.dryRun && plan.steps.length > 0) lines.push('', '-- DDL equivalent of the steps above', planDdl(plan));
  return `${lines.join('\n')}\n`;
}
