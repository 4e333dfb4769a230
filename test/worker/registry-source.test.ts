/**
 * Issue 7, class 11: the worker reads MONTHLY_MODELS with the same strict parser as
 * `registry check`, so a duplicate key refuses to start instead of serving the last copy.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseRegistry } from '../../config/registry.js';
import { MONTHLY_MODELS } from '../../config/monthly-models.js';
import { isPwError } from '../../src/errors.js';
import { buildApp } from '../../src/worker/app.js';
import { REGISTRY_SOURCE_FILE, loadWorkerRegistry } from '../../src/worker/registry-source.js';
import { tempDir } from '../models/helpers.js';
import { EMBEDDED_DB_FILE } from '../../src/storage/open.js';
import { testConfig } from './helper.js';

const run = promisify(execFile);

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir('pw-registry-')));
afterEach(() => cleanup());

/** The real registry file with its first entry's key used a second time (another model). */
function withDuplicateKey(): string {
  const text = readFileSync(REGISTRY_SOURCE_FILE, 'utf8');
  const first = Object.keys(MONTHLY_MODELS)[0]!;
  const second = Object.keys(MONTHLY_MODELS)[1]!;
  const file = join(dir, 'monthly-models.ts');
  writeFileSync(file, text.replace(`  ${second}: {`, `  ${first}: {`));
  return file;
}

describe('the worker reads the registry like registry check', () => {
  it('the shipped file gives the same registry as the evaluated module', async () => {
    const loaded = await loadWorkerRegistry();
    expect(loaded.source).toBe(REGISTRY_SOURCE_FILE);
    expect(loaded.registry).toEqual(parseRegistry(MONTHLY_MODELS));
  });

  it('a duplicate key is refused, naming it (the evaluated module would keep the last copy)', async () => {
    const file = withDuplicateKey();
    const err = await loadWorkerRegistry(file).then(() => undefined, (e: unknown) => e);
    expect(isPwError(err, 'PW_ERR_REGISTRY'), String(err)).toBe(true);
    expect((err as Error).message).toContain(`duplicate key '${Object.keys(MONTHLY_MODELS)[0]}'`);
  });

  it('the worker does not start on such a file, and lets go of the database it began opening alongside', async () => {
    const app = buildApp({ config: testConfig({ WORKER_DATA_DIR: dir }), registryFile: withDuplicateKey() });
    const err = await app.ready().then(() => undefined, (e: unknown) => e);
    expect(isPwError(err, 'PW_ERR_REGISTRY'), String(err)).toBe(true);
    // The storage began opening alongside the models (app.ts): let it finish, then close the app.
    await vi.waitFor(() => expect(existsSync(join(dir, `${EMBEDDED_DB_FILE}.ingest`))).toBe(true), { timeout: 20_000 });
    await app.close().catch(() => undefined);
    expect(existsSync(join(dir, `${EMBEDDED_DB_FILE}.ingest`))).toBe(false); // closed cleanly (its log folder goes)
    // …and the file is free: another process can take it.
    const child = join(import.meta.dirname, '../storage/open-duckdb-child.ts');
    const file = join(dir, EMBEDDED_DB_FILE);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', child, file, 'read-write'], { timeout: 60_000 });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({ ok: true });
  });
});
