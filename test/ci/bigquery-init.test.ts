/**
 * `cli bigquery init [--dry-run]` and `cli bigquery check` against goccy/bigquery-emulator
 * (.ci/services.sh exports BIGQUERY_EMULATOR_ENDPOINT/PROJECT): create from nothing, a second run
 * that changes nothing, an additive migration of an older table that keeps its rows, a refusal
 * that names table and columns and changes nothing, the start-up check (ping), and the
 * compatibility views answering the guide's query over rows the storage wrote.
 * Each run uses its own dataset names, so it never meets another suite's tables.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import type { CliIo } from '../../src/cli/io.js';
import { bigQueryClient, createBigQueryStorage } from '../../src/storage/bigquery/index.js';
import { datasetOf, type DatasetNames } from '../../src/storage/bigquery/datasets.js';
import { ALL_TABLES, bigQuerySchema, predictionAccuracyTable, requestOutcomesTable, type AnyTable } from '../../src/storage/tables/index.js';
import { SAMPLE_DATE, sampleAccuracyRow, samplePredictionRow } from '../../src/storage/sample-rows.js';

process.env.METADATA_SERVER_DETECTION = 'none';
process.env.GCE_METADATA_HOST = '127.0.0.1:1';

const endpoint = process.env.BIGQUERY_EMULATOR_ENDPOINT;
const projectId = process.env.BIGQUERY_EMULATOR_PROJECT ?? 'pw-test';

function names(tag: string): DatasetNames {
  const s = `${tag}_${randomBytes(3).toString('hex')}`;
  return { worker: `w_${s}`, features: `f_${s}`, actuals: `a_${s}`, compat: `c_${s}` };
}

async function cli(args: string[], ds: DatasetNames): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    cwd: process.cwd(),
    env: {
      GCP_PROJECT_ID: projectId,
      BIGQUERY_API_ENDPOINT: endpoint,
      BIGQUERY_DATASET: ds.worker,
      BIGQUERY_FEATURES_DATASET: ds.features,
      BIGQUERY_ACTUALS_DATASET: ds.actuals,
      BIGQUERY_COMPAT_DATASET: ds.compat,
      BIGQUERY_PARTITION_EXPIRATION_DAYS: '400',
    },
  };
  const code = await main(args, io);
  return { code, out, err };
}

const client = () => bigQueryClient({ projectId, apiEndpoint: endpoint, location: 'US', maxRetries: 0 });
const storageFor = (ds: DatasetNames) => createBigQueryStorage({ projectId, apiEndpoint: endpoint, location: 'US', maxRetries: 0, datasets: ds });

if (!endpoint && process.env.CI === 'true') {
  it('bigquery-emulator is running', () => expect.fail('BIGQUERY_EMULATOR_ENDPOINT is not set: source .ci/services.sh && start_bigquery_emulator'));
} else if (!endpoint) {
  it.skip('bigquery init [skipped: BIGQUERY_EMULATOR_ENDPOINT unset; see .ci/services.sh]', () => {});
} else {
  describe('bigquery init on the emulator', () => {
    const ds = names('init');

    it('--dry-run prints the steps and DDL and creates nothing', async () => {
      const r = await cli(['bigquery', 'init', '--dry-run'], ds);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain(`would create dataset ${ds.worker}`);
      expect(r.out).toContain(`would create table ${ds.worker}.player_prop_predictions (`);
      expect(r.out).toContain(`CREATE TABLE IF NOT EXISTS \`${projectId}.${ds.worker}.player_prop_predictions\``);
      const [exists] = await client().dataset(ds.worker).exists();
      expect(exists).toBe(false);
    });

    it('check fails before init, naming the missing tables', async () => {
      const r = await cli(['bigquery', 'check'], ds);
      expect(r.code).toBe(1);
      expect(r.out).toContain(`- ${ds.worker}.player_prop_predictions does not exist`);
      expect(r.out).toContain('run: npm run --silent cli -- bigquery init');
    });

    it('the start-up check (ping, behind /ready) refuses with PW_ERR_STORAGE_SCHEMA before init', async () => {
      await expect(storageFor(ds).ping()).rejects.toMatchObject({
        code: 'PW_ERR_STORAGE_SCHEMA',
        message: expect.stringContaining(`${ds.worker}.prediction_request_outcomes does not exist`),
      });
    });

    it('creates every dataset, table (partitioned, clustered, filter required) and view from the definitions', async () => {
      const r = await cli(['bigquery', 'init'], ds);
      expect(r.code, r.err).toBe(0);
      for (const t of ALL_TABLES as readonly AnyTable[]) {
        const dataset = datasetOf(t, ds);
        expect(r.out).toContain(`create table ${dataset}.${t.name} (`);
        const [meta] = await client().dataset(dataset).table(t.name).getMetadata();
        expect(meta.schema.fields.map((f: { name: string }) => f.name)).toEqual(bigQuerySchema(t).map((f) => f.name));
        expect(meta.timePartitioning?.field).toBe(t.partitionBy);
        expect(meta.clustering?.fields).toEqual(t.clusterBy ? [...t.clusterBy] : undefined);
        expect(Boolean(meta.requirePartitionFilter)).toBe(t.requirePartitionFilter === true);
      }
      const [preds] = await client().dataset(ds.worker).table('player_prop_predictions').getMetadata();
      expect(preds.timePartitioning.expirationMs).toBe(String(400 * 86_400_000));
      const [view] = await client().dataset(ds.compat).table('player_prop_predictions').getMetadata();
      expect(view.type).toBe('VIEW');
      expect(view.view.query).toContain(`\`${projectId}.${ds.worker}.player_prop_predictions\``);
    });

    it('a second init changes nothing; check and the start-up check pass', async () => {
      const r = await cli(['bigquery', 'init'], ds);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain('nothing to change');
      expect(r.out.match(/^ok /gm)).toHaveLength(ALL_TABLES.length + 2);
      expect((await cli(['bigquery', 'check'], ds)).code).toBe(0);
      await expect(storageFor(ds).ping()).resolves.toBeUndefined();
    });

    it("the views answer the guide's query with the original's column names over the worker's rows", async () => {
      const storage = storageFor(ds);
      const older = samplePredictionRow({ system_id: 'catboost_v9_train1102_0108', prediction_id: 'a'.repeat(32), message_id: 'm1', request_published_at: '2025-11-08T15:00:00.000Z', predicted_points: 20, line_value: 18.5, edge: 1.5, confidence_pct: 70 });
      const newer = samplePredictionRow({ system_id: 'catboost_v9_train1102_0108', prediction_id: 'b'.repeat(32), message_id: 'm2', request_published_at: '2025-11-08T16:00:00.000Z', predicted_points: 24, line_value: 19.5, edge: 4.5, confidence_pct: 80 });
      const champion = samplePredictionRow({ system_id: 'catboost_v9', prediction_id: 'c'.repeat(32), message_id: 'm2' });
      await storage.predictions.write([older, newer, champion]);
      // a duplicate copy that slipped past insertId: the view shows one row per prediction_id
      await client().dataset(ds.worker).table('player_prop_predictions').insert([{ json: newer }], { raw: true });

      const [guide] = await client().query({
        query: `SELECT system_id, COUNT(*) AS n, AVG(predicted_points) AS avg_pred FROM \`${projectId}.${ds.compat}.player_prop_predictions\` WHERE game_date >= '${SAMPLE_DATE}' AND system_id LIKE 'catboost_v9_train%' GROUP BY system_id`,
      });
      expect(guide).toEqual([{ system_id: 'catboost_v9_train1102_0108', n: 2, avg_pred: 22 }]);
      const [active] = await client().query({
        query: `SELECT prediction_id, current_points_line, line_margin, confidence_score FROM \`${projectId}.${ds.compat}.player_prop_predictions\` WHERE game_date = '${SAMPLE_DATE}' AND is_active AND system_id LIKE 'catboost_v9_train%'`,
      });
      expect(active).toEqual([{ prediction_id: newer.prediction_id, current_points_line: 19.5, line_margin: 4.5, confidence_score: 80 }]);

      await storage.accuracy.replaceDate(SAMPLE_DATE, [sampleAccuracyRow({ confidence_pct: 62 })]);
      const [acc] = await client().query({
        query: `SELECT confidence_score, has_prop_line, line_bookmaker FROM \`${projectId}.${ds.compat}.prediction_accuracy\` WHERE game_date = '${SAMPLE_DATE}'`,
      });
      expect(acc).toEqual([{ confidence_score: 0.62, has_prop_line: sampleAccuracyRow().line_value !== null, line_bookmaker: sampleAccuracyRow().sportsbook }]);
    });
  });

  describe('bigquery init migrates additively and refuses what it cannot use', () => {
    it('finds the columns an older table lacks in its live metadata and adds them (nothing refused)', async () => {
      // An outcomes table from an older build, without two nullable columns. goccy/bigquery-emulator
      // v0.6.6 answers tables.patch with the new schema but does not keep it (and has no
      // ALTER TABLE / tables.update), so what the patch does to the table is checked only by a real
      // project; the patch body is checked in npm test (setup.test.ts, applySetup) and reading
      // migrated rows for DuckDB (test/storage/duckdb-file.test.ts). docs/storage.md lists this.
      const ds = names('mig');
      const old = bigQuerySchema(requestOutcomesTable).filter((f) => f.name !== 'subscription' && f.name !== 'failed_systems');
      await client().dataset(ds.worker).create({ location: 'US' });
      await client().dataset(ds.worker).createTable('prediction_request_outcomes', { schema: { fields: old } });

      const dry = await cli(['bigquery', 'init', '--dry-run'], ds);
      expect(dry.out).toContain(`ALTER TABLE \`${projectId}.${ds.worker}.prediction_request_outcomes\`\n  ADD COLUMN IF NOT EXISTS \`failed_systems\` ARRAY<STRING>`);
      const r = await cli(['bigquery', 'init'], ds);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain(`add column(s) to ${ds.worker}.prediction_request_outcomes: failed_systems ARRAY<STRING>, subscription STRING`);
      expect(r.out).toContain(`create table ${ds.worker}.player_prop_predictions (`);
    });

    it('refuses an incompatible table, naming table and columns, and creates nothing else', async () => {
      const ds = names('bad');
      const fields = bigQuerySchema(predictionAccuracyTable).map((f) => (f.name === 'actual_points' ? { ...f, type: 'STRING' as const } : f));
      await client().dataset(ds.worker).create({ location: 'US' });
      await client().dataset(ds.worker).createTable('prediction_accuracy', { schema: { fields } });
      const r = await cli(['bigquery', 'init'], ds);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`PW_ERR_STORAGE_SETUP: bigquery init refused: ${ds.worker}.prediction_accuracy column types differ from the definition: actual_points (STRING, expected INT64) (nothing was changed)`);
      const [tables] = await client().dataset(ds.worker).getTables();
      expect(tables.map((t) => t.id)).toEqual(['prediction_accuracy']);
      expect((await client().dataset(ds.compat).exists())[0]).toBe(false);
      await expect(storageFor(ds).ping()).rejects.toMatchObject({ code: 'PW_ERR_STORAGE_SCHEMA', message: expect.stringContaining('actual_points (STRING, expected INT64)') });
    });
  });
}
