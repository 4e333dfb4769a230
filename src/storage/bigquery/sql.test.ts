import { describe, expect, it } from 'vitest';
import { ALL_TABLES, notificationsTable, playerGameSummaryTable, type AnyTable } from '../tables/index.js';
import { sampleActualRow } from '../sample-rows.js';
import { KEY_SEPARATOR, columnsOf, fromBigQueryRow, keyString, replaceDateScript, rowsSource, upsertScript } from './sql.js';

describe('bigquery sql', () => {
  it.each(ALL_TABLES.map((t) => [t.name, t as AnyTable]))('%s: the rows source yields every column once, typed', (_n, table) => {
    const sql = rowsSource(table);
    for (const [name] of columnsOf(table)) expect(sql.match(new RegExp(`AS \`${name}\``, 'g'))?.length, name).toBe(1);
    expect(sql).toContain('JSON_QUERY_ARRAY(@rows)');
  });

  it('a keyed upsert deletes exactly the given keys, then inserts, in one transaction', () => {
    const sql = upsertScript('p', playerGameSummaryTable);
    expect(sql.split('\n')[0]).toBe('BEGIN TRANSACTION;');
    expect(sql).toContain("WHERE CONCAT(CAST(`game_date` AS STRING), '\\x1f', CAST(`player_lookup` AS STRING), '\\x1f', CAST(`game_id` AS STRING)) IN UNNEST(@keys);");
    expect(sql.trim().endsWith('COMMIT TRANSACTION;')).toBe(true);
    const row = sampleActualRow();
    expect(keyString(playerGameSummaryTable, row)).toBe([row.game_date, row.player_lookup, row.game_id].join(KEY_SEPARATOR));
  });

  it('replaceDate deletes only the date it replaces', () => {
    expect(replaceDateScript('p', notificationsTable)).toContain('DELETE FROM `p.nba_predictions.notifications_sent` WHERE game_date = @game_date;');
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
