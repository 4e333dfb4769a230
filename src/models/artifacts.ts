/**
 * @module models/artifacts
 * Model artifacts in Cloud Storage: `model upload` and `model ls`.
 *
 * Upload puts a model under an immutable, content-addressed name,
 * `<prefix><file stem>-<sha256>.<ext>` (the full SHA-256 in the name), with `ifGenerationMatch=0`
 * so an existing object is never overwritten: overwriting an object in place makes every new
 * worker instance refuse the champion (sha256 mismatch), an outage caused by an upload. An object
 * already there with the same bytes is reported as such (idempotent); one with other bytes is
 * refused (PW_ERR_MODEL_EXISTS). After the upload the stored object's size and md5 are compared
 * with the file and the object's `sha256` metadata records the full hash; callers then fetch it
 * back through the worker's own ModelStore to prove the sha256 end to end.
 *
 * List reads every object under a prefix with its size, sha256 (metadata, else the name), upload
 * time, and its state in the registry (`registryStateOf`, pure).
 *
 * The Storage client comes from model-store.ts `createStorageClient` (one factory for both).
 */
import { createHash } from 'node:crypto';
import { basename, extname } from 'node:path';
import type { Storage } from '@google-cloud/storage';
import { PwError, describeError, isPwError } from '../errors.js';
import { CHAMPION_SYSTEM_ID, type Registry } from '../../config/registry.js';
import { gcsUri, parseGcsObject, parseGcsPrefix, type GcsObjectRef } from './gcs-path.js';
import { sha256Hex } from './model-store.js';

/** An object's metadata as the artifact code needs it. */
export interface ArtifactObject {
  bucket: string;
  name: string;
  sizeBytes: number;
  /** Base64 MD5 as Cloud Storage reports it. */
  md5Hash?: string;
  generation: string;
  /** ISO time the object was created. */
  created: string;
  /** The `sha256` custom metadata written at upload (absent for objects uploaded otherwise). */
  sha256?: string;
}

/**
 * The Cloud Storage operations artifacts need; `gcsArtifactStore` wraps @google-cloud/storage,
 * tests may pass a fake. Errors are PwErrors.
 */
export interface ArtifactStore {
  /** The object's metadata, or undefined when it does not exist. */
  stat(ref: GcsObjectRef): Promise<ArtifactObject | undefined>;
  /** Create the object only if absent (generation precondition 0); 'exists' when it is already there. */
  create(ref: GcsObjectRef, bytes: Uint8Array, metadata: Record<string, string>): Promise<ArtifactObject | 'exists'>;
  /** Every object whose name starts with `prefix`. */
  list(bucket: string, prefix: string): Promise<ArtifactObject[]>;
}

const SHA256_IN_NAME = /-([0-9a-f]{64})(?:\.[A-Za-z0-9]+)?$/;

/** The immutable object name for a file's bytes: `<stem>-<sha256><ext>` (e.g. `m-045a….cbm`). */
export function contentAddressedName(file: string, sha256: string): string {
  const ext = extname(file);
  const stem = basename(file, ext).replace(/-[0-9a-f]{64}$/, '');
  return `${stem}-${sha256}${ext}`;
}

/** The gs:// path `model upload` gives `file` (bytes hashing to `sha256`) under `prefix` (gs://bucket/folder/). */
export function uploadPathFor(prefix: string, file: string, sha256: string): string {
  const ref = parseGcsPrefix(prefix, '--upload-path');
  return gcsUri({ bucket: ref.bucket, object: `${ref.object}${contentAddressedName(file, sha256)}` });
}

/** The sha256 an object declares: its metadata, else a 64-hex part of its content-addressed name. */
export function declaredSha256(o: Pick<ArtifactObject, 'sha256' | 'name'>): string | undefined {
  return o.sha256 ?? SHA256_IN_NAME.exec(o.name)?.[1];
}

function md5Base64(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('base64');
}

export interface UploadResult {
  /** What goes in the registry's `model_path` / CATBOOST_V9_MODEL_PATH. */
  model_path: string;
  /** What goes in the registry's `sha256` / CATBOOST_V9_MODEL_SHA256. */
  sha256: string;
  size_bytes: number;
  generation: string;
  /** false when an identical object was already there (nothing written). */
  created: boolean;
}

/**
 * Upload `bytes` (read from `file`) under `prefix`. Returns the registry fields. Throws
 * PW_ERR_GCS_PATH (bad prefix), PW_ERR_MODEL_EXISTS (name taken by other bytes) or
 * PW_ERR_MODEL_UPLOAD (transfer failed or the stored object does not match the file).
 */
export async function uploadModel(store: ArtifactStore, input: { file: string; bytes: Uint8Array; prefix: string }): Promise<UploadResult> {
  const sha256 = sha256Hex(input.bytes);
  const path = uploadPathFor(input.prefix, input.file, sha256);
  const ref = parseGcsObject(path);
  const md5 = md5Base64(input.bytes);
  const matches = (o: ArtifactObject) =>
    o.sizeBytes === input.bytes.byteLength && (o.md5Hash === undefined || o.md5Hash === md5) && (o.sha256 === undefined || o.sha256 === sha256);

  const created = await store.create(ref, input.bytes, { sha256, source_file: basename(input.file) });
  if (created === 'exists') {
    const existing = await store.stat(ref);
    if (!existing) throw new PwError('PW_ERR_MODEL_UPLOAD', undefined, path, 'the object was reported to exist but cannot be read');
    if (!matches(existing)) {
      throw new PwError(
        'PW_ERR_MODEL_EXISTS',
        undefined,
        path,
        `stored ${existing.sizeBytes} bytes md5 ${existing.md5Hash ?? '?'} sha256 ${existing.sha256 ?? '?'}, file ${input.bytes.byteLength} bytes md5 ${md5} sha256 ${sha256}; nothing was overwritten`,
      );
    }
    return { model_path: path, sha256, size_bytes: existing.sizeBytes, generation: existing.generation, created: false };
  }
  // Verify what the server holds, not what we sent.
  const stored = await store.stat(ref);
  if (!stored || !matches(stored) || stored.sha256 !== sha256) {
    throw new PwError(
      'PW_ERR_MODEL_UPLOAD',
      undefined,
      path,
      `the stored object does not match the file (stored ${stored ? `${stored.sizeBytes} bytes md5 ${stored.md5Hash ?? '?'} sha256 ${stored.sha256 ?? '?'}` : 'nothing'}, file ${input.bytes.byteLength} bytes md5 ${md5})`,
    );
  }
  return { model_path: path, sha256, size_bytes: stored.sizeBytes, generation: stored.generation, created: true };
}

/** Where a model file stands in the registry. */
export type RegistryState = 'champion' | 'enabled' | 'retired' | 'unregistered';

export interface RegistryRef {
  state: RegistryState;
  /** The system_ids that name this path (champion: catboost_v9). */
  systemIds: string[];
}

/**
 * The registry state of a model path: `champion` when CATBOOST_V9_MODEL_PATH names it, else
 * `enabled` / `retired` (enabled: false) by the registry entries naming it, else `unregistered`.
 * Pure.
 */
export function registryStateOf(path: string, registry: Registry, championPath: string): RegistryRef {
  if (path === championPath) return { state: 'champion', systemIds: [CHAMPION_SYSTEM_ID] };
  const entries = Object.entries(registry).filter(([, e]) => e.model_path === path);
  if (entries.length === 0) return { state: 'unregistered', systemIds: [] };
  const enabled = entries.filter(([, e]) => e.enabled);
  return { state: enabled.length > 0 ? 'enabled' : 'retired', systemIds: (enabled.length > 0 ? enabled : entries).map(([id]) => id) };
}

export interface ListedModel {
  model_path: string;
  size_bytes: number;
  sha256: string | null;
  uploaded_at: string;
  state: RegistryState;
  system_ids: string[];
}

/** Every object under `prefix` (gs://bucket/folder/), oldest first, with its registry state. */
export async function listModels(store: ArtifactStore, prefix: string, registry: Registry, championPath: string): Promise<ListedModel[]> {
  const ref = parseGcsPrefix(prefix, '--bucket');
  const objects = await store.list(ref.bucket, ref.object);
  return objects
    .filter((o) => !o.name.endsWith('/'))
    .sort((a, b) => a.created.localeCompare(b.created) || a.name.localeCompare(b.name))
    .map((o) => {
      const path = gcsUri({ bucket: o.bucket, object: o.name });
      const r = registryStateOf(path, registry, championPath);
      return { model_path: path, size_bytes: o.sizeBytes, sha256: declaredSha256(o) ?? null, uploaded_at: o.created, state: r.state, system_ids: r.systemIds };
    });
}

// --- @google-cloud/storage ------------------------------------------------------------------

function status(err: unknown): number | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

interface GcsMetadata {
  name?: string;
  bucket?: string;
  size?: string | number;
  md5Hash?: string;
  generation?: string | number;
  timeCreated?: string;
  metadata?: Record<string, unknown>;
}

function toArtifact(bucket: string, name: string, m: GcsMetadata): ArtifactObject {
  const sha = m.metadata?.sha256;
  return {
    bucket,
    name,
    sizeBytes: Number(m.size ?? 0),
    ...(m.md5Hash ? { md5Hash: m.md5Hash } : {}),
    generation: String(m.generation ?? ''),
    created: m.timeCreated ? new Date(m.timeCreated).toISOString() : '',
    ...(typeof sha === 'string' ? { sha256: sha } : {}),
  };
}

/** `ArtifactStore` over a @google-cloud/storage client (createStorageClient). */
export function gcsArtifactStore(storage: Storage): ArtifactStore {
  return {
    async stat(ref) {
      try {
        const [meta] = await storage.bucket(ref.bucket).file(ref.object).getMetadata();
        return toArtifact(ref.bucket, ref.object, meta as GcsMetadata);
      } catch (err) {
        if (status(err) === 404) return undefined;
        throw new PwError('PW_ERR_MODEL_FETCH', { cause: err }, gcsUri(ref), describeError(err));
      }
    },
    async create(ref, bytes, metadata) {
      const file = storage.bucket(ref.bucket).file(ref.object);
      try {
        await file.save(Buffer.from(bytes), {
          resumable: false,
          validation: 'md5',
          preconditionOpts: { ifGenerationMatch: 0 },
          metadata: { contentType: 'application/octet-stream', metadata },
        });
      } catch (err) {
        if (status(err) === 412) return 'exists';
        throw new PwError('PW_ERR_MODEL_UPLOAD', { cause: err }, gcsUri(ref), describeError(err));
      }
      const [meta] = await file.getMetadata();
      return toArtifact(ref.bucket, ref.object, meta as GcsMetadata);
    },
    async list(bucket, prefix) {
      try {
        const [files] = await storage.bucket(bucket).getFiles({ prefix, autoPaginate: true });
        return files.map((f) => toArtifact(bucket, f.name, f.metadata as GcsMetadata));
      } catch (err) {
        if (isPwError(err)) throw err;
        throw new PwError('PW_ERR_MODEL_FETCH', { cause: err }, `gs://${bucket}/${prefix}`, describeError(err));
      }
    },
  };
}
