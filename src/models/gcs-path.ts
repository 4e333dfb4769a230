/**
 * @module models/gcs-path
 * The one validator for `gs://` arguments (model paths, --upload-path, --bucket): scheme, bucket
 * name and object name, following Cloud Storage's naming rules
 * (https://cloud.google.com/storage/docs/buckets#naming and /docs/objects#naming):
 *
 * - bucket: 3-63 characters (up to 222 with dots, each dot-separated part ≤ 63) of lower-case
 *   letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit; not an IP
 *   address; not starting with `goog` nor containing `google`.
 * - object: 1-1024 bytes of UTF-8, no carriage return or line feed, not `.` or `..`, not under
 *   `.well-known/acme-challenge/`.
 *
 * Errors are PW_ERR_GCS_PATH naming the argument and what is wrong (with a fix where one is
 * obvious: `s3://…`, a bucket without an object, a folder where an object is needed).
 */
import { PwError } from '../errors.js';

export interface GcsObjectRef {
  bucket: string;
  /** Object name ('' for a prefix at the bucket root). */
  object: string;
}

const BUCKET_PART = /^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$/;

function bad(what: string, value: string, reason: string): PwError {
  return new PwError('PW_ERR_GCS_PATH', undefined, `${what} '${value}'`, reason);
}

/** Why `bucket` is not a valid bucket name, or undefined when it is. */
export function bucketNameProblem(bucket: string): string | undefined {
  if (bucket.length < 3) return 'a bucket name has at least 3 characters';
  if (bucket.length > (bucket.includes('.') ? 222 : 63)) return 'a bucket name has at most 63 characters (222 with dots)';
  if (/[A-Z]/.test(bucket)) return 'bucket names are lower-case';
  const parts = bucket.split('.');
  if (parts.some((p) => p.length === 0 || p.length > 63 || !BUCKET_PART.test(p))) {
    return 'a bucket name is lower-case letters, digits, -, _ and ., starting and ending with a letter or digit';
  }
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(bucket)) return 'a bucket name cannot be an IP address';
  if (bucket.startsWith('goog') || bucket.includes('google')) return "a bucket name cannot start with 'goog' or contain 'google'";
  return undefined;
}

/** Why `object` is not a valid object name, or undefined when it is. */
export function objectNameProblem(object: string): string | undefined {
  if (object.length === 0) return 'no object name';
  if (Buffer.byteLength(object, 'utf8') > 1024) return 'an object name has at most 1024 bytes';
  if (/[\r\n]/.test(object)) return 'an object name cannot contain a line break';
  if (object === '.' || object === '..') return "an object name cannot be '.' or '..'";
  if (object.startsWith('.well-known/acme-challenge/')) return "an object name cannot start with '.well-known/acme-challenge/'";
  return undefined;
}

function split(value: string, what: string): GcsObjectRef {
  if (!value.startsWith('gs://')) {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1];
    throw bad(what, value, scheme ? `only gs:// (Cloud Storage) paths are supported, not ${scheme}://` : 'expected a gs://bucket/… path');
  }
  const rest = value.slice('gs://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const problem = bucketNameProblem(bucket);
  if (problem) throw bad(what, value, problem);
  return { bucket, object: slash < 0 ? '' : rest.slice(slash + 1) };
}

/**
 * A `gs://bucket/object` naming one object (a model file). A bucket alone or a folder
 * (`…/`) is refused: it would name a different object than the one the worker loads.
 */
export function parseGcsObject(value: string, what = 'path'): GcsObjectRef {
  const ref = split(value, what);
  if (ref.object === '') throw bad(what, value, `names a bucket, not an object: expected gs://${ref.bucket}/<folder>/<file>`);
  if (ref.object.endsWith('/')) throw bad(what, value, 'names a folder, not an object: add the file name');
  const problem = objectNameProblem(ref.object);
  if (problem) throw bad(what, value, problem);
  return ref;
}

/**
 * A `gs://bucket/` or `gs://bucket/folder/` prefix (where uploads go). It must end with `/`, so
 * the object's name is always the prefix plus the content-addressed file name, never a guess.
 */
export function parseGcsPrefix(value: string, what = 'prefix'): GcsObjectRef {
  const ref = split(value, what);
  if (!value.endsWith('/')) {
    throw bad(what, value, `must be a folder ending in '/' (e.g. ${value}/): the object name is derived from the file's sha256`);
  }
  if (ref.object !== '') {
    const problem = objectNameProblem(`${ref.object}x`);
    if (problem) throw bad(what, value, problem);
    if (ref.object.includes('//')) throw bad(what, value, "an empty folder name ('//')");
  }
  return ref;
}

/** `gs://bucket/object`. */
export function gcsUri(ref: GcsObjectRef): string {
  return `gs://${ref.bucket}/${ref.object}`;
}
