import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPwError } from '../../src/errors.js';
import { ModelStore, cacheFileName, parseGcsPath } from '../../src/models/model-store.js';
import { FakeObjects, tempDir } from './helpers.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

describe('ModelStore, local files', () => {
  it('reads a relative path from cwd in place with its full SHA-256', async () => {
    const bytes = Buffer.from('model bytes \u0000\u0001');
    writeFileSync(join(dir, 'm.cbm'), bytes);
    const got = await new ModelStore({ cwd: dir, cacheDir: join(dir, 'cache') }).fetch('m.cbm');
    expect(got).toMatchObject({ path: 'm.cbm', localPath: join(dir, 'm.cbm'), sha256: sha(bytes), sizeBytes: bytes.length, source: 'local' });
    expect(got.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Buffer.from(got.bytes).equals(bytes)).toBe(true);
    expect(existsSync(join(dir, 'cache'))).toBe(false); // local files are never copied
  });

  it('accepts the declared sha256 and refuses a different one, naming file, actual and declared', async () => {
    const bytes = Buffer.from('abc');
    writeFileSync(join(dir, 'm.cbm'), bytes);
    const store = new ModelStore({ cwd: dir });
    await expect(store.fetch('m.cbm', { expectedSha256: sha(bytes) })).resolves.toMatchObject({ sha256: sha(bytes) });
    const declared = sha(Buffer.from('something else'));
    const err = await store.fetch('m.cbm', { expectedSha256: declared }).catch((e: unknown) => e);
    expect(isPwError(err, 'PW_ERR_MODEL_SHA256')).toBe(true);
    expect((err as Error).message).toContain('m.cbm');
    expect((err as Error).message).toContain(sha(bytes));
    expect((err as Error).message).toContain(declared);
  });

  it('reports a missing file as PW_ERR_MODEL_NOT_FOUND (not retryable)', async () => {
    const err = await new ModelStore({ cwd: dir }).fetch('nope/m.cbm').catch((e: unknown) => e);
    expect(isPwError(err, 'PW_ERR_MODEL_NOT_FOUND')).toBe(true);
    expect((err as Error).message).toContain('nope/m.cbm');
    expect((err as { retryable: boolean }).retryable).toBe(false);
  });
});

describe('ModelStore, gs:// objects (in-memory object source)', () => {
  const v1 = Buffer.from('generation one');
  const v2 = Buffer.from('generation two, longer');

  function setup() {
    const objects = new FakeObjects();
    objects.put('bkt', 'catboost/v9/m.cbm', v1);
    const store = new ModelStore({ cacheDir: join(dir, 'cache'), objects });
    return { objects, store };
  }

  it('downloads into the cache, then reuses it while the object is unchanged', async () => {
    const { objects, store } = setup();
    const first = await store.fetch('gs://bkt/catboost/v9/m.cbm');
    expect(first).toMatchObject({ source: 'download', sha256: sha(v1), sizeBytes: v1.length });
    expect(readFileSync(first.localPath).equals(v1)).toBe(true);
    const second = await store.fetch('gs://bkt/catboost/v9/m.cbm');
    expect(second).toMatchObject({ source: 'cache', sha256: sha(v1), localPath: first.localPath });
    expect(objects.downloads).toBe(1);
    expect(objects.stats).toBe(2); // one cheap metadata call per fetch
  });

  it('downloads again when the object changes (new generation)', async () => {
    const { objects, store } = setup();
    await store.fetch('gs://bkt/catboost/v9/m.cbm');
    objects.put('bkt', 'catboost/v9/m.cbm', v2);
    const got = await store.fetch('gs://bkt/catboost/v9/m.cbm');
    expect(got).toMatchObject({ source: 'download', sha256: sha(v2) });
    expect(readFileSync(got.localPath).equals(v2)).toBe(true);
    expect(objects.downloads).toBe(2);
  });

  it('downloads again when the cached file was damaged', async () => {
    const { objects, store } = setup();
    const first = await store.fetch('gs://bkt/catboost/v9/m.cbm');
    writeFileSync(first.localPath, 'tampered');
    const got = await store.fetch('gs://bkt/catboost/v9/m.cbm');
    expect(got).toMatchObject({ source: 'download', sha256: sha(v1) });
    expect(objects.downloads).toBe(2);
  });

  it('refuses a downloaded object whose sha256 differs from the declared one', async () => {
    const { store } = setup();
    const err = await store.fetch('gs://bkt/catboost/v9/m.cbm', { expectedSha256: sha(v2) }).catch((e: unknown) => e);
    expect(isPwError(err, 'PW_ERR_MODEL_SHA256')).toBe(true);
    expect((err as Error).message).toContain('gs://bkt/catboost/v9/m.cbm');
  });

  it('shares one download between concurrent fetches of the same object', async () => {
    const { objects, store } = setup();
    let open!: () => void;
    objects.gate = new Promise((r) => (open = r));
    const both = Promise.all([store.fetch('gs://bkt/catboost/v9/m.cbm'), store.fetch('gs://bkt/catboost/v9/m.cbm')]);
    open();
    const [a, b] = await both;
    expect(a.sha256).toBe(sha(v1));
    expect(b.sha256).toBe(sha(v1));
    expect(objects.downloads).toBe(1);
  });

  it('keeps different objects in different cache files', async () => {
    const { objects, store } = setup();
    objects.put('bkt', 'a/b_c.cbm', Buffer.from('one'));
    objects.put('bkt', 'a_b/c.cbm', Buffer.from('two'));
    const a = await store.fetch('gs://bkt/a/b_c.cbm');
    const b = await store.fetch('gs://bkt/a_b/c.cbm');
    expect(a.localPath).not.toBe(b.localPath);
    expect(readFileSync(a.localPath, 'utf8')).toBe('one');
    expect(readFileSync(b.localPath, 'utf8')).toBe('two');
  });

  it('maps a missing object to NOT_FOUND and network trouble to a retryable FETCH error, leaving no partial file', async () => {
    const { objects, store } = setup();
    const missing = await store.fetch('gs://bkt/none.cbm').catch((e: unknown) => e);
    expect(isPwError(missing, 'PW_ERR_MODEL_NOT_FOUND')).toBe(true);

    objects.offline = true;
    const offline = await store.fetch('gs://bkt/catboost/v9/m.cbm').catch((e: unknown) => e);
    expect(isPwError(offline, 'PW_ERR_MODEL_FETCH')).toBe(true);
    expect((offline as { retryable: boolean }).retryable).toBe(true);
    const cacheFiles = existsSync(join(dir, 'cache')) ? readdirSync(join(dir, 'cache')) : [];
    expect(cacheFiles.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses gs:// paths without an object name', () => {
    expect(() => parseGcsPath('gs://bucket-only')).toThrow(/names a bucket, not an object/);
    expect(() => parseGcsPath('s3://bkt/x.cbm')).toThrow(/only gs:\/\/ .*not s3:\/\//);
    expect(parseGcsPath('gs://bkt/x/y.cbm')).toEqual({ bucket: 'bkt', object: 'x/y.cbm' });
    expect(parseGcsPath('models/x.cbm')).toBeUndefined();
  });

  it('builds cache names without path separators or leading dots', () => {
    for (const [b, o] of [['b', '../../etc/passwd'], ['b', '..'], ['b', 'x/y/z.cbm']] as const) {
      const name = cacheFileName(b, o);
      expect(name).not.toContain('/');
      expect(name.startsWith('.')).toBe(false);
    }
    expect(cacheFileName('b', 'a/b_c')).not.toBe(cacheFileName('b', 'a_b/c'));
    expect(cacheFileName('b', `${'x'.repeat(400)}.cbm`).length).toBeLessThanOrEqual(200);
  });
});
