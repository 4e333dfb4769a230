import { DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { performance } from 'node:perf_hooks';
import { playerPropPredictionsTable as t, duckDbDdl, embeddedName } from './src/storage/tables/index.js';
import { upsertSql, upsertParams, columnsOf, paramType, toParam } from './src/storage/duckdb/values.js';
import { samplePredictionRow } from './src/storage/sample-rows.js';
const inst = await DuckDBInstance.create(':memory:', { threads: '1' });
const c = await inst.connect();
await c.run(duckDbDdl(t));
const cols = columnsOf(t);
await c.run(`CREATE TEMP TABLE stage (${cols.map(([n, col]) => `"${n}" ${paramType(col).toString()}`).join(', ')})`);
let seq = 0;
const rows = (k: number) => Array.from({ length: k }, (_, i) => samplePredictionRow({ prediction_id: `${seq++}`.padStart(32, '0') }));
async function time(label: string, f: () => Promise<unknown>, n = 60) {
  const s = performance.now();
  for (let i = 0; i < n; i++) await f();
  console.log(label, ((performance.now() - s) / n).toFixed(2), 'ms');
}
const merge = `INSERT OR REPLACE INTO ${embeddedName(t)} SELECT ${cols.map(([n, col]) => col.mode==='REPEATED' ? `"${n}"` : col.type === 'DATE' ? `CAST("${n}" AS DATE)` : col.type === 'TIMESTAMP' ? `CAST("${n}" AS TIMESTAMPTZ)` : `"${n}"`).join(', ')} FROM stage`;
for (const k of [6, 60]) {
  await time(`values upsert k=${k}`, async () => { const r = rows(k); const { values, types } = upsertParams(t, r); await c.run(upsertSql(t, k), values, types); });
  await time(`appender+merge k=${k}`, async () => {
    const a = await c.createAppender('stage');
    const vals = upsertParams(t, rows(k));
    for (let i = 0; i < vals.values.length; i++) { a.appendValue(vals.values[i] as DuckDBValue, vals.types[i]); if ((i + 1) % cols.length === 0) a.endRow(); }
    a.closeSync();
    await c.run(merge); await c.run('DELETE FROM stage');
  });
}
