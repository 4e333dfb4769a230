import { describe, expect, it } from 'vitest';
import { isPwError } from '../../errors.js';
import { WRITE_PERMISSION, bigQueryWriteCheck, tablesWithoutWrite, type IamTableClient } from './write-check.js';

const TABLES = [
  { dataset: 'prediction_worker', table: 'player_prop_predictions' },
  { dataset: 'prediction_worker', table: 'prediction_request_outcomes' },
];

/** A stubbed client: per `dataset.table`, the permissions granted (or an error); records the calls. */
function stubClient(grants: Record<string, string[] | Error>) {
  const calls: Array<{ table: string; permissions: string[] }> = [];
  const client: IamTableClient = {
    dataset: (d) => ({
      table: (t) => ({
        testIamPermissions: async (permissions) => {
          calls.push({ table: `${d}.${t}`, permissions });
          const g = grants[`${d}.${t}`];
          if (g instanceof Error) throw g;
          // Like the API: the subset of the asked permissions that the caller holds.
          return [{ permissions: permissions.filter((p) => (g ?? []).includes(p)) }];
        },
      }),
    }),
  };
  return { client, calls };
}

async function failure(check: () => Promise<void>) {
  try {
    await check();
  } catch (err) {
    return err;
  }
  throw new Error('the check passed');
}

describe('BigQuery write check (testIamPermissions, stubbed client)', () => {
  it('passes when every push-path table grants bigquery.tables.updateData, asking exactly that for each table', async () => {
    const { client, calls } = stubClient({
      'prediction_worker.player_prop_predictions': ['bigquery.tables.getData', WRITE_PERMISSION],
      'prediction_worker.prediction_request_outcomes': [WRITE_PERMISSION],
    });
    await expect(bigQueryWriteCheck({ client, tables: TABLES, emulator: false })()).resolves.toBeUndefined();
    expect(calls).toEqual(TABLES.map((t) => ({ table: `${t.dataset}.${t.table}`, permissions: ['bigquery.tables.updateData'] })));
  });

  it('a table without updateData (a read-only account) fails with PW_ERR_SINK_WRITE naming that table only', async () => {
    const { client } = stubClient({
      'prediction_worker.player_prop_predictions': [WRITE_PERMISSION],
      'prediction_worker.prediction_request_outcomes': ['bigquery.tables.getData'],
    });
    const err = await failure(bigQueryWriteCheck({ client, tables: TABLES, emulator: false }));
    expect(isPwError(err, 'PW_ERR_SINK_WRITE')).toBe(true);
    expect((err as Error).message).toContain('prediction_worker.prediction_request_outcomes');
    expect((err as Error).message).not.toContain('player_prop_predictions');
    expect((err as Error).message).toContain('bigquery.tables.updateData');
  });

  it('a failing permission call (no access to the table at all) fails with PW_ERR_SINK_WRITE and its reason', async () => {
    const { client } = stubClient({
      'prediction_worker.player_prop_predictions': new Error('Access Denied: Table p:prediction_worker.player_prop_predictions'),
      'prediction_worker.prediction_request_outcomes': [WRITE_PERMISSION],
    });
    const err = await failure(bigQueryWriteCheck({ client, tables: TABLES, emulator: false }));
    expect(isPwError(err, 'PW_ERR_SINK_WRITE')).toBe(true);
    expect((err as Error).message).toContain('Access Denied');
  });

  it('against an emulator (no IAM, testIamPermissions unsupported) it makes no call', async () => {
    const { client, calls } = stubClient({});
    await expect(bigQueryWriteCheck({ client, tables: TABLES, emulator: true })()).resolves.toBeUndefined();
    expect(calls).toEqual([]);
  });

  it('tablesWithoutWrite lists the tables lacking the permission', () => {
    expect(
      tablesWithoutWrite([
        { dataset: 'a', table: 'x', permissions: [WRITE_PERMISSION] },
        { dataset: 'a', table: 'y', permissions: [] },
      ]),
    ).toEqual(['a.y']);
  });
});
