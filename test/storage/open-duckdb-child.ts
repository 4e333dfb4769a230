/** Child process for duckdb-lock.test.ts: opens the given DuckDB file and prints the outcome as JSON. */
import { openDuckDbStorage } from '../../src/storage/duckdb/index.js';
import { isPwError } from '../../src/errors.js';

const [path, mode] = process.argv.slice(2);
try {
  const storage = await openDuckDbStorage({ path, readOnly: mode === 'read-only' });
  await storage.close();
  console.log(JSON.stringify({ ok: true }));
} catch (err) {
  console.log(JSON.stringify(isPwError(err) ? { ok: false, code: err.code, message: err.message } : { ok: false, message: String(err) }));
}
