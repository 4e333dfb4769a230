/**
 * @module models/model-store
 * `ModelStore`: turns a configured model path (`gs://bucket/object` or a local path relative to
 * the working directory) into verified bytes on local disk.
 *
 * - Local files are read in place.
 * - gs:// objects are downloaded into the cache dir (default /tmp/models) under a name keyed by
 *   bucket + object, so two models never share a cache file (the original downloaded every model
 *   to one fixed path on every cold start, §2.1). Writes are atomic (temp file + rename). A
 *   sidecar `<file>.meta.json` records the object's generation and md5; when the object's current
 *   metadata still matches, the download is skipped (one metadata call instead of a download).
 * - Every loaded file gets a full SHA-256 (the original kept 16 hex chars, §2.1); a declared hash
 *   that differs refuses the file (incident 10.3: the wrong model silently served).
 * - Concurrent fetches of the same path share one download.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { Storage } from '@google-cloud/storage';
import { PwError, describeError, isPwError } from '../errors.js';
import { parseGcsObject } from './gcs-path.js';

/** Where the bytes came from: read in place, reused from the cache, or freshly downloaded. */
export type FetchSource = 'local' | 'cache' | 'download';

export interface FetchedModel {
  /** The path as configured (gs://… or local). */
  path: string;
  /** The file on local disk holding the bytes. */
  localPath: string;
  /** Full SHA-256 of the bytes, 64 lower-case hex. */
  sha256: string;
  sizeBytes: number;
  source: FetchSource;
  /** The file bytes (already read for hashing; loaders use them instead of reading again). */
  bytes: Uint8Array;
}

export interface FetchOptions {
  /** Full SHA-256 the file must have (registry `sha256` / CATBOOST_V9_MODEL_SHA256). */
  expectedSha256?: string;
}

/** Object metadata that tells whether a cached copy is still current. */
export interface ObjectVersion {
  generation: string;
  md5Hash?: string;
  sizeBytes: number;
}

/**
 * The two GCS operations the store needs. The real one wraps @google-cloud/storage; tests may
 * inject a fake. Both reject with PwError (NOT_FOUND or FETCH).
 */
export interface ObjectSource {
  stat(bucket: string, object: string): Promise<ObjectVersion>;
  /** Download exactly `version` of the object to `destination` (a temp file). */
  download(bucket: string, object: string, version: ObjectVersion, destination: string): Promise<void>;
}

export interface ModelStoreOptions {
  /** Directory for downloaded gs:// objects. Default /tmp/models (MODEL_CACHE_DIR). */
  cacheDir?: string;
  /** Base for relative local paths. Default process.cwd(). */
  cwd?: string;
  /** GCS access; required only when a gs:// path is fetched. */
  objects?: ObjectSource;
}

interface CacheMeta {
  bucket: string;
  object: string;
  generation: string;
  md5Hash?: string;
  sha256: string;
  sizeBytes: number;
  downloadedAt: string;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * `gs://bucket/object` → parts; undefined for a local path. Any other `scheme://` and a malformed
 * gs:// path (bucket only, folder, bad bucket or object name) throw PW_ERR_GCS_PATH (gcs-path.ts).
 */
export function parseGcsPath(path: string): { bucket: string; object: string } | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return undefined;
  return parseGcsObject(path, 'model path');
}

/**
 * Cache file name for an object: the percent-encoded `bucket/object`, which is injective (two
 * different objects never map to one name) and contains no path separator. Very long names are
 * shortened to a hash prefix plus the tail, keeping the extension visible.
 */
export function cacheFileName(bucket: string, object: string): string {
  const key = `${bucket}/${object}`;
  const encoded = encodeURIComponent(key).replace(/^\.+/, (dots) => '%2E'.repeat(dots.length));
  if (encoded.length <= 200) return encoded;
  return `${sha256Hex(Buffer.from(key)).slice(0, 32)}-${encoded.slice(-120)}`;
}

export class ModelStore {
  readonly cacheDir: string;
  private readonly cwd: string;
  private readonly objects: ObjectSource | undefined;
  /** In-flight fetches by configured path, so one file used by two entries is fetched once. */
  private readonly inFlight = new Map<string, Promise<FetchedModel>>();

  constructor(options: ModelStoreOptions = {}) {
    this.cacheDir = options.cacheDir ?? '/tmp/models';
    this.cwd = options.cwd ?? process.cwd();
    this.objects = options.objects;
  }

  /**
   * Fetch and hash one model file. Rejects with PW_ERR_MODEL_NOT_FOUND (no such file/object),
   * PW_ERR_MODEL_FETCH (network/IO trouble, retryable) or PW_ERR_MODEL_SHA256 (declared hash differs).
   */
  async fetch(path: string, options: FetchOptions = {}): Promise<FetchedModel> {
    let pending = this.inFlight.get(path);
    if (!pending) {
      pending = this.fetchUnverified(path).finally(() => this.inFlight.delete(path));
      this.inFlight.set(path, pending);
    }
    const fetched = await pending;
    const declared = options.expectedSha256?.toLowerCase();
    if (declared !== undefined && declared !== fetched.sha256) {
      throw new PwError('PW_ERR_MODEL_SHA256', undefined, path, fetched.sha256, declared);
    }
    return fetched;
  }

  private fetchUnverified(path: string): Promise<FetchedModel> {
    const gcs = parseGcsPath(path);
    return gcs ? this.fetchGcs(path, gcs.bucket, gcs.object) : this.fetchLocal(path);
  }

  private async fetchLocal(path: string): Promise<FetchedModel> {
    const localPath = isAbsolute(path) ? path : resolve(this.cwd, path);
    const bytes = await readLocal(path, localPath);
    return { path, localPath, sha256: sha256Hex(bytes), sizeBytes: bytes.byteLength, source: 'local', bytes };
  }

  private async fetchGcs(path: string, bucket: string, object: string): Promise<FetchedModel> {
    if (!this.objects) {
      throw new PwError('PW_ERR_MODEL_FETCH', undefined, path, 'no Cloud Storage client configured for gs:// paths');
    }
    const version = await this.objects.stat(bucket, object);
    const localPath = join(this.cacheDir, cacheFileName(bucket, object));
    const metaPath = `${localPath}.meta.json`;

    const cached = await this.readCached(localPath, metaPath, version);
    if (cached) return { path, localPath, ...cached, source: 'cache' };

    await mkdir(this.cacheDir, { recursive: true }).catch((err: unknown) => {
      throw new PwError('PW_ERR_MODEL_FETCH', { cause: err }, path, `cannot create cache dir ${this.cacheDir}`);
    });
    const tmp = `${localPath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await this.objects.download(bucket, object, version, tmp);
      const bytes = await readFile(tmp);
      const sha256 = sha256Hex(bytes);
      await rename(tmp, localPath);
      const meta: CacheMeta = {
        bucket,
        object,
        generation: version.generation,
        ...(version.md5Hash === undefined ? {} : { md5Hash: version.md5Hash }),
        sha256,
        sizeBytes: bytes.byteLength,
        downloadedAt: new Date().toISOString(),
      };
      const metaTmp = `${metaPath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(metaTmp, JSON.stringify(meta, null, 2));
      await rename(metaTmp, metaPath);
      return { path, localPath, sha256, sizeBytes: bytes.byteLength, source: 'download', bytes };
    } catch (err) {
      await rm(tmp, { force: true });
      if (isPwError(err)) throw err;
      throw new PwError('PW_ERR_MODEL_FETCH', { cause: err }, path, describeError(err));
    }
  }

  /**
   * The cached bytes when the sidecar names the object's current generation/md5 and the file
   * still hashes to what was recorded at download; otherwise undefined (download again).
   */
  private async readCached(
    localPath: string,
    metaPath: string,
    version: ObjectVersion,
  ): Promise<Pick<FetchedModel, 'sha256' | 'sizeBytes' | 'bytes'> | undefined> {
    let meta: CacheMeta;
    try {
      meta = JSON.parse(await readFile(metaPath, 'utf8')) as CacheMeta;
    } catch {
      return undefined;
    }
    if (meta.generation !== version.generation) return undefined;
    if (version.md5Hash !== undefined && meta.md5Hash !== version.md5Hash) return undefined;
    let bytes: Buffer;
    try {
      bytes = await readFile(localPath);
    } catch {
      return undefined;
    }
    const sha256 = sha256Hex(bytes);
    if (sha256 !== meta.sha256) return undefined; // cache file damaged or replaced by hand
    return { sha256, sizeBytes: bytes.byteLength, bytes };
  }
}

async function readLocal(path: string, localPath: string): Promise<Buffer> {
  try {
    return await readFile(localPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new PwError('PW_ERR_MODEL_NOT_FOUND', { cause: err }, localPath === path ? path : `${path} (${localPath})`);
    }
    throw new PwError('PW_ERR_MODEL_FETCH', { cause: err }, path, describeError(err));
  }
}

/** HTTP status of a @google-cloud/storage error, when it carries one. */
function gcsStatus(err: unknown): number | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

function gcsError(err: unknown, bucket: string, object: string): PwError {
  const path = `gs://${bucket}/${object}`;
  if (gcsStatus(err) === 404) return new PwError('PW_ERR_MODEL_NOT_FOUND', { cause: err }, path);
  return new PwError('PW_ERR_MODEL_FETCH', { cause: err }, path, describeError(err));
}

/** `ObjectSource` over a @google-cloud/storage client. */
export function gcsObjectSource(storage: Storage): ObjectSource {
  return {
    async stat(bucket, object) {
      try {
        const [meta] = await storage.bucket(bucket).file(object).getMetadata();
        if (meta.generation === undefined) throw new Error('object metadata has no generation');
        return {
          generation: String(meta.generation),
          ...(meta.md5Hash ? { md5Hash: meta.md5Hash } : {}),
          sizeBytes: Number(meta.size ?? 0),
        };
      } catch (err) {
        throw gcsError(err, bucket, object);
      }
    },
    async download(bucket, object, version, destination) {
      try {
        // Pin the generation we just checked, so the bytes match the metadata in the sidecar.
        const file = storage.bucket(bucket).file(object, { generation: Number(version.generation) });
        await file.download({ destination });
      } catch (err) {
        throw gcsError(err, bucket, object);
      }
    },
  };
}

/** The storage settings this module reads from Config. */
export interface StorageClientConfig {
  STORAGE_EMULATOR_HOST?: string | undefined;
  GCP_PROJECT_ID?: string | undefined;
}

/**
 * A Storage client from config. With STORAGE_EMULATOR_HOST it talks to the emulator only:
 * explicit apiEndpoint and projectId, no authentication, so neither Google nor the metadata
 * server is ever contacted (tests, CI, local mode).
 */
export async function createStorageClient(config: StorageClientConfig): Promise<Storage> {
  const { Storage } = await import('@google-cloud/storage');
  if (config.STORAGE_EMULATOR_HOST) {
    const apiEndpoint = config.STORAGE_EMULATOR_HOST.replace(/\/+$/, '').replace(/\/storage\/v1$/, '');
    const storage = new Storage({
      apiEndpoint,
      projectId: config.GCP_PROJECT_ID ?? 'local-emulator',
      useAuthWithCustomEndpoint: false,
      retryOptions: { autoRetry: false },
    });
    // When STORAGE_EMULATOR_HOST is also in process.env, the library uses it verbatim as the
    // JSON API base (no /storage/v1), which emulators answer with 404. Pin the base explicitly.
    (storage as unknown as { baseUrl: string }).baseUrl = `${apiEndpoint}/storage/v1`;
    return storage;
  }
  return new Storage(config.GCP_PROJECT_ID ? { projectId: config.GCP_PROJECT_ID } : {});
}

/** A ModelStore wired from Config: MODEL_CACHE_DIR plus a lazily-created Storage client. */
export function modelStoreFromConfig(
  config: StorageClientConfig & { MODEL_CACHE_DIR: string },
  cwd: string = process.cwd(),
): ModelStore {
  let client: Promise<ObjectSource> | undefined;
  const objects = (): Promise<ObjectSource> => (client ??= createStorageClient(config).then(gcsObjectSource));
  const lazy: ObjectSource = {
    stat: async (bucket, object) => (await objects()).stat(bucket, object),
    download: async (bucket, object, version, destination) => (await objects()).download(bucket, object, version, destination),
  };
  return new ModelStore({ cacheDir: config.MODEL_CACHE_DIR, cwd, objects: lazy });
}
