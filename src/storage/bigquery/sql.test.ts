import { describe, expect, it } from 'vitest';
import { ALL_TABLES, notificationsTable, playerGameSummaryTable, type AnyTable } from '../tables/index.js';
import { sampleActualRow } from '../sample-rows.js';
import { KEY_SEPARATOR, columnsOf, fromBigQueryRow, keyString, replaceDateScript, rowsSource, tableRef, upsertScript } from './sql.js';
import { DEFAULT_DATASETS, type Placement } from './datasets.js';
import { featureStoreTable, playerPropPredictionsTable, predictionAccuracyTable } from '../tables/index.js';

const at: Placement = { projectId: 'p', datasets: DEFAULT_DATASETS };

describe('bigquery sql', () => {
  it.each(ALL_TABLES.map((t) => [t.name, t as AnyTable]))('%s: the rows source yields every column once, typed', (_n, table) => {
    const sql = rowsSource(table);
    for (const [name] of columnsOf(table)) expect(sql.match(new RegExp(`AS \`${name}\``, 'g'))?.length, name).toBe(1);
    expect(sql).toContain('JSON_QUERY_ARRAY(@rows)');
  });

  it('a keyed upsert deletes exactly the given keys, then inserts, in one transaction', () => {
    const sql = upsertScript(at, playerGameSummaryTable);
    expect(sql.split('\n')[0]).toBe('BEGIN TRANSACTION;');
    expect(sql).toContain("WHERE CONCAT(CAST(`game_date` AS STRING), '\\x1f', CAST(`player_lookup` AS STRING), '\\x1f', CAST(`game_id` AS STRING)) IN UNNEST(@keys);");
    expect(sql.trim().endsWith('COMMIT TRANSACTION;')).toBe(true);
    const row = sampleActualRow();
    expect(keyString(playerGameSummaryTable, row)).toBe([row.game_date, row.player_lookup, row.game_id].join(KEY_SEPARATOR));
  });

  it('replaceDate deletes only the date it replaces', () => {
    expect(replaceDateScript(at, notificationsTable)).toContain('DELETE FROM `p.prediction_worker.notifications_sent` WHERE game_date = @game_date;');
  });

  it('replaceDate by system deletes only the graded systems of that date', () => {
    expect(replaceDateScript(at, predictionAccuracyTable, { bySystem: true })).toContain(
      'DELETE FROM `p.prediction_worker.prediction_accuracy` WHERE game_date = @game_date AND system_id IN UNNEST(@system_ids);',
    );
  });

  it('places worker tables in the worker dataset and reads inputs where the upstream writes them', () => {
    const names = { worker: 'pw', features: 'feat', actuals: 'box', compat: 'cv' };
    const here: Placement = { projectId: 'proj', datasets: names };
    expect(tableRef(here, playerPropPredictionsTable)).toBe('`proj.pw.player_prop_predictions`');
    expect(tableRef(here, predictionAccuracyTable)).toBe('`proj.pw.prediction_accuracy`');
    expect(tableRef(here, featureStoreTable)).toBe('`proj.feat.ml_feature_store_v2`');
    expect(tableRef(here, playerGameSummaryTable)).toBe('`proj.box.player_game_summary`');
    // defaults: the worker never writes the original platform's nba_predictions tables
    for (const t of ALL_TABLES as readonly AnyTable[]) {
      if (t !== featureStoreTable && t !== playerGameSummaryTable) expect(tableRef(at, t)).toBe(`\`p.prediction_worker.${t.name}\``);
    }
  });

  it('rows read from the client unwrap DATE/TIMESTAMP wrappers and keep arrays', () => {
    const raw = {
      game_date: { value: '2025-11-08' },
      kind: 'picks_slack',
      system_id: 'catboost_v9',
      payload: '{}',
      sent_at: { value: '2025-11-08T16:00:00Z' },
    };
    expect(fromBigQueryRow(notificationsTable, raw)).toEqual({ ...raw, game_date: '2025-11-08', sent_at: '2025-11-08T16:00:00.000Z' });
  });
});
