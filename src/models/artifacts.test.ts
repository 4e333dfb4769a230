import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isPwError } from '../errors.js';
import { parseRegistry } from '../../config/registry.js';
import { contentAddressedName, listModels, registryStateOf, uploadModel, type ArtifactObject, type ArtifactStore } from './artifacts.js';
import type { GcsObjectRef } from './gcs-path.js';

/** An in-memory bucket with the same create-if-absent rule as ifGenerationMatch=0. */
function memoryStore(): ArtifactStore & { objects: Map<string, { bytes: Buffer; meta: Record<string, string>; created: string; generation: number }> } {
  const objects = new Map<string, { bytes: Buffer; meta: Record<string, string>; created: string; generation: number }>();
  let clock = 0;
  const view = (bucket: string, name: string): ArtifactObject | undefined => {
    const o = objects.get(`${bucket}/${name}`);
    if (!o) return undefined;
    return {
      bucket,
      name,
      sizeBytes: o.bytes.length,
      md5Hash: createHash('md5').update(o.bytes).digest('base64'),
      generation: String(o.generation),
      created: new Date(Date.UTC(2026, 0, 1, 0, 0, clock)).toISOString(),
      ...(o.meta.sha256 ? { sha256: o.meta.sha256 } : {}),
    };
  };
  return {
    objects,
    stat: async (ref: GcsObjectRef) => view(ref.bucket, ref.object),
    create: async (ref, bytes, meta) => {
      const key = `${ref.bucket}/${ref.object}`;
      if (objects.has(key)) return 'exists';
      objects.set(key, { bytes: Buffer.from(bytes), meta, created: String(++clock), generation: clock });
      return view(ref.bucket, ref.object)!;
    },
    list: async (bucket, prefix) =>
      [...objects.keys()].filter((k) => k.startsWith(`${bucket}/${prefix}`)).map((k) => view(bucket, k.slice(bucket.length + 1))!),
  };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('model artifacts', () => {
  it('uploads under the content-addressed name and prints the registry fields', async () => {
    const store = memoryStore();
    const bytes = Buffer.from('model bytes v1');
    const r = await uploadModel(store, { file: 'models/deep.cbm', bytes, prefix: 'gs://pw-models/v9/' });
    expect(r).toMatchObject({ model_path: `gs://pw-models/v9/deep-${sha(bytes)}.cbm`, sha256: sha(bytes), size_bytes: bytes.length, created: true });
    expect(store.objects.get(`pw-models/v9/deep-${sha(bytes)}.cbm`)!.meta).toEqual({ sha256: sha(bytes), source_file: 'deep.cbm' });
    expect(contentAddressedName(`deep-${sha(bytes)}.cbm`, sha(bytes))).toBe(`deep-${sha(bytes)}.cbm`);
  });

  it('never overwrites: the same bytes again is a no-op, other bytes under the name are refused', async () => {
    const store = memoryStore();
    const bytes = Buffer.from('model bytes v1');
    const first = await uploadModel(store, { file: 'm.cbm', bytes, prefix: 'gs://pw-models/' });
    const again = await uploadModel(store, { file: 'm.cbm', bytes, prefix: 'gs://pw-models/' });
    expect(again).toMatchObject({ model_path: first.model_path, created: false, generation: first.generation });
    // Someone replaced the object's bytes in place (the outage the issue describes).
    store.objects.get(`pw-models/m-${sha(bytes)}.cbm`)!.bytes = Buffer.from('tampered bytes');
    const err = await uploadModel(store, { file: 'm.cbm', bytes, prefix: 'gs://pw-models/' }).catch((e: unknown) => e);
    expect(isPwError(err, 'PW_ERR_MODEL_EXISTS')).toBe(true);
    expect(store.objects.get(`pw-models/m-${sha(bytes)}.cbm`)!.bytes.toString()).toBe('tampered bytes');
  });

  it('refuses a bad --bucket before writing anything', async () => {
    const store = memoryStore();
    for (const prefix of ['s3://pw-models/', 'gs://pw-models', 'gs://pw-models/m.cbm']) {
      const err = await uploadModel(store, { file: 'm.cbm', bytes: Buffer.from('x'), prefix }).catch((e: unknown) => e);
      expect(isPwError(err, 'PW_ERR_GCS_PATH'), prefix).toBe(true);
    }
    expect(store.objects.size).toBe(0);
  });

  it('lists objects with size, sha256, upload time and registry state', async () => {
    const store = memoryStore();
    const a = await uploadModel(store, { file: 'a.cbm', bytes: Buffer.from('a'), prefix: 'gs://pw-models/v9/' });
    const b = await uploadModel(store, { file: 'b.cbm', bytes: Buffer.from('b'), prefix: 'gs://pw-models/v9/' });
    const c = await uploadModel(store, { file: 'c.cbm', bytes: Buffer.from('c'), prefix: 'gs://pw-models/v9/' });
    const d = await uploadModel(store, { file: 'd.cbm', bytes: Buffer.from('d'), prefix: 'gs://pw-models/v9/' });
    await uploadModel(store, { file: 'other.cbm', bytes: Buffer.from('o'), prefix: 'gs://pw-models/v8/' });
    const entry = (path: string, enabled: boolean) => ({
      model_path: path, train_start: '2025-01-01', train_end: '2025-02-01', backtest_mae: 4, backtest_hit_rate_all: 55,
      backtest_hit_rate_edge_3plus: 60, backtest_n_edge_3plus: 50, enabled, description: 'x',
    });
    const registry = parseRegistry({ catboost_v9_b: entry(b.model_path, true), catboost_v9_c: entry(c.model_path, false) });
    const listed = await listModels(store, 'gs://pw-models/v9/', registry, a.model_path);
    expect(listed.map((m) => [m.model_path, m.state, m.system_ids, m.sha256, m.size_bytes])).toEqual([
      [a.model_path, 'champion', ['catboost_v9'], a.sha256, 1],
      [b.model_path, 'enabled', ['catboost_v9_b'], b.sha256, 1],
      [c.model_path, 'retired', ['catboost_v9_c'], c.sha256, 1],
      [d.model_path, 'unregistered', [], d.sha256, 1],
    ]);
    expect(listed.every((m) => /^\d{4}-\d{2}-\d{2}T/.test(m.uploaded_at))).toBe(true);
    expect(registryStateOf('gs://x/y', registry, a.model_path).state).toBe('unregistered');
  });
});
